"""Background import of large files of indicator values (Celery), with ``core.jobs`` progress."""

from __future__ import annotations

from collections.abc import Callable

from celery import shared_task
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _

from acompana.core.choices import JobStatus
from acompana.core.jobs import job_fail, job_finish
from acompana.core.models import Job

IMPORT_JOB_KIND = "planning.indicator_values_import"


def _progress(job_id: int) -> Callable[[int], None]:
    """Progress callback of a job: 99 at most until the job has really finished."""

    def report(percent: int) -> None:
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.RUNNING, progress=max(1, min(99, percent))
        )

    return report


@shared_task(name="planning.indicator_values_import")
def indicator_values_import_task(job_id: int) -> None:
    """Import the file of the job (``params.path`` in storage); all rows or none."""
    from acompana.core.tabular import ImportRejected
    from acompana.planning.prioritisation.services import indicator_values_import

    job = Job.objects.select_related("organization", "user").get(pk=job_id)
    if job.status != JobStatus.PENDING:
        return
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=1)
    path = job.params["path"]
    try:
        with default_storage.open(path, "rb") as handle:
            content = handle.read()
        result = indicator_values_import(
            actor=job.user,
            organization=job.organization,
            content=content,
            filename=job.params.get("filename", path),
            progress=_progress(job.pk),
        )
    except ImportRejected as exc:
        job_fail(
            job_id=job.pk,
            message=str(exc.messages[0]),
            result={"errors": exc.as_fields(limit=200)},
        )
    except Exception:
        job_fail(job_id=job.pk, message=_("The import failed unexpectedly; nothing was imported."))
        raise
    else:
        job_finish(
            job_id=job.pk,
            result={
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "next_url": reverse("planning:indicator_list"),
            },
            message=_("%(created)s new values, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    finally:
        if default_storage.exists(path):
            default_storage.delete(path)
