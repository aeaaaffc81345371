"""API of the plans area (mounted at /api/v1/planificacion): SAL-2, FP-5, FP-6, EDU-2..EDU-8,
DNP-3.

The rules every router follows are ``acompana.core.api``'s (referenced ids outside the
organization are 404 too); the plan list filters with ``filters.py``; one endpoint per
workflow action.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from acompana.catalog.models import Mechanism, Modality, Service, ServiceType, Topic
from acompana.core.api import (
    ERROR_RESPONSES,
    CursorParams,
    Page,
    api_permission,
    get_scoped_or_404,
    organization_of,
    page_of,
)
from acompana.core.models import FiscalYear, Unit
from acompana.geo.models import Municipality
from acompana.planning.models import ConsolidatedPlan, Need, Plan, PlanLine
from acompana.planning.plans import selectors, services, workflow
from acompana.planning.plans.filters import PlanFilterQuery
from acompana.planning.plans.validation import LineInput
from acompana.registry.models import Stakeholder

router = Router(tags=["Planes"])

VIEW, EDIT = "planning.view", "planning.edit_plan"


# --- schemas ---------------------------------------------------------------------------------


class PlanIn(Schema):
    unit_id: int
    fiscal_year_id: int
    title: str = ""


class PlanPatch(Schema):
    version: int
    title: str


class PlanOut(Schema):
    id: int
    title: str
    unit_id: int
    unit_name: str
    fiscal_year_id: int
    fiscal_year: int
    status: str
    status_label: str
    round: int
    consolidated_id: int | None
    version: int
    line_count: int
    budget_total: Decimal
    actions: list[str]


class CommentOut(Schema):
    round: int
    transition: str
    author: str
    text: str
    created_at: datetime.datetime


class PlanDetailOut(PlanOut):
    comments: list[CommentOut]
    path: list[str]


class TransitionIn(Schema):
    """``version`` as read (optional): the action is refused (409) if the plan changed."""

    comments: str = ""
    version: int | None = None


class LineIn(Schema):
    activity: str
    programme: str = ""
    objective: str = ""
    topic_id: int | None = None
    service_id: int | None = None
    service_type_id: int | None = None
    mechanism_id: int | None = None
    modality_id: int | None = None
    months: list[int] = []
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    place: str = ""
    municipality_code: str | None = None
    responsible_id: int | None = None
    responsible_team: str = ""
    budget: Decimal = Decimal(0)
    needs_contract: bool = False
    needs_travel: bool = False
    needs_logistics: bool = False
    procurement_notes: str = ""
    #: FP-5: null while not stated
    legal_obligation: bool | None = None
    legal_basis: str = ""
    territorial_manager: str = ""
    stakeholder_ids: list[int] = []
    need_ids: list[int] = []


class LinePatch(Schema):
    """Fields to change; omitted fields keep their value. ``version`` as read (409 if stale)."""

    version: int
    activity: str | None = None
    programme: str | None = None
    objective: str | None = None
    topic_id: int | None = None
    service_id: int | None = None
    service_type_id: int | None = None
    mechanism_id: int | None = None
    modality_id: int | None = None
    months: list[int] | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    place: str | None = None
    municipality_code: str | None = None
    responsible_id: int | None = None
    responsible_team: str | None = None
    budget: Decimal | None = None
    needs_contract: bool | None = None
    needs_travel: bool | None = None
    needs_logistics: bool | None = None
    procurement_notes: str | None = None
    legal_obligation: bool | None = None
    legal_basis: str | None = None
    territorial_manager: str | None = None
    stakeholder_ids: list[int] | None = None
    need_ids: list[int] | None = None


class NamedRef(Schema):
    id: int
    name: str


class LineOut(Schema):
    id: int
    plan_id: int
    position: int
    activity: str
    programme: str
    objective: str
    topic: NamedRef | None
    service: NamedRef | None
    service_type: NamedRef | None
    mechanism: NamedRef | None
    modality: NamedRef | None
    months: list[int]
    quarters: list[int]
    start_date: datetime.date | None
    end_date: datetime.date | None
    place: str
    municipality_code: str | None
    municipality_name: str | None
    responsible: NamedRef | None
    responsible_team: str
    budget: Decimal
    needs_contract: bool
    needs_travel: bool
    needs_logistics: bool
    procurement_notes: str
    legal_obligation: bool | None
    legal_basis: str
    territorial_manager: str
    stakeholders: list[NamedRef]
    needs: list[NamedRef]
    version: int


class ConsolidatedIn(Schema):
    fiscal_year_id: int
    title: str = ""


class ConsolidatedPlanRow(Schema):
    id: int
    unit_name: str
    status: str
    line_count: int
    budget_total: Decimal


class ConsolidatedOut(Schema):
    id: int
    title: str
    fiscal_year: int
    status: str
    status_label: str
    round: int
    version: int
    actions: list[str]
    plans: list[ConsolidatedPlanRow]
    line_count: int
    budget_total: Decimal


class ConsolidatedListOut(Schema):
    id: int
    title: str
    fiscal_year: int
    status: str
    round: int
    version: int


class VersionIn(Schema):
    version: int | None = None


class ReturnIn(Schema):
    comments: str
    plan_ids: list[int] | None = None
    version: int | None = None


class CommitteeIn(Schema):
    acta_number: str
    date: datetime.date
    attendees: str
    decision: str
    comments: str = ""
    version: int | None = None


class CommitteeOut(Schema):
    id: int
    acta_number: str
    date: datetime.date
    decision: str
    round: int
    consolidated: ConsolidatedOut


class GatherOut(Schema):
    added: int
    consolidated: ConsolidatedOut


class ReturnOut(Schema):
    returned: list[int]
    consolidated: ConsolidatedOut


# --- converters ------------------------------------------------------------------------------


def _ref(obj: Any) -> NamedRef | None:
    if obj is None:
        return None
    name = getattr(obj, "full_name", None) or getattr(obj, "name", None) or obj
    return NamedRef(id=obj.pk, name=str(name))


def _plan_out(request: HttpRequest, plan: Plan, *, detail: bool = False) -> Any:
    """A plan as the API shows it. A list passes plans annotated by ``selectors.plan_list``
    (totals and write scope in its one query); a single plan reads them itself."""
    if hasattr(plan, "line_count"):
        line_count = int(plan.line_count or 0)  # type: ignore[attr-defined]
        budget_total = plan.budget_total or Decimal(0)  # type: ignore[attr-defined]
    else:
        totals = selectors.plan_totals(plan=plan)
        line_count, budget_total = totals.lines, totals.budget
    writable = getattr(plan, "writable", None)
    if writable is None:
        writable = selectors.can_write_plan(user=request.user, plan=plan)
    actions = (
        [
            t.action
            for t in workflow.plan_actions(
                user=request.user, organization=plan.organization, status=plan.status
            )
        ]
        if writable
        else []
    )
    values: dict[str, Any] = {
        "id": plan.pk,
        "title": plan.title,
        "unit_id": plan.unit_id,
        "unit_name": plan.unit.name,
        "fiscal_year_id": plan.fiscal_year_id,
        "fiscal_year": plan.fiscal_year.year,
        "status": plan.status,
        "status_label": str(plan.get_status_display()),
        "round": plan.round,
        "consolidated_id": plan.consolidated_id,
        "version": plan.version,
        "line_count": line_count,
        "budget_total": budget_total,
        "actions": actions,
    }
    if not detail:
        return PlanOut(**values)
    comments = [
        CommentOut(
            round=c.round,
            transition=c.transition,
            author=str(c.author),
            text=c.text,
            created_at=c.created_at,
        )
        for c in selectors.plan_comments(plan=plan)
    ]
    return PlanDetailOut(**values, comments=comments, path=workflow.plan_path(plan.organization))


def _line_out(line: PlanLine) -> LineOut:
    return LineOut(
        id=line.pk,
        plan_id=line.plan_id,
        position=line.position,
        activity=line.activity,
        programme=line.programme,
        objective=line.objective,
        topic=_ref(line.topic),
        service=_ref(line.service),
        service_type=_ref(line.service_type),
        mechanism=_ref(line.mechanism),
        modality=_ref(line.modality),
        months=list(line.months),
        quarters=line.quarters,
        start_date=line.start_date,
        end_date=line.end_date,
        place=line.place,
        municipality_code=line.municipality.code if line.municipality else None,
        municipality_name=line.municipality.name if line.municipality else None,
        responsible=_ref(line.responsible),
        responsible_team=line.responsible_team,
        budget=line.budget,
        needs_contract=line.needs_contract,
        needs_travel=line.needs_travel,
        needs_logistics=line.needs_logistics,
        procurement_notes=line.procurement_notes,
        legal_obligation=line.legal_obligation,
        legal_basis=line.legal_basis,
        territorial_manager=line.territorial_manager,
        stakeholders=[
            NamedRef(id=link.stakeholder_id, name=link.stakeholder.name)
            for link in line.stakeholder_links.all()
        ],
        needs=[NamedRef(id=link.need_id, name=link.need.title) for link in line.need_links.all()],
        version=line.version,
    )


def _consolidated_out(request: HttpRequest, consolidated: ConsolidatedPlan) -> ConsolidatedOut:
    plans = list(selectors.consolidated_plans(consolidated=consolidated))
    return ConsolidatedOut(
        id=consolidated.pk,
        title=consolidated.title,
        fiscal_year=consolidated.fiscal_year.year,
        status=consolidated.status,
        status_label=str(consolidated.get_status_display()),
        round=consolidated.round,
        version=consolidated.version,
        actions=[
            t.action
            for t in workflow.consolidated_actions(
                user=request.user,
                organization=consolidated.organization,
                status=consolidated.status,
            )
        ],
        plans=[
            ConsolidatedPlanRow(
                id=p.pk,
                unit_name=p.unit.name,
                status=p.status,
                line_count=p.line_count,  # type: ignore[attr-defined]
                budget_total=p.budget_total or Decimal(0),  # type: ignore[attr-defined]
            )
            for p in plans
        ],
        line_count=sum(p.line_count for p in plans),  # type: ignore[attr-defined]
        budget_total=sum((p.budget_total or Decimal(0) for p in plans), Decimal(0)),  # type: ignore[attr-defined]
    )


_REFERENCES: dict[str, tuple[str, Any]] = {
    "topic_id": ("topic", Topic),
    "service_id": ("service", Service),
    "service_type_id": ("service_type", ServiceType),
    "mechanism_id": ("mechanism", Mechanism),
    "modality_id": ("modality", Modality),
}


def _apply_payload(request: HttpRequest, data: LineInput, values: dict[str, Any]) -> LineInput:
    """Copy the payload's values into ``data``, resolving ids through the user's scope."""
    user = request.user
    errors: dict[str, list[str]] = {}
    plain = {
        k: v
        for k, v in values.items()
        if k not in _REFERENCES
        and k not in ("municipality_code", "responsible_id", "stakeholder_ids", "need_ids")
    }
    for key, value in plain.items():
        setattr(
            data,
            key,
            value
            if value is not None or key in ("start_date", "end_date", "legal_obligation")
            else getattr(data, key),
        )
    for key, (name, model) in _REFERENCES.items():
        if key not in values:
            continue
        pk = values[key]
        if pk is None:
            setattr(data, name, None)
            continue
        found = model.objects.for_user(user).filter(pk=pk).first()
        if found is None:
            errors.setdefault(name, []).append(
                _("There is no %(what)s with id %(id)s.")
                % {"what": model._meta.verbose_name, "id": pk}
            )
        setattr(data, name, found)
    if "municipality_code" in values:
        code = values["municipality_code"]
        data.municipality = (
            Municipality.objects.select_related("department").filter(code=code).first()
            if code
            else None
        )
        if code and data.municipality is None:
            errors.setdefault("municipality", []).append(
                _("«%(code)s» is not a DIVIPOLA municipality code.") % {"code": code}
            )
    if "responsible_id" in values:
        pk = values["responsible_id"]
        data.responsible = selectors.member_users(user=user).filter(pk=pk).first() if pk else None
        if pk and data.responsible is None:
            errors.setdefault("responsible", []).append(
                _("The responsible person must be an active member of the organization.")
            )
    if values.get("stakeholder_ids") is not None:
        ids = list(dict.fromkeys(values["stakeholder_ids"]))
        found_s = list(Stakeholder.objects.for_user(user).filter(pk__in=ids))
        if len(found_s) != len(ids):
            missing = sorted(set(ids) - {s.pk for s in found_s})
            errors.setdefault("stakeholders", []).append(
                _("Unknown stakeholders: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
            )
        data.stakeholders = found_s
    if values.get("need_ids") is not None:
        ids = list(dict.fromkeys(values["need_ids"]))
        found_n = list(Need.objects.for_user(user).filter(pk__in=ids))
        if len(found_n) != len(ids):
            missing = sorted(set(ids) - {n.pk for n in found_n})
            errors.setdefault("needs", []).append(
                _("Unknown needs: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
            )
        data.needs = found_n
    if errors:
        raise ValidationError(errors)
    return data


# --- plans -----------------------------------------------------------------------------------


@router.get(
    "/planes", response={200: Page[PlanOut], **ERROR_RESPONSES}, url_name="planning_plan_list"
)
@api_permission(VIEW)
def plan_list(
    request: HttpRequest, filters: Query[PlanFilterQuery], page: Query[CursorParams]
) -> Any:
    """Unit plans of the organization (filters as on the list page); paged by cursor."""
    queryset = selectors.plan_list(user=request.user, params=filters.dict(exclude_none=True))
    return page_of(queryset, page, lambda p: _plan_out(request, p))


@router.post(
    "/planes", response={201: PlanDetailOut, **ERROR_RESPONSES}, url_name="planning_plan_create"
)
@api_permission(EDIT)
def plan_create(request: HttpRequest, payload: PlanIn) -> Any:
    """SAL-2, FP-5, EDU-2, DNP-3: open the plan of a unit for a fiscal year."""
    unit = get_scoped_or_404(Unit.objects.for_user(request.user), pk=payload.unit_id)
    fiscal_year = get_scoped_or_404(
        FiscalYear.objects.for_user(request.user), pk=payload.fiscal_year_id
    )
    plan = services.plan_create(
        actor=request.user,  # type: ignore[arg-type]
        organization=organization_of(request),
        unit=unit,
        fiscal_year=fiscal_year,
        title=payload.title,
    )
    return 201, _plan_out(request, selectors.plan_get(user=request.user, pk=plan.pk), detail=True)


@router.get(
    "/planes/{pk}",
    response={200: PlanDetailOut, **ERROR_RESPONSES},
    url_name="planning_plan_detail",
)
@api_permission(VIEW)
def plan_detail(request: HttpRequest, pk: int) -> Any:
    return _plan_out(request, selectors.plan_get(user=request.user, pk=pk), detail=True)


@router.patch(
    "/planes/{pk}",
    response={200: PlanDetailOut, **ERROR_RESPONSES},
    url_name="planning_plan_update",
)
@api_permission(EDIT)
def plan_update(request: HttpRequest, pk: int, payload: PlanPatch) -> Any:
    """Change the title; 409 when ``version`` is not the current one."""
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    services.plan_update(
        actor=request.user,  # type: ignore[arg-type]
        plan=plan,
        expected_version=payload.version,
        title=payload.title,
    )
    return _plan_out(request, selectors.plan_get(user=request.user, pk=pk), detail=True)


def _transition(request: HttpRequest, pk: int, action: str, payload: TransitionIn) -> Any:
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    services.plan_transition(
        actor=request.user,  # type: ignore[arg-type]
        plan=plan,
        action=action,
        comments=payload.comments,
        expected_version=payload.version,
    )
    return _plan_out(request, selectors.plan_get(user=request.user, pk=pk), detail=True)


@router.post(
    "/planes/{pk}/enviar",
    response={200: PlanDetailOut, **ERROR_RESPONSES},
    url_name="planning_plan_submit",
)
@api_permission(EDIT)
def plan_submit(request: HttpRequest, pk: int, payload: TransitionIn) -> Any:
    """EDU-2, SAL-2, FP-5, DNP-3: submit the plan (again after a return)."""
    return _transition(request, pk, "submit", payload)


@router.post(
    "/planes/{pk}/finalizar",
    response={200: PlanDetailOut, **ERROR_RESPONSES},
    url_name="planning_plan_finalise",
)
@api_permission(EDIT)
def plan_finalise(request: HttpRequest, pk: int, payload: TransitionIn) -> Any:
    """SAL-2, DNP-3: no review stage, the plan is finalised (published) in one action."""
    return _transition(request, pk, "finalise", payload)


@router.post(
    "/planes/{pk}/aprobar",
    response={200: PlanDetailOut, **ERROR_RESPONSES},
    url_name="planning_plan_approve",
)
@api_permission("planning.review_plan")
def plan_approve(request: HttpRequest, pk: int, payload: TransitionIn) -> Any:
    """EDU-3: the unit head approves. SAL-2, DNP-3: approved and published."""
    return _transition(request, pk, "approve", payload)


@router.post(
    "/planes/{pk}/devolver",
    response={200: PlanDetailOut, **ERROR_RESPONSES},
    url_name="planning_plan_return",
)
@api_permission("planning.review_plan")
def plan_return(request: HttpRequest, pk: int, payload: TransitionIn) -> Any:
    """EDU-3: back to the unit with comments (required)."""
    return _transition(request, pk, "return", payload)


@router.post(
    "/planes/{pk}/publicar",
    response={200: PlanDetailOut, **ERROR_RESPONSES},
    url_name="planning_plan_publish",
)
@api_permission("planning.publish")
def plan_publish(request: HttpRequest, pk: int, payload: TransitionIn) -> Any:
    """SAL, DNP: planning publishes a submitted unit plan."""
    return _transition(request, pk, "publish", payload)


# --- lines -----------------------------------------------------------------------------------


@router.get(
    "/planes/{pk}/lineas",
    response={200: Page[LineOut], **ERROR_RESPONSES},
    url_name="planning_line_list",
)
@api_permission(VIEW)
def line_list(request: HttpRequest, pk: int, page: Query[CursorParams]) -> Any:
    """The lines of a plan (paged by cursor; ``position`` gives the plan's order)."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    return page_of(selectors.plan_lines(plan=plan), page, _line_out)


@router.post(
    "/planes/{pk}/lineas",
    response={201: LineOut, **ERROR_RESPONSES},
    url_name="planning_line_create",
)
@api_permission(EDIT)
def line_create(request: HttpRequest, pk: int, payload: LineIn) -> Any:
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    data = _apply_payload(request, LineInput(), payload.dict())
    line = services.plan_line_create(actor=request.user, plan=plan, data=data)  # type: ignore[arg-type]
    return 201, _line_out(selectors.line_get(user=request.user, pk=line.pk))


@router.get(
    "/lineas-de-plan/{pk}",
    response={200: LineOut, **ERROR_RESPONSES},
    url_name="planning_line_detail",
)
@api_permission(VIEW)
def line_detail(request: HttpRequest, pk: int) -> Any:
    return _line_out(selectors.line_get(user=request.user, pk=pk))


@router.patch(
    "/lineas-de-plan/{pk}",
    response={200: LineOut, **ERROR_RESPONSES},
    url_name="planning_line_update",
)
@api_permission(EDIT)
def line_update(request: HttpRequest, pk: int, payload: LinePatch) -> Any:
    """Change some fields; 409 when ``version`` is not the current one."""
    line = selectors.line_get(user=request.user, pk=pk, action="change")
    data = _apply_payload(
        request, LineInput.from_line(line), payload.dict(exclude_unset=True, exclude={"version"})
    )
    services.plan_line_update(
        actor=request.user,  # type: ignore[arg-type]
        line=line,
        expected_version=payload.version,
        data=data,
    )
    return _line_out(selectors.line_get(user=request.user, pk=pk))


class DeleteQuery(Schema):
    version: int


@router.delete(
    "/lineas-de-plan/{pk}", response={204: None, **ERROR_RESPONSES}, url_name="planning_line_delete"
)
@api_permission(EDIT)
def line_delete(request: HttpRequest, pk: int, query: Query[DeleteQuery]) -> Any:
    """Delete a line; ``?version=`` as read (409 if someone changed it)."""
    line = selectors.line_get(user=request.user, pk=pk, action="change")
    services.plan_line_delete(actor=request.user, line=line, expected_version=query.version)  # type: ignore[arg-type]
    return 204, None


# --- consolidated plan -----------------------------------------------------------------------


@router.get(
    "/planes-consolidados",
    response={200: Page[ConsolidatedListOut], **ERROR_RESPONSES},
    url_name="planning_consolidated_list",
)
@api_permission(VIEW)
def consolidated_list(request: HttpRequest, page: Query[CursorParams]) -> Any:
    return page_of(
        selectors.consolidated_for_user(user=request.user),
        page,
        lambda c: ConsolidatedListOut(
            id=c.pk,
            title=c.title,
            fiscal_year=c.fiscal_year.year,
            status=c.status,
            round=c.round,
            version=c.version,
        ),
    )


@router.post(
    "/planes-consolidados",
    response={201: ConsolidatedOut, **ERROR_RESPONSES},
    url_name="planning_consolidated_create",
)
@api_permission("planning.consolidate")
def consolidated_create(request: HttpRequest, payload: ConsolidatedIn) -> Any:
    """EDU-4, FP-5: gather the year's plans approved by their units."""
    fiscal_year = get_scoped_or_404(
        FiscalYear.objects.for_user(request.user), pk=payload.fiscal_year_id
    )
    consolidated = services.consolidated_plan_create(
        actor=request.user,  # type: ignore[arg-type]
        organization=organization_of(request),
        fiscal_year=fiscal_year,
        title=payload.title,
    )
    return 201, _consolidated_out(
        request, selectors.consolidated_get(user=request.user, pk=consolidated.pk)
    )


@router.get(
    "/planes-consolidados/{pk}",
    response={200: ConsolidatedOut, **ERROR_RESPONSES},
    url_name="planning_consolidated_detail",
)
@api_permission(VIEW)
def consolidated_detail(request: HttpRequest, pk: int) -> Any:
    return _consolidated_out(request, selectors.consolidated_get(user=request.user, pk=pk))


@router.post(
    "/planes-consolidados/{pk}/reunir",
    response={200: GatherOut, **ERROR_RESPONSES},
    url_name="planning_consolidated_gather",
)
@api_permission("planning.consolidate")
def consolidated_gather(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    """EDU-4: add the plans approved since (after a return: a new round)."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    added = services.consolidated_plan_gather(
        actor=request.user,  # type: ignore[arg-type]
        consolidated=consolidated,
        expected_version=payload.version,
    )
    return GatherOut(added=added, consolidated=_consolidated_out(request, consolidated))


@router.post(
    "/planes-consolidados/{pk}/verificar",
    response={200: ConsolidatedOut, **ERROR_RESPONSES},
    url_name="planning_consolidated_verify",
)
@api_permission("planning.verify")
def consolidated_verify(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    """EDU-5: run the consistency checks and verify (400 with unjustified blocking findings)."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    services.consolidated_plan_verify(
        actor=request.user,  # type: ignore[arg-type]
        consolidated=consolidated,
        expected_version=payload.version,
    )
    return _consolidated_out(request, consolidated)


@router.post(
    "/planes-consolidados/{pk}/enviar-al-comite",
    response={200: ConsolidatedOut, **ERROR_RESPONSES},
    url_name="planning_consolidated_send_to_committee",
)
@api_permission("planning.consolidate")
def consolidated_send_to_committee(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    """EDU-5 → EDU-6: the verified plan goes to the Comité Directivo."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    services.consolidated_plan_send_to_committee(
        actor=request.user,  # type: ignore[arg-type]
        consolidated=consolidated,
        expected_version=payload.version,
    )
    return _consolidated_out(request, consolidated)


@router.post(
    "/planes-consolidados/{pk}/revision-de-cobertura",
    response={200: ConsolidatedOut, **ERROR_RESPONSES},
    url_name="planning_consolidated_committee_review",
)
@api_permission("planning.committee")
def consolidated_committee_review(request: HttpRequest, pk: int, payload: TransitionIn) -> Any:
    """EDU-6: the committee records its review of the coverage (apart from EDU-7)."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    services.consolidated_plan_committee_review(
        actor=request.user,  # type: ignore[arg-type]
        consolidated=consolidated,
        comments=payload.comments,
        expected_version=payload.version,
    )
    return _consolidated_out(request, consolidated)


@router.post(
    "/planes-consolidados/{pk}/devolver",
    response={200: ReturnOut, **ERROR_RESPONSES},
    url_name="planning_consolidated_return",
)
@api_permission("planning.consolidate")
def consolidated_return(request: HttpRequest, pk: int, payload: ReturnIn) -> Any:
    """EDU-5 "no": the plans (all, or ``plan_ids``) go back to their units with comments."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    plans = None
    if payload.plan_ids is not None:
        plans = list(Plan.objects.for_user(request.user).filter(pk__in=payload.plan_ids))
        if len(plans) != len(set(payload.plan_ids)):
            raise ValidationError({"plan_ids": [_("Choose plans of this consolidated plan.")]})
    returned = services.consolidated_plan_return(
        actor=request.user,  # type: ignore[arg-type]
        consolidated=consolidated,
        comments=payload.comments,
        plans=plans,
        expected_version=payload.version,
    )
    return ReturnOut(
        returned=[p.pk for p in returned], consolidated=_consolidated_out(request, consolidated)
    )


@router.post(
    "/planes-consolidados/{pk}/comite",
    response={200: CommitteeOut, **ERROR_RESPONSES},
    url_name="planning_consolidated_committee",
)
@api_permission("planning.committee")
def consolidated_committee(request: HttpRequest, pk: int, payload: CommitteeIn) -> Any:
    """EDU-6..7, FP-4: the Comité Directivo's decision (acta) on the consolidated plan."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    decision = services.consolidated_plan_committee_decide(
        actor=request.user,  # type: ignore[arg-type]
        consolidated=consolidated,
        acta_number=payload.acta_number,
        date=payload.date,
        attendees=payload.attendees,
        decision=payload.decision,
        comments=payload.comments,
        expected_version=payload.version,
    )
    return CommitteeOut(
        id=decision.pk,
        acta_number=decision.acta_number,
        date=decision.date,
        decision=decision.decision,
        round=decision.round,
        consolidated=_consolidated_out(request, consolidated),
    )


@router.post(
    "/planes-consolidados/{pk}/publicar",
    response={200: ConsolidatedOut, **ERROR_RESPONSES},
    url_name="planning_consolidated_publish",
)
@api_permission("planning.publish")
def consolidated_publish(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    """EDU-8, FP-6: publish the approved plan; every unit gets an e-mail."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    services.consolidated_plan_publish(
        actor=request.user,  # type: ignore[arg-type]
        consolidated=consolidated,
        expected_version=payload.version,
        base_url=request.build_absolute_uri("/")[:-1],
    )
    return _consolidated_out(request, consolidated)
