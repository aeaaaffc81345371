"""Background jobs of the registry (Celery), each reporting progress on a ``core.Job``."""

from __future__ import annotations

from collections.abc import Callable

from celery import shared_task
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from acompana.core.choices import JobStatus
from acompana.core.models import Job

IMPORT_JOB_KIND = "registry.stakeholders_import"


def _progress(job_id: int) -> Callable[[int], None]:
    """Progress callback of a job: 99 at most until the job has really finished."""

    def report(percent: int) -> None:
        Job.objects.filter(pk=job_id).update(progress=max(1, min(99, percent)))

    return report


@shared_task(name="registry.stakeholders_import")
def stakeholders_import_task(job_id: int) -> None:
    """Import the file of the job (``params.path`` in storage) with ``stakeholders_import``."""
    from acompana.core.tabular import ImportRejected
    from acompana.registry.services import stakeholders_import

    job = Job.objects.select_related("organization", "user").get(pk=job_id)
    if job.status != JobStatus.PENDING:
        return
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=1)
    path = job.params["path"]
    try:
        with default_storage.open(path, "rb") as handle:
            content = handle.read()
        result = stakeholders_import(
            actor=job.user,
            organization=job.organization,
            content=content,
            filename=job.params.get("filename", path),
            progress=_progress(job.pk),
        )
    except ImportRejected as exc:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            progress=100,
            message=str(exc.messages[0])[:500],
            result={"errors": exc.as_fields(limit=200)},
            finished_at=timezone.now(),
        )
    except Exception:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            progress=100,
            message=_("The import failed unexpectedly; nothing was imported."),
            finished_at=timezone.now(),
        )
        raise
    else:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            progress=100,
            message=_("%(count)s stakeholders imported.") % {"count": result.created},
            result={"created": result.created},
            finished_at=timezone.now(),
        )
    finally:
        if default_storage.exists(path):
            default_storage.delete(path)
