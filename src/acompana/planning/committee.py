"""The Comité Directivo's decisions (FP-3/FP-4 on the strategy, EDU-6/EDU-7 and FP-4 on the plan).

``committee_decision_record`` is the one service that writes a ``CommitteeDecision``: it
validates the acta, stores it, renders the acta PDF (AP-AI-RG-111 style, with the
organization's header) as a document of the decided object, and records the event. The
caller (strategy or plan workflow) then moves its object's state in the same transaction.

Segregation of duties (issue 11): only members of the Comité Directivo (role ``committee``)
record its decisions. An organization whose procedure lets its technical secretary record
the actas says so in its profile (``committee_secretary_role``); the acta recorded by the
secretary must then name the committee members present (at least two), and the event says
it was recorded by the secretary.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from acompana.core.choices import Role
from acompana.core.documents import document_store, header_for, render_pdf
from acompana.core.events import event_record
from acompana.core.models import Organization, User
from acompana.core.scoping import active_membership
from acompana.planning.choices import DecisionOutcome
from acompana.planning.models import CommitteeDecision, ConsolidatedPlan, Plan

ACTA_FALLBACK_NAME = "Acta de Comité Directivo"


def _names(attendees: str) -> list[str]:
    """The attendees one per line (or separated by commas or semicolons)."""
    return [n.strip() for n in re.split(r"[\n;,]+", attendees) if n.strip()]


def _is_committee_member(actor: Any, organization: Organization) -> bool:
    membership = active_membership(actor)
    return (
        membership is not None
        and membership.organization_id == organization.pk
        and Role.COMMITTEE in membership.roles
    )


def committee_decisions_for(*, user: Any, obj: models.Model) -> models.QuerySet[CommitteeDecision]:
    """Every decision (every round) on ``obj``, oldest first, scoped to the user."""
    return (
        CommitteeDecision.objects.for_user(user)
        .filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .select_related("recorded_by")
        .order_by("round", "date", "id")
    )


def _seat(organization: Organization) -> str:
    municipality = organization.municipality
    if municipality is None:
        return ""
    return f"{municipality.name.title()} ({municipality.department.name.title()})"


def _next_steps(*, organization: Organization, step_key: str, decision: str) -> list[str]:
    """What follows the decision, in the organization's procedure (the acta's last section)."""
    from acompana.core.procedures import profile_switch

    if decision != DecisionOutcome.APPROVED:
        return [
            _("The units adjust the document with the committee's comments."),
            _("The adjusted document is presented again to the committee in a new session."),
        ]
    if step_key == "plan.committee_approved":
        steps = []
        if profile_switch(organization, "plan_publication"):
            steps.append(
                _("Planning publishes the approved plan and sends it to every unit by e-mail.")
            )
        steps.append(_("The units schedule and carry out the activities of the approved plan."))
        return steps
    return [
        _("The approved strategy is sent to the units."),
        _("Each unit draws up its assistance plan on the approved strategy."),
    ]


def acta_context(
    *,
    decision: CommitteeDecision,
    obj: models.Model,
    subject: str,
    step_key: str,
    place: str = "",
    unit_comments: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """What the acta prints: the session (place, date, object), attendees, decision, the unit
    plans decided on (a consolidated plan) with the comments on each, and the next steps."""
    organization = decision.organization
    units: list[dict[str, Any]] = []
    if isinstance(obj, ConsolidatedPlan):
        comments = unit_comments or {}
        plans = (
            Plan.objects.filter(consolidated=obj)
            .select_related("unit")
            .annotate(
                line_total=models.Count("lines", distinct=True),
                budget_sum=models.Sum("lines__budget"),
            )
            .order_by("unit__name", "id")
        )
        units = [
            {
                "unit": plan.unit.name,
                "plan": plan.title,
                "lines": plan.line_total,
                "budget": plan.budget_sum or 0,
                "comments": comments.get(plan.pk, ""),
            }
            for plan in plans
        ]
    return {
        "decision": decision,
        "subject": subject,
        "organization": organization,
        "place": place.strip() or _seat(organization),
        "units": units,
        "next_steps": _next_steps(
            organization=organization, step_key=step_key, decision=decision.decision
        ),
    }


def committee_decision_record(
    *,
    actor: User,
    organization: Organization,
    obj: models.Model,
    round: int,
    acta_number: str,
    date: datetime.date,
    attendees: str,
    decision: str,
    comments: str,
    step_key: str,
    subject: str,
    place: str = "",
    unit_comments: Mapping[int, str] | None = None,
) -> CommitteeDecision:
    """Record the committee's decision on ``obj`` (call inside the caller's transaction).

    ``step_key`` is the key the decision completes (``strategy.committee_decided`` or
    ``plan.committee_approved``); ``subject`` is what the acta says was decided on.
    A rejection must say why (comments), so the units know what to adjust. ``place`` is where
    the session was held (default: the organization's seat); ``unit_comments`` (unit plan id
    → text) are the committee's comments on each unit's plan of a consolidated plan.
    """
    errors: dict[str, str] = {}
    acta_number = acta_number.strip()
    if not acta_number:
        errors["acta_number"] = _("Write the number of the acta.")
    elif CommitteeDecision.objects.filter(
        organization=organization, acta_number__iexact=acta_number
    ).exists():
        errors["acta_number"] = _("Acta %(number)s is already recorded.") % {"number": acta_number}
    by_secretary = not _is_committee_member(actor, organization)
    if not attendees.strip():
        errors["attendees"] = _("List the members who attended the session.")
    elif by_secretary and len(_names(attendees)) < 2:
        errors["attendees"] = _(
            "The technical secretary records the acta: name the committee members present "
            "(one per line)."
        )
    if decision not in DecisionOutcome.values:
        errors["decision"] = _("Choose the decision.")
    if decision == DecisionOutcome.REJECTED and not comments.strip():
        errors["comments"] = _("Write the committee's comments: the units adjust with them.")
    if date > datetime.date.today():
        errors["date"] = _("The session date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = CommitteeDecision.objects.create(
            organization=organization,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            round=round,
            acta_number=acta_number,
            date=date,
            attendees=attendees.strip(),
            decision=decision,
            comments=comments.strip(),
            recorded_by=actor,
        )
        header = header_for(organization, step_key=step_key, fallback_name=ACTA_FALLBACK_NAME)
        pdf = render_pdf(
            template="planning/pdf/committee_acta.html",
            context=acta_context(
                decision=record,
                obj=obj,
                subject=subject,
                step_key=step_key,
                place=place,
                unit_comments=unit_comments,
            ),
            header=header,
        )
        document_store(
            actor=actor,
            organization=organization,
            obj=obj,
            kind="committee_acta.pdf",
            title=_("Acta %(number)s — %(subject)s") % {"number": acta_number, "subject": subject},
            content=pdf,
            header=header,
            filename=f"acta-{acta_number}.pdf".replace("/", "-"),
        )
        values = {"subject": subject, "acta": acta_number, "round": round}
        if decision == DecisionOutcome.APPROVED:
            summary = _(
                "The Comité Directivo approved: %(subject)s (acta %(acta)s, round %(round)s)"
            )
        else:
            summary = _(
                "The Comité Directivo returned with comments: %(subject)s (acta %(acta)s, "
                "round %(round)s)"
            )
        text = summary % values
        if by_secretary:
            text = _(
                "%(summary)s — recorded by the technical secretary; members present: %(members)s"
            ) % {"summary": text, "members": ", ".join(_names(attendees))}
        event_record(
            actor=actor,
            organization=organization,
            step_key=step_key if decision == DecisionOutcome.APPROVED else "committee.returned",
            obj=obj,
            summary=text,
            after={
                "acta": acta_number,
                "date": date.isoformat(),
                "decision": decision,
                "round": round,
                **({"members_present": _names(attendees)} if by_secretary else {}),
            },
            record=" ".join(x for x in (header.format_code, header.format_version) if x)
            or ACTA_FALLBACK_NAME,
        )
    return record
