"""Background jobs: starting on commit, reporting through ``job_run``, the progress page."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from acompana.core.choices import JobStatus
from acompana.core.imports import import_job_run
from acompana.core.jobs import JobOutcome, job_finish, job_progress, job_run, job_start
from acompana.core.models import Job
from acompana.core.tabular import ImportRejected

pytestmark = pytest.mark.django_db


@shared_task
def _counting_task(job_id: int) -> None:
    for step in (25, 50, 75):
        job_progress(job_id=job_id, progress=step, message=f"Paso {step}")
    job_finish(job_id=job_id, result={"rows": 3})


def test_job_runs_on_commit_and_reports_progress(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            actor=world.admin,
            organization=world.org,
            kind="test",
            title="Conteo",
            task=_counting_task,
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    assert job.result == {"rows": 3} and job.finished_at is not None


def test_progress_page_polls_while_running_and_stops_when_done(client_for, world):
    job = Job.objects.create(organization=world.org, user=world.admin, kind="t", title="Larga")
    job_progress(job_id=job.pk, progress=40, message="Validando")
    client = client_for(world.admin)
    page = client.get(reverse("core:job_detail", args=[job.pk]))
    html = page.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html
    job_finish(job_id=job.pk)
    partial = client.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_another_users_job_is_not_found(client_for, world):
    job = Job.objects.create(organization=world.org, user=world.admin, kind="t", title="Ajena")
    assert (
        client_for(world.planner).get(reverse("core:job_detail", args=[job.pk])).status_code == 404
    )


# --- job_run: the one way a task reports -----------------------------------------------------


def _pending(world, **params):
    return Job.objects.create(
        organization=world.org, user=world.admin, kind="t", title="Trabajo", params=params
    )


def test_job_run_reports_progress_and_the_outcome(world):
    seen = []

    def work(job, progress):
        progress(40, "Validando")
        seen.append(Job.objects.get(pk=job.pk))
        return JobOutcome(message="Listo", result={"rows": 2})

    job = _pending(world)
    job_run(job.pk, work)
    running = seen[0]
    assert running.status == JobStatus.RUNNING and running.progress == 40
    assert running.message == "Validando"
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    assert job.result == {"rows": 2} and job.message == "Listo"


def test_job_run_leaves_a_job_that_is_no_longer_pending(world):
    job = _pending(world)
    job_finish(job_id=job.pk, result={"done": True})
    job_run(job.pk, lambda job, progress: pytest.fail("ran twice"))
    job.refresh_from_db()
    assert job.result == {"done": True}


def test_a_rejected_file_fails_the_job_with_every_row(world, client_for):
    def work(job, progress):
        raise ImportRejected(file_errors=[], row_errors=[(3, ["NIT: dígito de verificación"])])

    job = _pending(world, upload_url="/registro/importar/")
    job_run(job.pk, work)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.result == {"errors": {"row_3": ["NIT: dígito de verificación"]}}
    page = client_for(world.admin).get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "dígito de verificación" in page
    assert 'href="/registro/importar/"' in page  # start again from the upload page


def test_a_refusal_fails_the_job_with_its_message(world):
    def work(job, progress):
        raise ValidationError("El plan ya no se puede editar.")

    job = _pending(world)
    job_run(job.pk, work)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == "El plan ya no se puede editar."


def test_an_unexpected_error_fails_the_job_and_reaches_celery(world):
    def work(job, progress):
        raise RuntimeError("disco lleno")

    job = _pending(world)
    with pytest.raises(RuntimeError):
        job_run(job.pk, work, failure_message="Falló")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == "Falló"
    assert "disco lleno" not in job.message  # details go to the logs, not to the page
    second = _pending(world)
    job_run(second.pk, work, failure_message="Falló", reraise=False)
    second.refresh_from_db()
    assert second.status == JobStatus.FAILED


def test_an_import_job_deletes_its_file_however_it_ends(world):
    path = default_storage.save("pruebas/importacion.csv", ContentFile(b"a,b\n1,2\n"))
    job = _pending(world, path=path, filename="importacion.csv")
    received = []

    def work(job, content, filename, progress):
        received.append((content, filename))
        raise ImportRejected(file_errors=["Columna desconocida"], row_errors=[])

    import_job_run(job.pk, work)
    assert received == [(b"a,b\n1,2\n", "importacion.csv")]
    assert not default_storage.exists(path)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result == {
        "errors": {"file": ["Columna desconocida"]}
    }


def test_a_succeeded_job_leads_onwards(world, client_for):
    job = _pending(world, next_url="/registro/")
    job_run(job.pk, lambda job, progress: JobOutcome(message="3 importados"))
    page = client_for(world.admin).get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert 'href="/registro/"' in page and "3 importados" in page
