"""Background jobs: progress rows and the progress page."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.urls import reverse

from acompana.core.choices import JobStatus
from acompana.core.jobs import job_finish, job_progress, job_start
from acompana.core.models import Job

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
