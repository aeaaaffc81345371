"""Background import of large files of needs (Celery), through ``core.jobs``."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from acompana.core.imports import import_job_run
from acompana.core.jobs import JobOutcome, Progress
from acompana.core.models import Job

IMPORT_JOB_KIND = "planning.needs_import"


def _import(job: Job, content: bytes, filename: str, progress: Progress) -> JobOutcome:
    from acompana.planning.needs.services import needs_import

    result = needs_import(
        actor=job.user, organization=job.organization, content=content, filename=filename
    )
    return JobOutcome(
        message=_("%(count)s needs imported from %(file)s.")
        % {"count": result.created, "file": result.filename},
        result={"created": result.created},
    )


@shared_task(name="planning.needs_import")
def needs_import_task(job_id: int) -> None:
    """Import the job's stored file (``params.path``) with ``needs_import``; all or none."""
    import_job_run(job_id, _import)
