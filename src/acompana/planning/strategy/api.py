"""API of the year's strategy (``/api/v1/planificacion/estrategias``): FP-2, FP-3, FP-4.

The rules every router follows are ``acompana.core.api``'s. Reads need ``planning.view``;
proposals are written by ``planning.propose_strategy`` (a unit head only its own unit's:
another unit's proposal is a 404); consolidation by ``planning.consolidate``; the
committee's decision by ``planning.committee``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from acompana.catalog.models import Modality, Service
from acompana.core.api import (
    ERROR_RESPONSES,
    CursorParams,
    Page,
    api_permission,
    get_scoped_or_404,
    organization_of,
    page_of,
)
from acompana.planning.committee import committee_decisions_for
from acompana.planning.models import CommitteeDecision, Strategy, StrategyProposal
from acompana.planning.strategy import selectors, services, workflow

router = Router(tags=["Planeación: estrategia"])

VIEW = "planning.view"
PROPOSE = "planning.propose_strategy"
CONSOLIDATE = "planning.consolidate"
COMMITTEE = "planning.committee"

StrategyState = Literal["draft", "consolidated", "submitted", "returned", "approved"]
ProposalState = Literal["draft", "submitted", "returned", "accepted"]


# --- schemas -----------------------------------------------------------------------------------


class StrategyOut(Schema):
    id: int
    fiscal_year_id: int
    year: int
    title: str
    status: StrategyState
    status_label: str
    round: int = Field(..., description="Ronda ante el comité: aumenta cada vez que se devuelve.")
    consolidation_notes: str
    committee_stage: bool = Field(
        ...,
        description="El procedimiento exige la aprobación del Comité Directivo (si no, la "
        "consolidación la aprueba).",
    )
    approved_at: datetime.datetime | None
    created_at: datetime.datetime
    transitions: list[str] = Field(
        ..., description="Transiciones que el usuario puede aplicar ahora."
    )
    version: int


class ServiceRef(Schema):
    id: int
    name: str
    service_type: str
    is_active: bool


class ProposalOut(Schema):
    id: int
    strategy_id: int
    unit_id: int
    unit_name: str
    status: ProposalState
    status_label: str
    excluded: bool
    exclusion_reason: str
    services: list[ServiceRef]
    resources: Decimal = Field(..., description="Recursos en pesos colombianos (COP).")
    modality_id: int | None
    people: str
    alliances: str
    milestones: str
    joint: bool
    comments: str = Field(..., description="Comentarios por atender (comité o planeación).")
    submitted_at: datetime.datetime | None
    version: int


class ProposalDetailOut(ProposalOut):
    warnings: list[str] = Field(..., description="Advertencias FP-2 (hitos, servicios retirados).")
    missing: list[str] = Field(..., description="Lo que falta para poder enviarla.")


class StrategyOpenIn(Schema):
    fiscal_year_id: int
    title: str = Field("", max_length=250)


class ProposalIn(Schema):
    service_ids: list[int] = Field([], description="Servicios de la dependencia (catálogo).")
    resources: Decimal = Field(Decimal("0"), ge=0, max_digits=16, decimal_places=2)
    modality_id: int | None = None
    people: str = ""
    alliances: str = ""
    milestones: str = ""
    joint: bool = False
    version: int = Field(..., description="La versión leída; si cambió entretanto: 409.")


class VersionIn(Schema):
    version: int | None = Field(None, description="La versión leída (opcional).")


class ConsolidateIn(VersionIn):
    notes: str = ""


class CommentsIn(Schema):
    comments: str


class ExcludeIn(Schema):
    reason: str


class DecisionIn(Schema):
    acta_number: str = Field(..., max_length=40)
    date: datetime.date
    attendees: str | None = Field(
        None, description="Un asistente por línea; vacío: los miembros del comité de la entidad."
    )
    decision: Literal["approved", "rejected"]
    comments: str = ""
    proposal_comments: dict[int, str] = Field(
        {}, description="Comentario por propuesta (id → texto) cuando se devuelve."
    )
    version: int | None = None


class DecisionOut(Schema):
    id: int
    round: int
    acta_number: str
    date: datetime.date
    attendees: str
    decision: Literal["approved", "rejected"]
    comments: str
    recorded_by: str
    created_at: datetime.datetime
    acta_document_id: int | None
    acta_url: str | None


class NoteOut(Schema):
    level: Literal["blocking", "warning", "info"]
    message: str


class OfferOut(Schema):
    proposal_id: int
    unit_id: int
    unit_name: str
    status: ProposalState
    services: list[ServiceRef]
    topics: list[str]
    resources: Decimal


class DemandOut(Schema):
    label: str
    total: int
    high: int
    demand: int
    covered: bool | None


class ConsolidationOut(Schema):
    offers: list[OfferOut]
    excluded_unit_ids: list[int]
    total_resources: Decimal
    needs_total: int
    demand_by_topic: list[DemandOut]
    demand_by_unit: list[DemandOut]
    notes: list[NoteOut]
    can_consolidate: bool


class StrategyQuery(Schema):
    year: int | None = None


# --- helpers -----------------------------------------------------------------------------------


def _strategy(request: HttpRequest, pk: int) -> Strategy:
    return get_scoped_or_404(selectors.strategies_for_user(user=request.user), pk=pk)


def _proposal(request: HttpRequest, pk: int, action: str = "view") -> StrategyProposal:
    return get_scoped_or_404(
        selectors.proposal_detail(user=request.user, action=action),  # type: ignore[arg-type]
        pk=pk,
    )


def _service_ref(service: Service) -> dict[str, Any]:
    return {
        "id": service.pk,
        "name": service.name,
        "service_type": service.service_type.name,
        "is_active": service.is_active,
    }


def _strategy_out(request: HttpRequest, strategy: Strategy) -> dict[str, Any]:
    return {
        "id": strategy.pk,
        "fiscal_year_id": strategy.fiscal_year_id,
        "year": strategy.fiscal_year.year,
        "title": strategy.title,
        "status": strategy.status,
        "status_label": workflow.strategy_status_label(strategy),
        "round": strategy.round,
        "consolidation_notes": strategy.consolidation_notes,
        "committee_stage": workflow.committee_stage(strategy.organization),
        "approved_at": strategy.approved_at,
        "created_at": strategy.created_at,
        "transitions": workflow.available_strategy_transitions(
            user=request.user, strategy=strategy
        ),
        "version": strategy.version,
    }


def _proposal_out(proposal: StrategyProposal) -> dict[str, Any]:
    return {
        "id": proposal.pk,
        "strategy_id": proposal.strategy_id,
        "unit_id": proposal.unit_id,
        "unit_name": proposal.unit.name,
        "status": proposal.status,
        "status_label": proposal.get_status_display(),
        "excluded": proposal.excluded,
        "exclusion_reason": proposal.exclusion_reason,
        "services": [_service_ref(s) for s in proposal.services.all()],
        "resources": proposal.resources,
        "modality_id": proposal.modality_id,
        "people": proposal.people,
        "alliances": proposal.alliances,
        "milestones": proposal.milestones,
        "joint": proposal.joint,
        "comments": proposal.comments,
        "submitted_at": proposal.submitted_at,
        "version": proposal.version,
    }


def _proposal_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    proposal = _proposal(request, pk)
    chosen = list(proposal.services.all())
    milestones = selectors.milestones_of(services=chosen)
    editable = (
        proposal.strategy.status in workflow.PROPOSING
        and not proposal.excluded
        and proposal.status in workflow.EDITABLE_PROPOSAL
    )
    return {
        **_proposal_out(proposal),
        "warnings": selectors.service_warnings(
            organization=proposal.strategy.organization, services=chosen, milestones=milestones
        ),
        "missing": services.proposal_missing(proposal) if editable else [],
    }


def _decision_out(decision: CommitteeDecision, acta_ids: dict[int, int | None]) -> dict[str, Any]:
    document_id = acta_ids.get(decision.pk)
    return {
        "id": decision.pk,
        "round": decision.round,
        "acta_number": decision.acta_number,
        "date": decision.date,
        "attendees": decision.attendees,
        "decision": decision.decision,
        "comments": decision.comments,
        "recorded_by": str(decision.recorded_by),
        "created_at": decision.created_at,
        "acta_document_id": document_id,
        "acta_url": reverse("core:document_download", kwargs={"pk": document_id})
        if document_id
        else None,
    }


def _proposal_data(request: HttpRequest, payload: ProposalIn) -> dict[str, Any]:
    wanted = list(dict.fromkeys(payload.service_ids))
    found = {s.pk: s for s in Service.objects.for_user(request.user).filter(pk__in=wanted)}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {
                "service_ids": _("There is no service with id %(ids)s in your organization.")
                % {"ids": ", ".join(missing)}
            }
        )
    modality = None
    if payload.modality_id is not None:
        modality = Modality.objects.for_user(request.user).filter(pk=payload.modality_id).first()
        if modality is None:
            raise ValidationError(
                {"modality_id": _("There is no modality with that id in your organization.")}
            )
    return {
        "services": [found[pk] for pk in wanted],
        "resources": payload.resources,
        "modality": modality,
        "people": payload.people,
        "alliances": payload.alliances,
        "milestones": payload.milestones,
        "joint": payload.joint,
    }


def _api_fields(exc: ValidationError) -> ValidationError:
    names = {"services": "service_ids", "modality": "modality_id"}
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


# --- strategies --------------------------------------------------------------------------------


@router.get(
    "/estrategias",
    response={200: Page[StrategyOut], **ERROR_RESPONSES},
    url_name="planning_strategy_list",
)
@api_permission(VIEW)
def strategy_list(
    request: HttpRequest, filters: Query[StrategyQuery], page: Query[CursorParams]
) -> Any:
    """Estrategias de la entidad (una por vigencia)."""
    queryset = selectors.strategies_for_user(user=request.user)
    if filters.year is not None:
        queryset = queryset.filter(fiscal_year__year=filters.year)
    return page_of(queryset, page, lambda s: _strategy_out(request, s))


@router.post(
    "/estrategias",
    response={201: StrategyOut, **ERROR_RESPONSES},
    url_name="planning_strategy_open",
)
@api_permission(CONSOLIDATE)
def strategy_open(request: HttpRequest, payload: StrategyOpenIn) -> Any:
    """Abre la estrategia de una vigencia: cada dependencia activa recibe su propuesta (FP-2)."""
    fiscal_year = (
        selectors.fiscal_years_for_user(user=request.user).filter(pk=payload.fiscal_year_id).first()
    )
    if fiscal_year is None:
        raise ValidationError(
            {"fiscal_year_id": _("There is no fiscal year with that id in your organization.")}
        )
    strategy = services.strategy_open(
        actor=request.user,  # type: ignore[arg-type]
        organization=organization_of(request),
        fiscal_year=fiscal_year,
        title=payload.title,
    )
    return 201, _strategy_out(request, _strategy(request, strategy.pk))


@router.get(
    "/estrategias/{pk}",
    response={200: StrategyOut, **ERROR_RESPONSES},
    url_name="planning_strategy_detail",
)
@api_permission(VIEW)
def strategy_detail(request: HttpRequest, pk: int) -> Any:
    """Una estrategia: estado, ronda y las transiciones disponibles para el usuario."""
    return _strategy_out(request, _strategy(request, pk))


@router.get(
    "/estrategias/{pk}/consolidacion",
    response={200: ConsolidationOut, **ERROR_RESPONSES},
    url_name="planning_strategy_consolidation",
)
@api_permission(VIEW)
def strategy_consolidation(request: HttpRequest, pk: int) -> Any:
    """FP-3: oferta (servicios y recursos por dependencia) frente a demanda (necesidades)."""
    strategy = _strategy(request, pk)
    summary = selectors.consolidation_summary(user=request.user, strategy=strategy)
    return {
        "offers": [
            {
                "proposal_id": o.proposal.pk,
                "unit_id": o.proposal.unit_id,
                "unit_name": o.proposal.unit.name,
                "status": o.proposal.status,
                "services": [_service_ref(s) for s in o.services],
                "topics": o.topics,
                "resources": o.proposal.resources,
            }
            for o in summary.offers
        ],
        "excluded_unit_ids": [p.unit_id for p in summary.excluded],
        "total_resources": summary.total_resources,
        "needs_total": summary.needs_total,
        "demand_by_topic": [vars(r) for r in summary.demand_by_topic],
        "demand_by_unit": [vars(r) for r in summary.demand_by_unit],
        "notes": [vars(n) for n in summary.notes],
        "can_consolidate": summary.can_consolidate,
    }


@router.post(
    "/estrategias/{pk}/consolidar",
    response={200: StrategyOut, **ERROR_RESPONSES},
    url_name="planning_strategy_consolidate",
)
@api_permission(CONSOLIDATE)
def strategy_consolidate(request: HttpRequest, pk: int, payload: ConsolidateIn) -> Any:
    """FP-3: consolida la estrategia (todas las propuestas enviadas o excluidas). Sin etapa de
    comité en el procedimiento, la consolidación la aprueba."""
    strategy = _strategy(request, pk)
    services.strategy_consolidate(
        actor=request.user,  # type: ignore[arg-type]
        strategy=strategy,
        notes=payload.notes,
        expected_version=payload.version,
    )
    return _strategy_out(request, strategy)


@router.post(
    "/estrategias/{pk}/reabrir",
    response={200: StrategyOut, **ERROR_RESPONSES},
    url_name="planning_strategy_reopen",
)
@api_permission(CONSOLIDATE)
def strategy_reopen(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    """Reabre una consolidación aún no presentada al comité."""
    strategy = _strategy(request, pk)
    services.strategy_reopen(
        actor=request.user,  # type: ignore[arg-type]
        strategy=strategy,
        expected_version=payload.version,
    )
    return _strategy_out(request, strategy)


@router.post(
    "/estrategias/{pk}/presentar",
    response={200: StrategyOut, **ERROR_RESPONSES},
    url_name="planning_strategy_present",
)
@api_permission(CONSOLIDATE)
def strategy_present(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    """FP-3: presenta la estrategia consolidada al Comité Directivo."""
    strategy = _strategy(request, pk)
    services.strategy_present(
        actor=request.user,  # type: ignore[arg-type]
        strategy=strategy,
        expected_version=payload.version,
    )
    return _strategy_out(request, strategy)


# --- proposals ---------------------------------------------------------------------------------


@router.get(
    "/estrategias/{pk}/propuestas",
    response={200: Page[ProposalOut], **ERROR_RESPONSES},
    url_name="planning_strategy_proposal_list",
)
@api_permission(VIEW)
def proposal_list(request: HttpRequest, pk: int, page: Query[CursorParams]) -> Any:
    """Las propuestas de las dependencias (una por dependencia)."""
    strategy = _strategy(request, pk)
    queryset = selectors.strategy_proposals(user=request.user, strategy=strategy)
    return page_of(queryset, page, _proposal_out)


@router.get(
    "/estrategias/propuestas/{pk}",
    response={200: ProposalDetailOut, **ERROR_RESPONSES},
    url_name="planning_strategy_proposal_detail",
)
@api_permission(VIEW)
def proposal_detail(request: HttpRequest, pk: int) -> Any:
    """Una propuesta, con las advertencias FP-2 y lo que le falta para enviarla."""
    return _proposal_detail(request, pk)


@router.put(
    "/estrategias/propuestas/{pk}",
    response={200: ProposalDetailOut, **ERROR_RESPONSES},
    url_name="planning_strategy_proposal_update",
)
@api_permission(PROPOSE)
def proposal_update(request: HttpRequest, pk: int, payload: ProposalIn) -> Any:
    """FP-2: la dependencia diligencia su propuesta; reemplaza todos sus datos (solo servicios
    activos de la dependencia; `version` desactualizada: 409)."""
    proposal = _proposal(request, pk, action="change")
    try:
        services.strategy_proposal_update(
            actor=request.user,  # type: ignore[arg-type]
            proposal=proposal,
            expected_version=payload.version,
            data=_proposal_data(request, payload),
        )
    except ValidationError as exc:
        raise _api_fields(exc)
    return _proposal_detail(request, pk)


@router.post(
    "/estrategias/propuestas/{pk}/enviar",
    response={200: ProposalDetailOut, **ERROR_RESPONSES},
    url_name="planning_strategy_proposal_submit",
)
@api_permission(PROPOSE)
def proposal_submit(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    """FP-2: la dependencia envía su propuesta a planeación."""
    proposal = _proposal(request, pk, action="change")
    services.strategy_proposal_submit(
        actor=request.user,  # type: ignore[arg-type]
        proposal=proposal,
        expected_version=payload.version,
    )
    return _proposal_detail(request, pk)


@router.post(
    "/estrategias/propuestas/{pk}/devolver",
    response={200: ProposalDetailOut, **ERROR_RESPONSES},
    url_name="planning_strategy_proposal_return",
)
@api_permission(CONSOLIDATE)
def proposal_return(request: HttpRequest, pk: int, payload: CommentsIn) -> Any:
    """Planeación devuelve una propuesta enviada a su dependencia, con comentarios."""
    proposal = _proposal(request, pk)
    services.strategy_proposal_return(
        actor=request.user,  # type: ignore[arg-type]
        proposal=proposal,
        comments=payload.comments,
    )
    return _proposal_detail(request, pk)


@router.post(
    "/estrategias/propuestas/{pk}/excluir",
    response={200: ProposalDetailOut, **ERROR_RESPONSES},
    url_name="planning_strategy_proposal_exclude",
)
@api_permission(CONSOLIDATE)
def proposal_exclude(request: HttpRequest, pk: int, payload: ExcludeIn) -> Any:
    """Deja a la dependencia fuera de la estrategia de la vigencia, con el motivo."""
    proposal = _proposal(request, pk)
    services.strategy_proposal_exclude(
        actor=request.user,  # type: ignore[arg-type]
        proposal=proposal,
        reason=payload.reason,
    )
    return _proposal_detail(request, pk)


@router.post(
    "/estrategias/propuestas/{pk}/incluir",
    response={200: ProposalDetailOut, **ERROR_RESPONSES},
    url_name="planning_strategy_proposal_include",
)
@api_permission(CONSOLIDATE)
def proposal_include(request: HttpRequest, pk: int) -> Any:
    """Vuelve a incluir a una dependencia excluida (debe presentar su propuesta)."""
    proposal = _proposal(request, pk)
    services.strategy_proposal_include(actor=request.user, proposal=proposal)  # type: ignore[arg-type]
    return _proposal_detail(request, pk)


# --- FP-4: committee decisions -----------------------------------------------------------------


def _acta_ids(request: HttpRequest, strategy: Strategy) -> dict[int, int | None]:
    return {
        r.decision_id: r.acta_document_id
        for r in selectors.strategy_rounds(user=request.user, strategy=strategy)
        if r.decision_id
    }


@router.get(
    "/estrategias/{pk}/decisiones",
    response={200: list[DecisionOut], **ERROR_RESPONSES},
    url_name="planning_strategy_decision_list",
)
@api_permission(VIEW)
def decision_list(request: HttpRequest, pk: int) -> Any:
    """Todas las decisiones del comité sobre la estrategia (cada ronda), con su acta."""
    strategy = _strategy(request, pk)
    acta_ids = _acta_ids(request, strategy)
    return [
        _decision_out(d, acta_ids) for d in committee_decisions_for(user=request.user, obj=strategy)
    ]


@router.post(
    "/estrategias/{pk}/decisiones",
    response={201: DecisionOut, **ERROR_RESPONSES},
    url_name="planning_strategy_decision_create",
)
@api_permission(COMMITTEE)
def decision_create(request: HttpRequest, pk: int, payload: DecisionIn) -> Any:
    """FP-4: registra la decisión del Comité Directivo (acta en PDF). Aprobada: la estrategia
    queda aprobada. Devuelta (`rejected`): las propuestas vuelven a las dependencias con los
    comentarios y la ronda aumenta."""
    strategy = _strategy(request, pk)
    attendees = payload.attendees
    if attendees is None or not attendees.strip():
        attendees = selectors.committee_attendees_text(organization=strategy.organization)
    decision = services.strategy_committee_decide(
        actor=request.user,  # type: ignore[arg-type]
        strategy=strategy,
        acta_number=payload.acta_number,
        date=payload.date,
        attendees=attendees,
        decision=payload.decision,
        comments=payload.comments,
        proposal_comments=payload.proposal_comments,
        expected_version=payload.version,
    )
    return 201, _decision_out(decision, _acta_ids(request, strategy))
