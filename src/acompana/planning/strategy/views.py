"""Pages of the year's strategy: FP-2 (units propose), FP-3 (planning consolidates offer and
demand, presents it) and FP-4 (the Comité Directivo decides, with its acta).

Thin views: parse → selector/service → render. Everyone in the organization reads
(``planning.view``); unit heads write their unit's proposal (``planning.propose_strategy``,
another unit's proposal is a 404 through ``for_user(user, "change")``); planners consolidate
(``planning.consolidate``); committee members or its secretary record the decision
(``planning.committee``). A refused transition is shown as a message, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from acompana.core.access import permission_view
from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.permissions import has_perm
from acompana.core.procedures.trail import procedure_trail
from acompana.core.views.utils import apply_service_errors
from acompana.planning.choices import ProposalStatus, StrategyStatus
from acompana.planning.models import Strategy, StrategyProposal
from acompana.planning.strategy import selectors, services, workflow
from acompana.planning.strategy.forms import (
    CommentsForm,
    ConsolidateForm,
    DecisionForm,
    ExcludeForm,
    ProposalForm,
    StrategyOpenForm,
    VersionForm,
)

VIEW = "planning.view"
PROPOSE = "planning.propose_strategy"
CONSOLIDATE = "planning.consolidate"
COMMITTEE = "planning.committee"


def _errors_to_messages(
    request: HttpRequest, exc: ValidationError, *, conflict: bool = True
) -> None:
    """Refusals as flash messages; a wrong state or a stale edit (``conflict``) is a 409
    page with the message instead (``core.middleware.ConflictMiddleware``)."""
    if conflict and isinstance(exc, TransitionError | StaleObjectError):
        raise exc
    for message in exc.messages:
        messages.error(request, message)


def _strategy(request: HttpRequest, pk: int) -> Strategy:
    strategy = get_object_or_404(selectors.strategies_for_user(user=request.user), pk=pk)
    strategy.status_label = workflow.strategy_status_label(strategy)  # type: ignore[attr-defined]
    return strategy


def _proposal(request: HttpRequest, pk: int, action: str = "view") -> StrategyProposal:
    return get_object_or_404(
        selectors.proposal_detail(user=request.user, action=action),  # type: ignore[arg-type]
        pk=pk,
    )


def _version(request: HttpRequest) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


# --- the years and opening a strategy ---------------------------------------------------------


@permission_view(VIEW)
def strategy_home(request: HttpRequest) -> HttpResponse:
    """Every fiscal year with its strategy (or none yet), and the form to open one."""
    years = selectors.years_without_strategy(user=request.user)
    can_open = has_perm(request.user, CONSOLIDATE)
    committee = workflow.committee_stage(request.membership.organization)  # type: ignore[attr-defined]
    rows = selectors.year_overview(user=request.user)
    for row in rows:
        if row.strategy is not None:
            row.strategy.status_label = workflow.strategy_status_label(row.strategy, committee)  # type: ignore[attr-defined]
    return render(
        request,
        "planning/strategy/home.html",
        {
            "rows": rows,
            "open_form": StrategyOpenForm(years=years) if can_open and years.exists() else None,
            "can_manage_years": has_perm(request.user, "core.manage_organization"),
        },
    )


@permission_view(CONSOLIDATE)
@require_POST
def strategy_open(request: HttpRequest) -> HttpResponse:
    form = StrategyOpenForm(request.POST, years=selectors.years_without_strategy(user=request.user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("planning:strategy_home")
    try:
        strategy = services.strategy_open(
            actor=request.user,  # type: ignore[arg-type]
            organization=request.membership.organization,  # type: ignore[attr-defined]
            fiscal_year=form.cleaned_data["fiscal_year"],
            title=form.cleaned_data["title"],
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("planning:strategy_home")
    messages.success(
        request,
        _("Strategy opened: every unit can now fill its proposal."),
    )
    return redirect("planning:strategy_detail", pk=strategy.pk)


# --- the strategy -----------------------------------------------------------------------------


@permission_view(VIEW)
def strategy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Status, round, the proposals with their status, the actions of the current user, and
    the procedure trail."""
    strategy = _strategy(request, pk)
    user = request.user
    proposals = list(selectors.strategy_proposals(user=user, strategy=strategy))
    writable = selectors.writable_proposal_ids(user=user, strategy=strategy)
    can_propose = has_perm(user, PROPOSE)
    proposing = strategy.status in workflow.PROPOSING
    rows = []
    for proposal in proposals:
        editable = (
            can_propose
            and proposing
            and proposal.pk in writable
            and not proposal.excluded
            and proposal.status in workflow.EDITABLE_PROPOSAL
        )
        rows.append({"proposal": proposal, "editable": editable})
    missing_units = (
        services.proposing_units(strategy.organization)
        .exclude(pk__in=[p.unit_id for p in proposals])
        .exists()
        if proposing and has_perm(user, CONSOLIDATE)
        else False
    )
    rounds = list(selectors.strategy_rounds(user=user, strategy=strategy))
    return render(
        request,
        "planning/strategy/detail.html",
        {
            "strategy": strategy,
            "rows": rows,
            "counts": {
                "total": len(proposals),
                "submitted": sum(
                    1
                    for p in proposals
                    if not p.excluded
                    and p.status in (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED)
                ),
                "excluded": sum(1 for p in proposals if p.excluded),
            },
            "total_resources": sum((p.resources for p in proposals if not p.excluded), start=0),
            "transitions": workflow.available_strategy_transitions(user=user, strategy=strategy),
            "can_decide": has_perm(user, COMMITTEE) and strategy.status == StrategyStatus.SUBMITTED,
            "committee_stage": workflow.committee_stage(strategy.organization),
            "missing_units": missing_units,
            "rounds": rounds,
            "trail": procedure_trail(
                user=user, obj=strategy, related=selectors.trail_objects(strategy=strategy)
            ),
            "can_view_audit": has_perm(user, "core.view_audit"),
        },
    )


@permission_view(CONSOLIDATE)
@require_POST
def strategy_sync_units(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a proposal for the units created after the strategy was opened."""
    strategy = _strategy(request, pk)
    try:
        created = services.strategy_proposals_sync(actor=request.user, strategy=strategy)  # type: ignore[arg-type]
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        if created:
            messages.success(
                request,
                _("Units added to the strategy: %(units)s.")
                % {"units": ", ".join(p.unit.name for p in created)},
            )
        else:
            messages.info(request, _("Every active unit already has its proposal."))
    return redirect("planning:strategy_detail", pk=strategy.pk)


# --- FP-2: proposals --------------------------------------------------------------------------


def _proposal_context(request: HttpRequest, proposal: StrategyProposal) -> dict[str, Any]:
    services_list = list(proposal.services.all())
    milestones = selectors.milestones_of(services=services_list)
    return {
        "proposal": proposal,
        "strategy": proposal.strategy,
        "services": [{"service": s, "milestones": milestones[s.pk]} for s in services_list],
        "warnings": selectors.service_warnings(
            organization=proposal.strategy.organization,
            services=services_list,
            milestones=milestones,
        ),
        "milestones_tracked": selectors.milestones_tracked(proposal.strategy.organization),
    }


@permission_view(VIEW)
def strategy_proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's proposal: read by everyone, with the actions the user may take."""
    proposal = _proposal(request, pk)
    user = request.user
    strategy = proposal.strategy
    proposing = strategy.status in workflow.PROPOSING
    writable = proposal.pk in selectors.writable_proposal_ids(user=user, strategy=strategy)
    editable = (
        proposing
        and not proposal.excluded
        and proposal.status in workflow.EDITABLE_PROPOSAL
        and writable
        and has_perm(user, PROPOSE)
    )
    can_consolidate = has_perm(user, CONSOLIDATE) and proposing
    context = _proposal_context(request, proposal)
    context.update(
        {
            "editable": editable,
            "missing": services.proposal_missing(proposal) if editable else [],
            "can_return": can_consolidate
            and not proposal.excluded
            and proposal.status == ProposalStatus.SUBMITTED,
            "can_exclude": can_consolidate
            and not proposal.excluded
            and proposal.status in workflow.EDITABLE_PROPOSAL,
            "can_include": can_consolidate and proposal.excluded,
            "comments_form": CommentsForm(),
            "exclude_form": ExcludeForm(),
            "can_view_audit": has_perm(user, "core.view_audit"),
        }
    )
    return render(request, "planning/strategy/proposal_detail.html", context)


def _preview(request: HttpRequest, proposal: StrategyProposal) -> HttpResponse:
    """htmx: the milestones (hitos) of the services ticked in the form, with the warnings."""
    ids = [int(v) for v in request.GET.getlist("services") if v.isdigit()]
    chosen = list(selectors.service_choices(proposal=proposal).filter(pk__in=ids))
    milestones = selectors.milestones_of(services=chosen)
    return render(
        request,
        "planning/strategy/includes/milestone_preview.html",
        {
            "services": [{"service": s, "milestones": milestones[s.pk]} for s in chosen],
            "warnings": selectors.service_warnings(
                organization=proposal.strategy.organization, services=chosen, milestones=milestones
            ),
            "milestones_tracked": selectors.milestones_tracked(proposal.strategy.organization),
        },
    )


@permission_view(PROPOSE)
def strategy_proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """FP-2: the unit head fills the unit's proposal (another unit's proposal: 404)."""
    proposal = _proposal(request, pk, action="change")
    if request.htmx and request.htmx.target == "milestone-preview":  # type: ignore[attr-defined]
        return _preview(request, proposal)
    form = ProposalForm(
        request.POST or None,
        initial=ProposalForm.initial_for(proposal),
        services=selectors.service_choices(proposal=proposal),
        modalities=selectors.modality_choices(user=request.user, keep=proposal.modality_id),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        data["services"] = list(data.get("services") or [])
        try:
            services.strategy_proposal_update(
                actor=request.user,  # type: ignore[arg-type]
                proposal=proposal,
                expected_version=form.cleaned_data["version"],
                data=data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if "submit" in request.POST:
                try:
                    services.strategy_proposal_submit(
                        actor=request.user,  # type: ignore[arg-type]
                        proposal=proposal,
                        expected_version=proposal.version,
                    )
                except ValidationError as exc:
                    messages.warning(request, _("Proposal saved, but not submitted yet."))
                    _errors_to_messages(request, exc, conflict=False)
                else:
                    messages.success(request, _("Proposal saved and submitted to planning."))
            else:
                messages.success(request, _("Proposal saved."))
            return redirect("planning:strategy_proposal_detail", pk=proposal.pk)
    context = _proposal_context(request, proposal)
    context["form"] = form
    context["editable"] = (
        proposal.strategy.status in workflow.PROPOSING
        and not proposal.excluded
        and proposal.status in workflow.EDITABLE_PROPOSAL
    )
    return render(request, "planning/strategy/proposal_form.html", context)


@permission_view(PROPOSE)
@require_POST
def strategy_proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """FP-2: the unit submits its proposal to planning."""
    proposal = _proposal(request, pk, action="change")
    try:
        services.strategy_proposal_submit(
            actor=request.user,  # type: ignore[arg-type]
            proposal=proposal,
            expected_version=_version(request),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Proposal submitted to planning."))
    return redirect("planning:strategy_proposal_detail", pk=proposal.pk)


@permission_view(CONSOLIDATE)
@require_POST
def strategy_proposal_return(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = CommentsForm(request.POST)
    try:
        services.strategy_proposal_return(
            actor=request.user,  # type: ignore[arg-type]
            proposal=proposal,
            comments=form.data.get("comments", ""),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(
            request, _("Proposal returned to %(unit)s with comments.") % {"unit": proposal.unit}
        )
    return redirect("planning:strategy_proposal_detail", pk=proposal.pk)


@permission_view(CONSOLIDATE)
@require_POST
def strategy_proposal_exclude(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    try:
        services.strategy_proposal_exclude(
            actor=request.user,  # type: ignore[arg-type]
            proposal=proposal,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(
            request, _("%(unit)s is left out of the strategy.") % {"unit": proposal.unit}
        )
    return redirect("planning:strategy_proposal_detail", pk=proposal.pk)


@permission_view(CONSOLIDATE)
@require_POST
def strategy_proposal_include(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    try:
        services.strategy_proposal_include(actor=request.user, proposal=proposal)  # type: ignore[arg-type]
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(
            request, _("%(unit)s takes part in the strategy again.") % {"unit": proposal.unit}
        )
    return redirect("planning:strategy_proposal_detail", pk=proposal.pk)


# --- FP-3: consolidation ----------------------------------------------------------------------


@permission_view(VIEW)
def strategy_consolidation(request: HttpRequest, pk: int) -> HttpResponse:
    """FP-3: offer (services and resources per unit) against demand (the year's needs), with
    the validation notes; planners consolidate and present from here."""
    strategy = _strategy(request, pk)
    user = request.user
    transitions = workflow.available_strategy_transitions(user=user, strategy=strategy)
    can_consolidate = bool({"consolidate", "consolidate_and_approve"} & set(transitions))
    return render(
        request,
        "planning/strategy/consolidation.html",
        {
            "strategy": strategy,
            "summary": selectors.consolidation_summary(user=user, strategy=strategy),
            "priorities": selectors.demand_priorities(user=user, strategy=strategy),
            "transitions": transitions,
            "committee_stage": workflow.committee_stage(strategy.organization),
            "form": ConsolidateForm(
                initial={"notes": strategy.consolidation_notes, "version": strategy.version}
            )
            if can_consolidate
            else None,
        },
    )


@permission_view(CONSOLIDATE)
@require_POST
def strategy_consolidate(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk)
    form = ConsolidateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form is not valid: reload the page and try again."))
        return redirect("planning:strategy_consolidation", pk=strategy.pk)
    try:
        services.strategy_consolidate(
            actor=request.user,  # type: ignore[arg-type]
            strategy=strategy,
            notes=form.cleaned_data["notes"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("planning:strategy_consolidation", pk=strategy.pk)
    if strategy.status == StrategyStatus.APPROVED:
        messages.success(
            request,
            _("Strategy consolidated and approved: the units can build their plans on it."),
        )
    else:
        messages.success(
            request, _("Strategy consolidated. Present it to the committee when ready.")
        )
    return redirect("planning:strategy_detail", pk=strategy.pk)


@permission_view(CONSOLIDATE)
@require_POST
def strategy_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk)
    try:
        services.strategy_reopen(
            actor=request.user,  # type: ignore[arg-type]
            strategy=strategy,
            expected_version=_version(request),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Consolidation reopened: proposals can be adjusted."))
    return redirect("planning:strategy_detail", pk=strategy.pk)


@permission_view(CONSOLIDATE)
@require_POST
def strategy_present(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk)
    try:
        services.strategy_present(
            actor=request.user,  # type: ignore[arg-type]
            strategy=strategy,
            expected_version=_version(request),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Strategy presented to the steering committee."))
    return redirect("planning:strategy_detail", pk=strategy.pk)


# --- FP-4: the committee's decision -----------------------------------------------------------


@permission_view(COMMITTEE)
def strategy_decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    """FP-4: record the committee's session: acta number, date, attendees, decision,
    comments (and a comment per unit when it returns the strategy)."""
    strategy = _strategy(request, pk)
    committee_stage = workflow.committee_stage(strategy.organization)
    proposals = [
        p
        for p in selectors.strategy_proposals(user=request.user, strategy=strategy)
        if not p.excluded
    ]
    form = DecisionForm(
        request.POST or None,
        proposals=proposals,
        initial={
            "attendees": selectors.committee_attendees_text(organization=strategy.organization),
            "version": strategy.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.strategy_committee_decide(
                actor=request.user,  # type: ignore[arg-type]
                strategy=strategy,
                acta_number=form.cleaned_data["acta_number"],
                date=form.cleaned_data["date"],
                attendees=form.cleaned_data["attendees"],
                decision=form.cleaned_data["decision"],
                comments=form.cleaned_data["comments"],
                proposal_comments=form.proposal_comments(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if strategy.status == StrategyStatus.APPROVED:
                messages.success(
                    request,
                    _("Acta %(number)s recorded: the strategy is approved.")
                    % {"number": decision.acta_number},
                )
            else:
                messages.success(
                    request,
                    _(
                        "Acta %(number)s recorded: the strategy went back to the units with "
                        "the committee's comments."
                    )
                    % {"number": decision.acta_number},
                )
            return redirect("planning:strategy_decisions", pk=strategy.pk)
    return render(
        request,
        "planning/strategy/decision_form.html",
        {
            "strategy": strategy,
            "form": form,
            "committee_stage": committee_stage,
            "presented": strategy.status == StrategyStatus.SUBMITTED,
        },
    )


@permission_view(VIEW)
def strategy_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    """Every round: what was consolidated, the committee's decision and its acta (PDF)."""
    strategy = _strategy(request, pk)
    rounds = list(selectors.strategy_rounds(user=request.user, strategy=strategy))
    for item in rounds:
        comments = item.proposal_comments or {}
        item.unit_comments = [  # type: ignore[attr-defined]
            {"unit": row["unit"], "comment": comments[str(row["proposal_id"])]}
            for row in (item.snapshot or {}).get("proposals", [])
            if str(row.get("proposal_id")) in comments
        ]
    return render(
        request,
        "planning/strategy/decisions.html",
        {
            "strategy": strategy,
            "rounds": rounds,
            "documents": list(selectors.acta_documents(user=request.user, strategy=strategy)),
            "committee_stage": workflow.committee_stage(strategy.organization),
        },
    )
