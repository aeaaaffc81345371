"""Writes of the year's strategy (FP-2 propose, FP-3 consolidate, FP-4 committee decision).

Every service is keyword-only, takes the acting user, checks the role and the state through
``strategy.workflow`` (``PermissionDenied`` → 403, ``TransitionError`` → refused), writes in
one transaction with its event row, and moves states with ``core.workflow.transition_apply``
(a conditional UPDATE from the expected state, ``WHERE status IN ...``), so concurrent
actions never overwrite each other. Edits are optimistic-locked on ``version``
(``core.concurrency.versioned_update``, ``StaleObjectError``).

Writes on a proposal and on the strategy lock the strategy row first (``SELECT ... FOR
UPDATE``): a unit submitting while planning consolidates is serialised, so consolidation
never sees a proposal that changes under it.

The committee's decision is recorded through ``planning.committee.committee_decision_record``
(acta, acta PDF stored as a document of the strategy, event); this module moves the strategy
and its proposals in the same transaction and keeps every round (``StrategyRound``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from acompana.catalog.models import Modality, Service
from acompana.core.choices import UnitKind
from acompana.core.concurrency import versioned_update
from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.events import changed_fields, event_record
from acompana.core.models import Document, FiscalYear, Organization, Unit, User
from acompana.core.workflow import transition_apply
from acompana.planning.choices import DecisionOutcome, ProposalStatus, StrategyStatus
from acompana.planning.committee import committee_decision_record
from acompana.planning.models import CommitteeDecision, Strategy, StrategyProposal, StrategyRound
from acompana.planning.strategy import workflow

#: the largest amount ``StrategyProposal.resources`` holds (16 digits, 2 decimals)
MAX_RESOURCES = Decimal("99999999999999.99")
#: unit kinds that propose their part of the strategy (the directorates and groups that
#: deliver assistance); an office/secretariat takes part only when it offers services
PROPOSING_KINDS = (UnitKind.DIRECTORATE, UnitKind.SUBDIRECTORATE, UnitKind.GROUP)
ACTA_KIND = "committee_acta.pdf"
#: the step key of the committee's decision on the strategy (FP-4), recorded with the acta
COMMITTEE_DECIDED = "strategy.committee_decided"


# --- helpers -----------------------------------------------------------------------------------


def _require(actor: User, perm: str, organization_id: int) -> None:
    workflow.check_actor(actor, perm, organization_id)


def _lock_strategy(strategy: Strategy) -> Strategy:
    """Lock the strategy row and bring ``strategy`` up to date with it."""
    locked = Strategy.objects.select_for_update().get(pk=strategy.pk)
    for name in ("status", "round", "version", "consolidation_notes", "approved_at"):
        setattr(strategy, name, getattr(locked, name))
    return strategy


def _lock_proposal(proposal: StrategyProposal) -> StrategyProposal:
    locked = StrategyProposal.objects.select_for_update().get(pk=proposal.pk)
    for name in ("status", "version", "excluded", "exclusion_reason", "comments"):
        setattr(proposal, name, getattr(locked, name))
    return proposal


def _check_version(obj: Strategy | StrategyProposal, expected_version: int | None) -> None:
    """Refuse early (before validating) an edit of a locked row that moved on."""
    if expected_version is not None and obj.version != expected_version:
        raise StaleObjectError()


def _check_unit_scope(actor: User, proposal: StrategyProposal) -> None:
    """A unit head changes only the proposal of its own unit (or its groups)."""
    if not StrategyProposal.objects.for_user(actor, "change").filter(pk=proposal.pk).exists():
        raise PermissionDenied(_("You can only change the proposal of your own unit."))


def proposing_units(organization: Organization) -> models.QuerySet[Unit]:
    """The active units that propose their part of the strategy (FP-2)."""
    offering = Service.objects.filter(organization=organization, is_active=True).values("unit_id")
    return Unit.objects.filter(organization=organization, is_active=True).filter(
        Q(kind__in=PROPOSING_KINDS) | Q(pk__in=offering)
    )


def _strategy_label(strategy: Strategy) -> str:
    return f"{strategy.title} ({strategy.fiscal_year})"


# --- opening the strategy of a fiscal year ----------------------------------------------------


def strategy_open(
    *, actor: User, organization: Organization, fiscal_year: FiscalYear, title: str = ""
) -> Strategy:
    """Open the strategy of ``fiscal_year``: one proposal to fill for every proposing unit.

    One strategy per organization and fiscal year; opening it twice is refused.
    """
    _require(actor, "planning.consolidate", organization.pk)
    if fiscal_year.organization_id != organization.pk:
        raise ValidationError({"fiscal_year": _("The fiscal year is not of this organization.")})
    title = title.strip() or _("Integral technical assistance strategy %(year)s") % {
        "year": fiscal_year.year
    }
    if len(title) > 250:
        raise ValidationError({"title": _("The title can have at most 250 characters.")})
    if Strategy.objects.filter(organization=organization, fiscal_year=fiscal_year).exists():
        raise ValidationError(
            {"fiscal_year": _("The strategy of %(year)s is already open.") % {"year": fiscal_year}}
        )
    units = list(proposing_units(organization).order_by("name"))
    if not units:
        raise ValidationError(
            _("The organization has no active units to propose: create its units first.")
        )
    try:
        with transaction.atomic():
            strategy = Strategy.objects.create(
                organization=organization,
                fiscal_year=fiscal_year,
                title=title,
                created_by=actor,
            )
            StrategyProposal.objects.bulk_create(
                StrategyProposal(organization=organization, strategy=strategy, unit=unit)
                for unit in units
            )
            event_record(
                actor=actor,
                organization=organization,
                step_key="strategy.opened",
                obj=strategy,
                summary=ngettext(
                    "Strategy opened: %(strategy)s; %(n)s unit must submit its proposal",
                    "Strategy opened: %(strategy)s; %(n)s units must submit their proposal",
                    len(units),
                )
                % {"strategy": _strategy_label(strategy), "n": len(units)},
                after={"units": [u.name for u in units]},
            )
    except IntegrityError:
        raise ValidationError(
            {"fiscal_year": _("The strategy of %(year)s is already open.") % {"year": fiscal_year}}
        )
    return strategy


def strategy_proposals_sync(*, actor: User, strategy: Strategy) -> list[StrategyProposal]:
    """Add a proposal for every proposing unit created after the strategy was opened."""
    _require(actor, "planning.consolidate", strategy.organization_id)
    with transaction.atomic():
        _lock_strategy(strategy)
        workflow.proposals_open_check(strategy)
        present = StrategyProposal.objects.filter(strategy=strategy).values("unit_id")
        missing = list(
            proposing_units(strategy.organization).exclude(pk__in=present).order_by("name")
        )
        created = StrategyProposal.objects.bulk_create(
            StrategyProposal(organization_id=strategy.organization_id, strategy=strategy, unit=u)
            for u in missing
        )
        if created:
            event_record(
                actor=actor,
                organization=strategy.organization,
                step_key="strategy.units_added",
                obj=strategy,
                summary=_("Units added to the strategy: %(units)s")
                % {"units": ", ".join(u.name for u in missing)},
                after={"units": [u.name for u in missing]},
            )
    return created


# --- FP-2: the units' proposals ---------------------------------------------------------------


def _proposal_snapshot(proposal: StrategyProposal, services: Iterable[Service]) -> dict[str, Any]:
    return {
        "services": sorted(s.name for s in services),
        "resources": str(proposal.resources),
        "modality": str(proposal.modality) if proposal.modality_id else None,
        "people": proposal.people,
        "alliances": proposal.alliances,
        "milestones": proposal.milestones,
        "joint": proposal.joint,
    }


def _clean_resources(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        raise ValidationError({"resources": _("Write the resources as an amount in pesos.")})
    if not amount.is_finite():
        raise ValidationError({"resources": _("Write the resources as an amount in pesos.")})
    if amount < 0:
        raise ValidationError({"resources": _("The resources cannot be negative.")})
    if amount > MAX_RESOURCES:
        raise ValidationError({"resources": _("The amount is too large.")})
    return amount.quantize(Decimal("0.01"))


def _clean_proposal(proposal: StrategyProposal, data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the proposal's data; returns the scalar fields and ``services``."""
    errors: dict[str, list[str]] = {}
    services: list[Service] = list(dict.fromkeys(data.get("services") or []))
    wrong_unit = [s.name for s in services if s.unit_id != proposal.unit_id]
    other_org = [s for s in services if s.organization_id != proposal.organization_id]
    if other_org:
        errors.setdefault("services", []).append(_("Some services are not of this organization."))
    elif wrong_unit:
        errors.setdefault("services", []).append(
            _("Only services of %(unit)s can be proposed: %(names)s.")
            % {"unit": proposal.unit, "names": ", ".join(wrong_unit)}
        )
    inactive = [s.name for s in services if not s.is_active]
    if inactive:
        errors.setdefault("services", []).append(
            _("These services are no longer offered; remove them: %(names)s.")
            % {"names": ", ".join(inactive)}
        )
    modality = data.get("modality")
    if modality is not None:
        if not isinstance(modality, Modality) or (
            modality.organization_id != proposal.organization_id
        ):
            errors.setdefault("modality", []).append(_("The modality is not of this organization."))
        elif not modality.is_active and modality.pk != proposal.modality_id:
            errors.setdefault("modality", []).append(_("That modality is no longer in use."))
    try:
        resources = _clean_resources(data.get("resources"))
    except ValidationError as exc:
        errors.setdefault("resources", []).extend(exc.message_dict["resources"])
        resources = Decimal("0")
    if errors:
        raise ValidationError(errors)
    return {
        "services": services,
        "resources": resources,
        "modality": modality,
        "people": str(data.get("people") or "").strip(),
        "alliances": str(data.get("alliances") or "").strip(),
        "milestones": str(data.get("milestones") or "").strip(),
        "joint": bool(data.get("joint")),
    }


def _check_proposal_editable(proposal: StrategyProposal, strategy: Strategy) -> None:
    workflow.proposals_open_check(strategy)
    if proposal.excluded:
        raise TransitionError(
            _("This unit is excluded from the strategy: include it again to change its proposal.")
        )
    if proposal.status not in workflow.EDITABLE_PROPOSAL:
        raise TransitionError(
            _("The proposal was already submitted: planning must return it before it can change.")
        )


def strategy_proposal_update(
    *,
    actor: User,
    proposal: StrategyProposal,
    expected_version: int,
    data: Mapping[str, Any],
) -> StrategyProposal:
    """FP-2: the unit fills its proposal (services of its unit, resources, modality, people,
    alliances, milestones, joint work). Allowed in draft or returned, strategy in preparation.
    """
    _require(actor, "planning.propose_strategy", proposal.organization_id)
    _check_unit_scope(actor, proposal)
    strategy = proposal.strategy
    cleaned = _clean_proposal(proposal, data)
    services: list[Service] = cleaned.pop("services")
    with transaction.atomic():
        _lock_strategy(strategy)
        _lock_proposal(proposal)
        _check_proposal_editable(proposal, strategy)
        _check_version(proposal, expected_version)
        before = _proposal_snapshot(proposal, proposal.services.all())
        versioned_update(
            proposal,
            expected_version=expected_version,
            fields=cleaned,
            states=workflow.EDITABLE_PROPOSAL,
            wrong_state=_("The proposal can no longer change."),
        )
        proposal.services.set(
            services, through_defaults={"organization_id": proposal.organization_id}
        )
        b, a = changed_fields(before, _proposal_snapshot(proposal, services))
        event_record(
            actor=actor,
            organization=strategy.organization,
            step_key="strategy.proposal_updated",
            obj=proposal,
            summary=_("Proposal of %(unit)s updated") % {"unit": proposal.unit},
            before=b,
            after=a,
        )
    return proposal


def proposal_missing(proposal: StrategyProposal) -> list[str]:
    """What a proposal lacks to be submitted (FP-2: services, space, people)."""
    missing = []
    if not proposal.services.exists():
        missing.append(_("Choose at least one service of the unit."))
    if proposal.modality_id is None:
        missing.append(_("Choose the modality (space: in person, virtual, ...)."))
    if not proposal.people.strip():
        missing.append(_("Describe the people and teams that will deliver the assistance."))
    return missing


def strategy_proposal_submit(
    *, actor: User, proposal: StrategyProposal, expected_version: int | None = None
) -> StrategyProposal:
    """FP-2: the unit submits its proposal to planning (step key ``strategy.proposed``)."""
    _require(actor, "planning.propose_strategy", proposal.organization_id)
    _check_unit_scope(actor, proposal)
    strategy = proposal.strategy
    with transaction.atomic():
        _lock_strategy(strategy)
        _lock_proposal(proposal)
        transition = workflow.proposal_transition_check(
            actor=actor, proposal=proposal, strategy=strategy, name="submit"
        )
        _check_version(proposal, expected_version)
        missing = proposal_missing(proposal)
        if missing:
            raise ValidationError(missing)
        services = list(proposal.services.order_by("name"))
        transition_apply(
            actor=actor,
            obj=proposal,
            transition=transition,
            expected_version=expected_version,
            fields={"submitted_at": timezone.now(), "submitted_by": actor},
            summary=_("%(unit)s submitted its proposal for the strategy %(year)s (round %(round)s)")
            % {"unit": proposal.unit, "year": strategy.fiscal_year, "round": strategy.round},
            after={**_proposal_snapshot(proposal, services), "round": strategy.round},
            refused=_("The proposal was already submitted."),
        )
    return proposal


def strategy_proposal_return(
    *, actor: User, proposal: StrategyProposal, comments: str
) -> StrategyProposal:
    """Planning returns a submitted proposal to its unit before consolidating (FP-2 control:
    prioritisation and resources validated), with the comments to address."""
    _require(actor, "planning.consolidate", proposal.organization_id)
    comments = comments.strip()
    if not comments:
        raise ValidationError({"comments": _("Write what the unit must adjust.")})
    strategy = proposal.strategy
    with transaction.atomic():
        _lock_strategy(strategy)
        _lock_proposal(proposal)
        transition = workflow.proposal_transition_check(
            actor=actor, proposal=proposal, strategy=strategy, name="return"
        )
        transition_apply(
            actor=actor,
            obj=proposal,
            transition=transition,
            fields={"comments": comments},
            summary=_("Planning returned the proposal of %(unit)s for adjustments")
            % {"unit": proposal.unit},
            after={"comments": comments},
            refused=_("Only a submitted proposal can be returned to its unit."),
        )
    return proposal


def strategy_proposal_exclude(
    *, actor: User, proposal: StrategyProposal, reason: str
) -> StrategyProposal:
    """Planning leaves a unit out of this year's strategy, saying why (FP-3 then does not
    wait for its proposal). A submitted proposal must be returned first."""
    _require(actor, "planning.consolidate", proposal.organization_id)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the unit is left out of the strategy.")})
    strategy = proposal.strategy
    with transaction.atomic():
        _lock_strategy(strategy)
        _lock_proposal(proposal)
        workflow.proposals_open_check(strategy)
        if proposal.excluded:
            raise TransitionError(_("The unit is already excluded from the strategy."))
        versioned_update(
            proposal,
            expected_version=None,
            fields={"excluded": True, "exclusion_reason": reason},
            states=workflow.EDITABLE_PROPOSAL,
            wrong_state=_("A submitted proposal cannot be excluded: return it to its unit first."),
        )
        event_record(
            actor=actor,
            organization=strategy.organization,
            step_key="strategy.proposal_excluded",
            obj=proposal,
            summary=_("%(unit)s does not take part in the strategy %(year)s")
            % {"unit": proposal.unit, "year": strategy.fiscal_year},
            after={"reason": reason},
        )
    return proposal


def strategy_proposal_include(*, actor: User, proposal: StrategyProposal) -> StrategyProposal:
    """Undo an exclusion: the unit has to present its proposal again."""
    _require(actor, "planning.consolidate", proposal.organization_id)
    strategy = proposal.strategy
    with transaction.atomic():
        _lock_strategy(strategy)
        _lock_proposal(proposal)
        workflow.proposals_open_check(strategy)
        if not proposal.excluded:
            raise TransitionError(_("The unit is not excluded from the strategy."))
        versioned_update(
            proposal,
            expected_version=None,
            fields={"excluded": False, "exclusion_reason": ""},
            states=workflow.EDITABLE_PROPOSAL,
            wrong_state=_("The unit is not excluded from the strategy."),
        )
        event_record(
            actor=actor,
            organization=strategy.organization,
            step_key="strategy.proposal_included",
            obj=proposal,
            summary=_("%(unit)s takes part in the strategy again") % {"unit": proposal.unit},
        )
    return proposal


# --- FP-3: consolidation ----------------------------------------------------------------------


def round_snapshot(strategy: Strategy) -> dict[str, Any]:
    """The proposals as consolidated, frozen in the round (every round is kept)."""
    proposals = (
        StrategyProposal.objects.filter(strategy=strategy)
        .select_related("unit", "modality")
        .prefetch_related("services", "services__service_type")
        .order_by("unit__name")
    )
    rows = []
    total = Decimal("0")
    for proposal in proposals:
        services = sorted(proposal.services.all(), key=lambda s: s.name)
        if not proposal.excluded:
            total += proposal.resources
        rows.append(
            {
                "proposal_id": proposal.pk,
                "unit_id": proposal.unit_id,
                "unit": proposal.unit.name,
                "status": proposal.status,
                "excluded": proposal.excluded,
                "exclusion_reason": proposal.exclusion_reason,
                "services": [
                    {"id": s.pk, "name": s.name, "type": s.service_type.name} for s in services
                ],
                "resources": str(proposal.resources),
                "modality": proposal.modality.name if proposal.modality else "",
                "people": proposal.people,
                "alliances": proposal.alliances,
                "milestones": proposal.milestones,
                "joint": proposal.joint,
            }
        )
    return {"proposals": rows, "total_resources": str(total)}


def consolidation_blockers(strategy: Strategy) -> list[str]:
    """Why the strategy cannot be consolidated yet (empty: it can)."""
    proposals = list(
        StrategyProposal.objects.filter(strategy=strategy)
        .select_related("unit")
        .order_by("unit__name")
    )
    pending = [
        p.unit.name for p in proposals if not p.excluded and p.status != ProposalStatus.SUBMITTED
    ]
    blockers = []
    if pending:
        blockers.append(
            _(
                "These units have not submitted their proposal (submit it or exclude the unit): %(units)s."
            )
            % {"units": ", ".join(pending)}
        )
    elif not any(not p.excluded for p in proposals):
        blockers.append(_("Every unit is excluded: at least one proposal is needed."))
    return blockers


def strategy_consolidate(
    *, actor: User, strategy: Strategy, notes: str = "", expected_version: int | None = None
) -> Strategy:
    """FP-3: planning consolidates the strategy (offer and demand) once every proposal is
    submitted or excluded (step key ``strategy.consolidated``).

    With the committee stage (switch ``committee_approves_strategy``) the strategy is then
    ``consolidated`` and planning presents it; without it (SAL, EDU, DNP) the consolidation
    approves the strategy and the proposals are accepted.
    """
    notes = notes.strip()
    with transaction.atomic():
        _lock_strategy(strategy)
        name = (
            "consolidate"
            if workflow.committee_stage(strategy.organization)
            else "consolidate_and_approve"
        )
        transition = workflow.strategy_transition_check(actor=actor, strategy=strategy, name=name)
        _check_version(strategy, expected_version)
        blockers = consolidation_blockers(strategy)
        if blockers:
            raise TransitionError(" ".join(blockers))
        now = timezone.now()
        snapshot = round_snapshot(strategy)
        StrategyRound.objects.update_or_create(
            strategy=strategy,
            number=strategy.round,
            defaults={
                "organization_id": strategy.organization_id,
                "consolidated_at": now,
                "consolidated_by": actor,
                "notes": notes,
                "snapshot": snapshot,
            },
        )
        fields: dict[str, Any] = {"consolidation_notes": notes}
        approved = transition.target == StrategyStatus.APPROVED
        if approved:
            fields["approved_at"] = now
        values = {
            "year": strategy.fiscal_year,
            "round": strategy.round,
            "n": sum(1 for row in snapshot["proposals"] if not row["excluded"]),
            "resources": snapshot["total_resources"],
        }
        if approved:
            summary = (
                _(
                    "Planning consolidated the strategy %(year)s (round %(round)s): %(n)s "
                    "proposals, resources $%(resources)s; approved without a committee (the "
                    "procedure does not require it)"
                )
                % values
            )
        else:
            summary = (
                _(
                    "Planning consolidated the strategy %(year)s (round %(round)s): %(n)s "
                    "proposals, resources $%(resources)s"
                )
                % values
            )
        transition_apply(
            actor=actor,
            obj=strategy,
            transition=transition,
            expected_version=expected_version,
            fields=fields,
            summary=summary,
            after={
                "round": strategy.round,
                "status": transition.target,
                "total_resources": snapshot["total_resources"],
                "notes": notes,
            },
            refused=lambda current: workflow.strategy_state_message(current, name),
        )
        if approved:
            StrategyProposal.objects.filter(
                strategy=strategy, status=ProposalStatus.SUBMITTED, excluded=False
            ).update(status=ProposalStatus.ACCEPTED, version=F("version") + 1)
    return strategy


def strategy_reopen(
    *, actor: User, strategy: Strategy, expected_version: int | None = None
) -> Strategy:
    """Undo a consolidation not yet presented (to return a proposal or exclude a unit)."""
    with transaction.atomic():
        _lock_strategy(strategy)
        transition = workflow.strategy_transition_check(
            actor=actor, strategy=strategy, name="reopen"
        )
        _check_version(strategy, expected_version)
        transition_apply(
            actor=actor,
            obj=strategy,
            transition=transition,
            expected_version=expected_version,
            summary=_("Planning reopened the consolidation of the strategy %(year)s")
            % {"year": strategy.fiscal_year},
            refused=lambda current: workflow.strategy_state_message(current, "reopen"),
        )
    return strategy


def strategy_present(
    *, actor: User, strategy: Strategy, expected_version: int | None = None
) -> Strategy:
    """FP-3: planning presents the consolidated strategy to the Comité Directivo."""
    with transaction.atomic():
        _lock_strategy(strategy)
        transition = workflow.strategy_transition_check(
            actor=actor, strategy=strategy, name="present"
        )
        _check_version(strategy, expected_version)
        transition_apply(
            actor=actor,
            obj=strategy,
            transition=transition,
            expected_version=expected_version,
            summary=_("Strategy %(year)s presented to the Comité Directivo (round %(round)s)")
            % {"year": strategy.fiscal_year, "round": strategy.round},
            refused=lambda current: workflow.strategy_state_message(current, "present"),
        )
        StrategyRound.objects.filter(strategy=strategy, number=strategy.round).update(
            presented_at=timezone.now()
        )
    return strategy


# --- FP-4: the committee's decision -----------------------------------------------------------


def strategy_committee_decide(
    *,
    actor: User,
    strategy: Strategy,
    acta_number: str,
    date: datetime.date,
    attendees: str,
    decision: str,
    comments: str,
    proposal_comments: Mapping[int, str] | None = None,
    expected_version: int | None = None,
) -> CommitteeDecision:
    """FP-4: the Comité Directivo approves the strategy or returns it with its comments.

    Approved: the strategy is ``approved`` (the plans follow it) and its proposals accepted.
    Rejected: the strategy is ``returned``, its round increases, and every submitted
    proposal goes back to its unit with the committee's comments (and the comment for that
    unit, when given); the units adjust and submit again. The acta is recorded by
    ``committee_decision_record`` (PDF stored as a document of the strategy, event
    ``strategy.committee_decided``), and kept in the round with its document.
    """
    _require(actor, "planning.committee", strategy.organization_id)
    if decision not in DecisionOutcome.values:
        raise ValidationError({"decision": _("Choose the decision.")})
    name = "approve" if decision == DecisionOutcome.APPROVED else "return"
    per_proposal = {int(k): v.strip() for k, v in (proposal_comments or {}).items() if v.strip()}
    with transaction.atomic():
        _lock_strategy(strategy)
        transition = workflow.strategy_transition_check(actor=actor, strategy=strategy, name=name)
        _check_version(strategy, expected_version)
        proposals = list(
            StrategyProposal.objects.select_for_update()
            .filter(strategy=strategy)
            .select_related("unit")
            .order_by("unit__name")
        )
        by_id = {p.pk: p for p in proposals}
        unknown = [pk for pk in per_proposal if pk not in by_id]
        if unknown:
            raise ValidationError(
                {"proposal_comments": _("Some comments are for proposals of another strategy.")}
            )
        round_number = strategy.round
        record = committee_decision_record(
            actor=actor,
            organization=strategy.organization,
            obj=strategy,
            round=round_number,
            acta_number=acta_number,
            date=date,
            attendees=attendees,
            decision=decision,
            comments=comments,
            step_key=COMMITTEE_DECIDED,
            subject=_("Integral technical assistance strategy %(year)s — round %(round)s")
            % {"year": strategy.fiscal_year, "round": round_number},
        )
        fields: dict[str, Any] = {}
        if transition.target == StrategyStatus.APPROVED:
            fields["approved_at"] = timezone.now()
        else:
            fields["round"] = round_number + 1
        transition_apply(
            actor=actor,
            obj=strategy,
            transition=transition,
            expected_version=expected_version,
            fields=fields,
            refused=lambda current: workflow.strategy_state_message(current, name),
        )
        acta = (
            Document.objects.filter(
                organization_id=strategy.organization_id,
                content_type=ContentType.objects.get_for_model(Strategy),
                object_id=str(strategy.pk),
                kind=ACTA_KIND,
            )
            .order_by("-pk")
            .first()
        )
        StrategyRound.objects.filter(strategy=strategy, number=round_number).update(
            decision=record,
            acta_document=acta,
            proposal_comments={str(k): v for k, v in per_proposal.items()},
        )
        active = [p for p in proposals if not p.excluded and p.status == ProposalStatus.SUBMITTED]
        if transition.target == StrategyStatus.APPROVED:
            StrategyProposal.objects.filter(pk__in=[p.pk for p in active]).update(
                status=ProposalStatus.ACCEPTED, comments="", version=F("version") + 1
            )
        else:
            general = record.comments
            for proposal in active:
                text = general
                if proposal.pk in per_proposal:
                    text = _("%(general)s\n\nFor %(unit)s: %(specific)s") % {
                        "general": general,
                        "unit": proposal.unit,
                        "specific": per_proposal[proposal.pk],
                    }
                StrategyProposal.objects.filter(pk=proposal.pk).update(
                    status=ProposalStatus.RETURNED, comments=text, version=F("version") + 1
                )
                event_record(
                    actor=actor,
                    organization=strategy.organization,
                    step_key="strategy.proposal_returned",
                    obj=proposal,
                    summary=_(
                        "The Comité Directivo returned the proposal of %(unit)s (acta "
                        "%(acta)s, round %(round)s)"
                    )
                    % {"unit": proposal.unit, "acta": record.acta_number, "round": round_number},
                    after={"comments": text, "acta": record.acta_number},
                )
    return record
