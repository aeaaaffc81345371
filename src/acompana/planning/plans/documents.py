"""What the plan PDFs print besides the lines: the signatures and the approving acta.

Control interno signs a plan when it can read, on the document itself, who prepared it,
who reviewed, verified and approved it and when, and the acta of the Comité Directivo that
approved it (DESIGN section 9). Those come from the trail, never from a form: the events of
the current round (after the last submission, or the last gathering of a consolidated
plan) and the committee's decisions. A stage the organization's procedure does not have
prints no row; a stage not reached yet prints "pending".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from acompana.core.models import Event, Membership
from acompana.core.procedures import get_profile
from acompana.planning.choices import DecisionOutcome
from acompana.planning.models import CommitteeDecision, ConsolidatedPlan, Plan
from acompana.planning.plans import workflow


@dataclass(frozen=True)
class Signature:
    """One row of the signature block: what was done, by whom (name and position), when."""

    label: str
    name: str = ""
    position: str = ""
    date: datetime.datetime | datetime.date | None = None
    detail: str = ""

    @property
    def done(self) -> bool:
        return self.date is not None


def _events(obj: models.Model, keys: set[str]) -> list[Event]:
    return list(
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            step_key__in=keys,
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )


def _position(organization: Any, event: Event) -> str:
    """The signer's position as the organization's procedure calls it: the roles of their
    membership that the step names (else all their roles), and their unit."""
    profile = get_profile(organization)
    steps = profile.steps_for_key(event.step_key)
    step_roles = set(steps[0].roles) if steps else set()
    membership = (
        Membership.objects.filter(organization=organization, user_id=event.actor_id)
        .select_related("unit")
        .order_by("-is_active", "id")
        .first()
        if event.actor_id
        else None
    )
    if membership is None:
        return ", ".join(steps[0].role_names) if steps else ""
    roles = [r for r in membership.roles if r in step_roles] or list(membership.roles)
    text = ", ".join(profile.role_name(r) for r in roles)
    if membership.unit:
        return f"{text} — {membership.unit.name}" if text else membership.unit.name
    return text


def _signed(label: str, event: Event | None, organization: Any) -> Signature:
    if event is None:
        return Signature(label=label)
    actor = event.actor
    name = (actor.full_name or actor.email) if actor else ""
    return Signature(
        label=label,
        name=name,
        position=_position(organization, event),
        date=event.created_at,
    )


def _last(events: list[Event], key: str, since: datetime.datetime | None) -> Event | None:
    found = [e for e in events if e.step_key == key and (since is None or e.created_at >= since)]
    return found[-1] if found else None


def approving_acta(consolidated: ConsolidatedPlan | None) -> CommitteeDecision | None:
    """The acta whose decision approved ``consolidated`` (its latest decision, if approving)."""
    if consolidated is None:
        return None
    decision = (
        CommitteeDecision.objects.filter(
            content_type=ContentType.objects.get_for_model(consolidated),
            object_id=str(consolidated.pk),
        )
        .select_related("recorded_by")
        .order_by("date", "id")
        .last()
    )
    if decision is None or decision.decision != DecisionOutcome.APPROVED:
        return None
    return decision


def _acta_signature(acta: CommitteeDecision | None, organization: Any) -> Signature:
    label = _("Approved by")
    if acta is None:
        return Signature(label=label)
    return Signature(
        label=label,
        name=get_profile(organization).role_name("committee"),
        position=_("Acta %(number)s") % {"number": acta.acta_number},
        date=acta.date,
    )


def plan_signatures(plan: Plan) -> list[Signature]:
    """Prepared, reviewed, verified and approved, as the plan's procedure has them."""
    organization = plan.organization
    switches = workflow.plan_switches(organization)
    events = _events(
        plan,
        {
            "plan.submitted",
            "plan.unit_approved",
            "plan.consolidated",
            "plan.verified",
            "plan.published",
        },
    )
    submitted = _last(events, "plan.submitted", None)
    since = submitted.created_at if submitted else None
    rows = [_signed(_("Prepared by"), submitted, organization)]
    if switches.get(workflow.REVIEW):
        rows.append(
            _signed(_("Reviewed by"), _last(events, "plan.unit_approved", since), organization)
        )
    elif switches.get(workflow.CONSOLIDATION):
        rows.append(
            _signed(_("Reviewed by"), _last(events, "plan.consolidated", since), organization)
        )
    if switches.get(workflow.VERIFICATION):
        rows.append(_signed(_("Verified by"), _last(events, "plan.verified", since), organization))
    if switches.get(workflow.COMMITTEE):
        rows.append(_acta_signature(approving_acta(plan.consolidated), organization))
    else:
        # SAL/DNP: the plan is approved when the unit head approves it or when whoever the
        # step names finalises it (published); with a review and no committee, published
        approvals = [
            e
            for e in events
            if e.step_key in {"plan.unit_approved", "plan.published"}
            and (since is None or e.created_at >= since)
            and (e.step_key == "plan.published" or not switches.get(workflow.REVIEW))
        ]
        rows.append(_signed(_("Approved by"), approvals[0] if approvals else None, organization))
    return rows


def _has_action(switches: Any, action: str) -> bool:
    return any(
        t.action == action and t.applies(switches) for t in workflow.CONSOLIDATED_TRANSITIONS
    )


def consolidated_signatures(consolidated: ConsolidatedPlan) -> list[Signature]:
    """Prepared (gathered), verified and approved (the acta) for the consolidated plan."""
    organization = consolidated.organization
    switches = workflow.plan_switches(organization)
    events = _events(
        consolidated, {"plan.consolidated", "plan.verified", "plan.committee_reviewed"}
    )
    gathered = _last(events, "plan.consolidated", None)
    since = gathered.created_at if gathered else None
    rows = [_signed(_("Prepared by"), gathered, organization)]
    if switches.get(workflow.VERIFICATION):
        rows.append(_signed(_("Verified by"), _last(events, "plan.verified", since), organization))
    if _has_action(switches, "committee_review"):
        # EDU-6: the committee's coverage review, recorded apart from the approval (EDU-7)
        reviewed = _last(events, "plan.committee_reviewed", since)
        rows.append(_signed(_("Reviewed by"), reviewed, organization))
    if switches.get(workflow.COMMITTEE):
        rows.append(_acta_signature(approving_acta(consolidated), organization))
    return rows
