"""The Comité Directivo's decisions (FP-3/FP-4 on the strategy, EDU-6/EDU-7 and FP-4 on the plan).

``committee_decision_record`` is the one service that writes a ``CommitteeDecision``: it
validates the acta, stores it, renders the acta PDF (AP-AI-RG-111 style, with the
organization's header) as a document of the decided object, and records the event. The
caller (strategy or plan workflow) then moves its object's state in the same transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from acompana.core.documents import document_store, header_for, render_pdf
from acompana.core.events import event_record
from acompana.core.models import Organization, User
from acompana.planning.choices import DecisionOutcome
from acompana.planning.models import CommitteeDecision

ACTA_FALLBACK_NAME = "Acta de Comité Directivo"


def committee_decisions_for(*, user: Any, obj: models.Model) -> models.QuerySet[CommitteeDecision]:
    """Every decision (every round) on ``obj``, oldest first, scoped to the user."""
    return (
        CommitteeDecision.objects.for_user(user)
        .filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .select_related("recorded_by")
        .order_by("round", "date", "id")
    )


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
) -> CommitteeDecision:
    """Record the committee's decision on ``obj`` (call inside the caller's transaction).

    ``step_key`` is the key the decision completes (``strategy.committee_decided`` or
    ``plan.committee_approved``); ``subject`` is what the acta says was decided on.
    A rejection must say why (comments), so the units know what to adjust.
    """
    errors: dict[str, str] = {}
    acta_number = acta_number.strip()
    if not acta_number:
        errors["acta_number"] = _("Write the number of the acta.")
    elif CommitteeDecision.objects.filter(
        organization=organization, acta_number__iexact=acta_number
    ).exists():
        errors["acta_number"] = _("Acta %(number)s is already recorded.") % {"number": acta_number}
    if not attendees.strip():
        errors["attendees"] = _("List the members who attended the session.")
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
            context={"decision": record, "subject": subject, "organization": organization},
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
        event_record(
            actor=actor,
            organization=organization,
            step_key=step_key if decision == DecisionOutcome.APPROVED else "committee.returned",
            obj=obj,
            summary=summary % values,
            after={
                "acta": acta_number,
                "date": date.isoformat(),
                "decision": decision,
                "round": round,
            },
            record=" ".join(x for x in (header.format_code, header.format_version) if x)
            or ACTA_FALLBACK_NAME,
        )
    return record
