"""Writes of the consolidation checks (EDU-4, EDU-5): run them, accept a finding.

* ``checks_run`` runs the checks synchronously when the plans in scope have at most
  ``SYNC_MAX_LINES`` lines (well under a second) and as a background job with a progress page
  (``core.jobs``) above that, so no page waits more than a second (DESIGN section 8).
* ``finding_accept`` records the planner's justification (planning.verify): an accepted
  finding no longer blocks verification, and stays accepted when the checks run again.

The engine itself (``engine.run_checks``) is the contract the plans workflow calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from acompana.core.errors import TransitionError
from acompana.core.jobs import job_start
from acompana.core.models import Job, User
from acompana.core.permissions import has_perm
from acompana.core.workflow import Transition, transition_apply
from acompana.planning.checks.engine import plans_in_scope, run_checks
from acompana.planning.choices import ConsolidatedStatus, FindingStatus
from acompana.planning.models import ConsolidatedPlan, Finding, PlanLine

#: above this many lines the checks run as a background job (measured: ~0.1 s per 1,000)
SYNC_MAX_LINES = 2000
CHECKS_JOB_KIND = "planning.checks_run"
FINDING_ACCEPTED_KEY = "finding.accepted"
MIN_JUSTIFICATION = 10

#: the planner accepts an open finding with a justification (EDU-5)
ACCEPT = Transition.build(
    "accept",
    {FindingStatus.OPEN},
    FindingStatus.ACCEPTED,
    "planning.verify",
    (FINDING_ACCEPTED_KEY,),
)

#: once the committee approved the plan its findings are the record of the verification
CLOSED_STATUSES = frozenset({ConsolidatedStatus.COMMITTEE_APPROVED, ConsolidatedStatus.PUBLISHED})


@dataclass(frozen=True)
class ChecksOutcome:
    """What ``checks_run`` did: ran now (``findings``) or started a job (``job``)."""

    findings: list[Finding] | None = None
    job: Job | None = None


def _check_open(consolidated: ConsolidatedPlan) -> None:
    if consolidated.status in CLOSED_STATUSES:
        raise TransitionError(
            _("The consolidated plan is already approved by the committee: its checks are closed.")
        )


def checks_line_count(consolidated: ConsolidatedPlan) -> int:
    """Lines the checks would read (one query)."""
    return PlanLine.objects.filter(
        organization_id=consolidated.organization_id, plan__in=plans_in_scope(consolidated)
    ).count()


def checks_run(*, actor: User, consolidated: ConsolidatedPlan) -> ChecksOutcome:
    """EDU-4/EDU-5: run the consolidation checks now, or as a job for large plans."""
    _check_open(consolidated)
    if checks_line_count(consolidated) <= SYNC_MAX_LINES:
        return ChecksOutcome(findings=run_checks(actor=actor, consolidated=consolidated))
    from acompana.planning.checks.tasks import checks_run_task

    with transaction.atomic():
        job = job_start(
            actor=actor,
            organization=consolidated.organization,
            kind=CHECKS_JOB_KIND,
            title=_("Consolidation checks of «%(plan)s»") % {"plan": consolidated.title},
            task=checks_run_task,
            params={"consolidated_id": consolidated.pk},
        )
    return ChecksOutcome(job=job)


def finding_accept(*, actor: User, finding: Finding, justification: str) -> Finding:
    """Accept an open finding with a justification (planner only, planning.verify).

    The justification says why the line can stay as it is (at least 10 characters); it is
    kept on the finding and in the event ``finding.accepted``. A finding accepted, fixed or
    changed by someone else meanwhile is refused (``TransitionError``).
    """
    if not has_perm(actor, "planning.verify"):
        raise PermissionDenied(_("Only planning can accept a finding."))
    text = (justification or "").strip()
    if len(text) < MIN_JUSTIFICATION:
        raise ValidationError(
            {
                "justification": _(
                    "Write a justification of at least %(n)s characters: why the plan can "
                    "stay as it is."
                )
                % {"n": MIN_JUSTIFICATION}
            }
        )
    consolidated = finding.consolidated
    _check_open(consolidated)
    if finding.status == FindingStatus.ACCEPTED:
        raise TransitionError(_("This finding is already accepted."))
    if finding.status == FindingStatus.FIXED:
        raise TransitionError(_("This finding is already fixed: there is nothing to accept."))
    transition_apply(
        actor=actor,
        obj=finding,
        transition=ACCEPT,
        fields={"justification": text, "accepted_by": actor, "accepted_at": timezone.now()},
        summary=_("Finding accepted (%(rule)s): %(justification)s")
        % {"rule": finding.rule, "justification": text},
        before={"status": FindingStatus.OPEN},
        after={
            "status": FindingStatus.ACCEPTED,
            "rule": finding.rule,
            "severity": finding.severity,
            "consolidated": consolidated.pk,
            "justification": text,
        },
        refused=_("Someone changed this finding meanwhile. Reload the page and try again."),
    )
    return finding
