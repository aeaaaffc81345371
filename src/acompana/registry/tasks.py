"""Background jobs of the registry (Celery), run and reported through ``core.jobs``."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from acompana.core.imports import import_job_run
from acompana.core.jobs import JobOutcome, Progress
from acompana.core.models import Job

IMPORT_JOB_KIND = "registry.stakeholders_import"


def _import(job: Job, content: bytes, filename: str, progress: Progress) -> JobOutcome:
    from acompana.registry.services import stakeholders_import

    result = stakeholders_import(
        actor=job.user,
        organization=job.organization,
        content=content,
        filename=filename,
        progress=progress,
    )
    return JobOutcome(
        message=_("%(count)s stakeholders imported.") % {"count": result.created},
        result={"created": result.created},
    )


@shared_task(name="registry.stakeholders_import")
def stakeholders_import_task(job_id: int) -> None:
    """Import the job's stored file (``params.path``) with ``stakeholders_import``."""
    import_job_run(job_id, _import)
