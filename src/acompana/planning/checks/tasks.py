"""Background job of the consolidation checks (large plans), reporting on a ``core.Job``.

Celery discovers ``<app>.tasks`` modules: ``acompana/planning/tasks.py`` imports this module
so that the worker knows the task.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from acompana.core.choices import JobStatus
from acompana.core.jobs import job_fail, job_finish, job_progress
from acompana.core.models import Job
from acompana.planning.choices import FindingStatus


@shared_task(name="planning.checks_run")
def checks_run_task(job_id: int) -> None:
    """Run ``engine.run_checks`` on the job's consolidated plan (``params.consolidated_id``)."""
    from acompana.planning.checks.engine import run_checks
    from acompana.planning.models import ConsolidatedPlan

    job = Job.objects.select_related("organization", "user").get(pk=job_id)
    if job.status != JobStatus.PENDING:
        return
    with translation.override(settings.LANGUAGE_CODE):
        job_progress(job_id=job.pk, progress=5, message=_("Checking the lines of the plans…"))
        try:
            consolidated = ConsolidatedPlan.objects.get(
                pk=job.params["consolidated_id"], organization=job.organization
            )
            findings = run_checks(actor=job.user, consolidated=consolidated)
        except Exception:
            job_fail(job_id=job.pk, message=_("The checks failed unexpectedly; nothing changed."))
            raise
        open_count = sum(1 for f in findings if f.status == FindingStatus.OPEN)
        job_finish(
            job_id=job.pk,
            result={
                "findings": len(findings),
                "open": open_count,
                "next_url": reverse("planning:findings", args=[consolidated.pk]),
            },
            message=_("%(n)s findings, %(open)s open.") % {"n": len(findings), "open": open_count},
        )
