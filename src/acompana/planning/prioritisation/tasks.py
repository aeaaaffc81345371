"""Background import of large files of indicator values (Celery), through ``core.jobs``."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from acompana.core.imports import import_job_run
from acompana.core.jobs import JobOutcome, Progress
from acompana.core.models import Job

IMPORT_JOB_KIND = "planning.indicator_values_import"


def _import(job: Job, content: bytes, filename: str, progress: Progress) -> JobOutcome:
    from acompana.planning.prioritisation.services import indicator_values_import

    result = indicator_values_import(
        actor=job.user,
        organization=job.organization,
        content=content,
        filename=filename,
        progress=progress,
    )
    counts = {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    return JobOutcome(
        message=_("%(created)s new values, %(updated)s updated, %(unchanged)s unchanged.") % counts,
        result=counts,
    )


@shared_task(name="planning.indicator_values_import")
def indicator_values_import_task(job_id: int) -> None:
    """Import the job's stored file (``params.path``); all rows or none."""
    import_job_run(job_id, _import)
