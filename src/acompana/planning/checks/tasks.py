"""Background job of the consolidation checks (large plans), run through ``core.jobs``.

Celery discovers ``<app>.tasks`` modules: ``acompana/planning/tasks.py`` imports this module
so that the worker knows the task.
"""

from __future__ import annotations

from celery import shared_task
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acompana.core.jobs import JobOutcome, Progress, job_run
from acompana.core.models import Job
from acompana.planning.choices import FindingStatus


def _checks(job: Job, progress: Progress) -> JobOutcome:
    from acompana.planning.checks.engine import run_checks
    from acompana.planning.models import ConsolidatedPlan

    progress(5, _("Checking the lines of the plans…"))
    consolidated = ConsolidatedPlan.objects.get(
        pk=job.params["consolidated_id"], organization=job.organization
    )
    findings = run_checks(actor=job.user, consolidated=consolidated)
    open_count = sum(1 for f in findings if f.status == FindingStatus.OPEN)
    return JobOutcome(
        message=_("%(n)s findings, %(open)s open.") % {"n": len(findings), "open": open_count},
        result={
            "findings": len(findings),
            "open": open_count,
            "next_url": reverse("planning:findings", args=[consolidated.pk]),
        },
    )


@shared_task(name="planning.checks_run")
def checks_run_task(job_id: int) -> None:
    """Run ``engine.run_checks`` on the job's consolidated plan (``params.consolidated_id``)."""
    job_run(
        job_id,
        _checks,
        failure_message=gettext_lazy("The checks failed unexpectedly; nothing changed."),
    )
