"""API of indicators and prioritisation (FP-1, DNP-1), mounted at ``/api/v1/planificacion``.

The rules every router follows are ``acompana.core.api``'s; lists filter with ``filters.py``.
Reading needs ``planning.view``; indicators, imports, models and saving a priority list need
``planning.prioritise``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from acompana.core.api import (
    ERROR_RESPONSES,
    CursorParams,
    Page,
    api_permission,
    decode_cursor,
    encode_cursor,
    organization_of,
    page_of,
)
from acompana.core.filters import bind
from acompana.planning.models import (
    Indicator,
    IndicatorValue,
    PrioritisationCriterion,
    PrioritisationModel,
    PriorityList,
)
from acompana.planning.prioritisation import selectors, services
from acompana.planning.prioritisation.filters import (
    IndicatorFilterQuery,
    IndicatorValueFilterQuery,
    RankingFilterForm,
    RankingFilterQuery,
)
from acompana.planning.prioritisation.imports import MAX_BYTES

router = Router(tags=["Planeación: priorización"])

VIEW, PRIORITISE = "planning.view", "planning.prioritise"


# --- schemas ---------------------------------------------------------------------------------


IndicatorScaleValue = Literal["percent", "binary", "count", "non_negative", "any"]
NormalisationValue = Literal["minmax", "zscore"]
MissingRuleValue = Literal["worst", "exclude"]


class IndicatorIn(Schema):
    code: str
    name: str
    source: str
    description: str = ""
    unit_label: str = ""
    #: the values it can take; imports refuse values outside it
    scale: IndicatorScaleValue = "any"
    higher_is_better: bool = True
    is_active: bool = True


class IndicatorPatch(Schema):
    """Fields to change; omitted fields keep their value. ``version`` as read (409 if stale)."""

    version: int
    code: str | None = None
    name: str | None = None
    source: str | None = None
    description: str | None = None
    unit_label: str | None = None
    scale: IndicatorScaleValue | None = None
    higher_is_better: bool | None = None
    is_active: bool | None = None


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    source: str
    description: str
    unit_label: str
    scale: IndicatorScaleValue
    higher_is_better: bool
    is_active: bool
    version: int


def _indicator_out(i: Indicator) -> IndicatorOut:
    return IndicatorOut(
        id=i.pk,
        code=i.code,
        name=i.name,
        source=i.source,
        description=i.description,
        unit_label=i.unit_label,
        scale=i.scale,  # type: ignore[arg-type]
        higher_is_better=i.higher_is_better,
        is_active=i.is_active,
        version=i.version,
    )


class IndicatorValueOut(Schema):
    id: int
    indicator_id: int
    indicator_code: str
    stakeholder_id: int
    stakeholder_name: str
    year: int
    value: float


def _value_out(v: IndicatorValue) -> IndicatorValueOut:
    return IndicatorValueOut(
        id=v.pk,
        indicator_id=v.indicator_id,
        indicator_code=v.indicator.code,
        stakeholder_id=v.stakeholder_id,
        stakeholder_name=v.stakeholder.name,
        year=v.year,
        value=float(v.value),
    )


class ValuesImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    filename: str


class CriterionIn(Schema):
    kind: str
    weight: Decimal
    indicator_id: int | None = None
    indicator_year: int | None = None
    #: null: the default of the kind (indicator: low performers first; counts: more first;
    #: previous assistance: who received less first)
    higher_raw_means_priority: bool | None = None
    label: str = ""


class CriterionOut(Schema):
    position: int
    kind: str
    label: str
    weight: float
    higher_raw_means_priority: bool
    indicator_id: int | None
    indicator_code: str | None
    indicator_year: int | None


def _criterion_out(c: PrioritisationCriterion) -> CriterionOut:
    return CriterionOut(
        position=c.position,
        kind=c.kind,
        label=c.label,
        weight=float(c.weight),
        higher_raw_means_priority=c.higher_raw_means_priority,
        indicator_id=c.indicator_id,
        indicator_code=c.indicator.code if c.indicator else None,
        indicator_year=c.indicator_year,
    )


class ModelIn(Schema):
    fiscal_year: int
    name: str
    description: str = ""
    stakeholder_kinds: list[str] = []
    criteria: list[CriterionIn]
    #: min–max 0–100, or z-score with the population standard deviation
    normalisation: NormalisationValue = "minmax"
    #: a missing value gets the criterion's worst value, or leaves the stakeholder out
    missing_rule: MissingRuleValue = "worst"
    #: the date open requests are counted on (null: the day the ranking is computed)
    reference_date: datetime.date | None = None


class ModelPatch(Schema):
    """Fields to change; ``criteria``, when given, replace every criterion in order."""

    version: int
    name: str | None = None
    description: str | None = None
    stakeholder_kinds: list[str] | None = None
    criteria: list[CriterionIn] | None = None
    #: the year; it can change only while no priority list was saved from the model
    fiscal_year: int | None = None
    normalisation: NormalisationValue | None = None
    missing_rule: MissingRuleValue | None = None
    reference_date: datetime.date | None = None


class ModelOut(Schema):
    id: int
    fiscal_year: int
    name: str
    description: str
    stakeholder_kinds: list[str]
    normalisation: NormalisationValue
    missing_rule: MissingRuleValue
    reference_date: datetime.date | None
    criteria: list[CriterionOut]
    created_by: str
    created_at: datetime.datetime
    version: int


def _model_out(m: PrioritisationModel, criteria: Sequence[PrioritisationCriterion]) -> ModelOut:
    return ModelOut(
        id=m.pk,
        fiscal_year=m.fiscal_year.year,
        name=m.name,
        description=m.description,
        stakeholder_kinds=list(m.stakeholder_kinds),
        normalisation=m.normalisation,  # type: ignore[arg-type]
        missing_rule=m.missing_rule,  # type: ignore[arg-type]
        reference_date=m.reference_date,
        criteria=[_criterion_out(c) for c in criteria],
        created_by=str(m.created_by),
        created_at=m.created_at,
        version=m.version,
    )


class CriterionStatsOut(Schema):
    label: str
    kind: str
    weight: float
    higher_raw_means_priority: bool
    minimum: float | None
    maximum: float | None
    mean: float | None
    #: population standard deviation (divide by n)
    std: float | None
    with_value: int
    without_value: int
    all_equal: bool


class BreakdownOut(Schema):
    label: str
    raw: float | None
    normalised: float
    weight: float
    points: float


class RankingRowOut(Schema):
    rank: int
    score: float
    stakeholder_id: int
    stakeholder_name: str
    kind: str
    identifier: str
    dane_code: str
    nit: str
    department_code: str
    municipality_code: str
    breakdown: list[BreakdownOut]


class RulesOut(Schema):
    """How the ranking is computed; ``statements`` is the rule in sentences."""

    normalisation: NormalisationValue
    missing_rule: MissingRuleValue
    reference_date: datetime.date
    excluded_count: int
    statements: list[str]


def _rules_out(rules: selectors.Rules) -> RulesOut:
    return RulesOut(
        normalisation=rules.normalisation,  # type: ignore[arg-type]
        missing_rule=rules.missing_rule,  # type: ignore[arg-type]
        reference_date=rules.reference_date,
        excluded_count=rules.excluded_count,
        statements=rules.statements(),
    )


class RankingPage(Schema):
    """One page of the ranking. ``criteria`` say how each criterion was normalised."""

    count: int
    next_cursor: str | None = None
    rules: RulesOut
    criteria: list[CriterionStatsOut]
    results: list[RankingRowOut]


class PriorityListIn(Schema):
    """Either ``stakeholder_ids`` or ``top`` (the first N of the ranking, after ``filters``)."""

    name: str = ""
    notes: str = ""
    stakeholder_ids: list[int] | None = None
    top: int | None = None
    filters: RankingFilterQuery | None = None


class PriorityEntryOut(Schema):
    stakeholder_id: int
    stakeholder_name: str
    rank: int
    score: float
    selected: bool
    breakdown: dict[str, dict[str, Any]]


class PriorityListOut(Schema):
    id: int
    name: str
    notes: str
    fiscal_year: int
    model_id: int
    saved_by: str
    saved_at: datetime.datetime
    selected_count: int
    scored_count: int
    criteria: list[dict[str, Any]]
    rules: RulesOut


class PriorityListDetailOut(PriorityListOut):
    entries: list[PriorityEntryOut]


def _list_out(p: PriorityList) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "notes": p.notes,
        "fiscal_year": p.fiscal_year.year,
        "model_id": p.model_id,
        "saved_by": str(p.saved_by),
        "saved_at": p.saved_at,
        "selected_count": getattr(p, "selected_count", 0),
        "scored_count": getattr(p, "entry_count", 0),
        "criteria": list(p.criteria_snapshot or []),
        "rules": _rules_out(selectors.list_rules(p)),
    }


class YearQuery(Schema):
    year: int | None = None


# --- indicators ------------------------------------------------------------------------------


@router.get(
    "/priorizacion/indicadores",
    response={200: Page[IndicatorOut], **ERROR_RESPONSES},
    url_name="planning_indicator_list",
)
@api_permission(VIEW)
def indicator_list(
    request: HttpRequest, filters: Query[IndicatorFilterQuery], page: Query[CursorParams]
) -> Any:
    """Indicators of the organization (search by code or name, source, state)."""
    queryset = selectors.indicator_list(user=request.user, params=filters.dict(exclude_none=True))
    return page_of(queryset, page, _indicator_out)


@router.post(
    "/priorizacion/indicadores",
    response={201: IndicatorOut, **ERROR_RESPONSES},
    url_name="planning_indicator_create",
)
@api_permission(PRIORITISE)
def indicator_create(request: HttpRequest, payload: IndicatorIn) -> Any:
    indicator = services.indicator_create(
        actor=request.user,  # type: ignore[arg-type]
        organization=organization_of(request),
        data=payload.dict(),
    )
    return 201, _indicator_out(indicator)


@router.get(
    "/priorizacion/indicadores/{indicator_id}",
    response={200: IndicatorOut, **ERROR_RESPONSES},
    url_name="planning_indicator_detail",
)
@api_permission(VIEW)
def indicator_detail(request: HttpRequest, indicator_id: int) -> Any:
    return _indicator_out(selectors.indicator_get(user=request.user, pk=indicator_id))


@router.patch(
    "/priorizacion/indicadores/{indicator_id}",
    response={200: IndicatorOut, **ERROR_RESPONSES},
    url_name="planning_indicator_update",
)
@api_permission(PRIORITISE)
def indicator_update(request: HttpRequest, indicator_id: int, payload: IndicatorPatch) -> Any:
    """Change some fields; 409 when ``version`` is not the current one."""
    indicator = selectors.indicator_get(user=request.user, pk=indicator_id, action="change")
    data = {
        k: v
        for k, v in payload.dict(exclude_unset=True, exclude={"version"}).items()
        if v is not None
    }
    services.indicator_update(
        actor=request.user,  # type: ignore[arg-type]
        indicator=indicator,
        expected_version=payload.version,
        data=data,
    )
    return _indicator_out(indicator)


@router.delete(
    "/priorizacion/indicadores/{indicator_id}",
    response={204: None, **ERROR_RESPONSES},
    url_name="planning_indicator_delete",
)
@api_permission(PRIORITISE)
def indicator_delete(request: HttpRequest, indicator_id: int, version: int | None = None) -> Any:
    """Delete an indicator no prioritisation model uses, with its values (400 when used;
    with ``?version=``, 409 when it changed meanwhile)."""
    indicator = selectors.indicator_get(user=request.user, pk=indicator_id, action="change")
    services.indicator_delete(
        actor=request.user,  # type: ignore[arg-type]
        indicator=indicator,
        expected_version=version,
    )
    return 204, None


@router.get(
    "/priorizacion/valores-indicadores",
    response={200: Page[IndicatorValueOut], **ERROR_RESPONSES},
    url_name="planning_indicator_value_list",
)
@api_permission(VIEW)
def indicator_value_list(
    request: HttpRequest, filters: Query[IndicatorValueFilterQuery], page: Query[CursorParams]
) -> Any:
    """Values per stakeholder and year, filtered by indicator, year and stakeholder."""
    queryset = selectors.indicator_value_list(
        user=request.user, params=filters.dict(exclude_none=True)
    )
    return page_of(queryset, page, _value_out)


@router.post(
    "/priorizacion/valores-indicadores/importar",
    response={200: ValuesImportOut, **ERROR_RESPONSES},
    url_name="planning_indicator_value_import",
)
@api_permission(PRIORITISE)
def indicator_value_import(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Import a CSV/XLSX file of values (the template's columns). All rows or none: with any
    bad row the answer is 400 and ``error.fields`` has the reasons per row (``row_3``) or
    ``file``. An existing (indicator, stakeholder, year) gets the new value."""
    if file.size and file.size > MAX_BYTES:
        raise ValidationError({"file": [_("The file is too large.")]})
    result = services.indicator_values_import(
        actor=request.user,  # type: ignore[arg-type]
        organization=organization_of(request),
        content=file.read(),
        filename=file.name or "valores.csv",
    )
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "filename": result.filename,
    }


# --- prioritisation models -------------------------------------------------------------------


def _criteria_inputs(items: Sequence[CriterionIn]) -> list[services.CriterionInput]:
    return [
        services.CriterionInput(
            kind=c.kind,
            weight=c.weight,
            indicator_id=c.indicator_id,
            indicator_year=c.indicator_year,
            higher_raw_means_priority=c.higher_raw_means_priority,
            label=c.label,
        )
        for c in items
    ]


def _criteria_prefetch() -> Prefetch:  # type: ignore[type-arg]
    return Prefetch(
        "criteria",
        queryset=PrioritisationCriterion.objects.select_related("indicator").order_by(
            "position", "id"
        ),
    )


@router.get(
    "/priorizacion/modelos",
    response={200: Page[ModelOut], **ERROR_RESPONSES},
    url_name="planning_prioritisation_model_list",
)
@api_permission(VIEW)
def model_list(request: HttpRequest, filters: Query[YearQuery], page: Query[CursorParams]) -> Any:
    """Prioritisation models, optionally of one fiscal year (``?year=2026``)."""
    queryset = selectors.prioritisation_model_list(
        user=request.user, fiscal_year=filters.year
    ).prefetch_related(_criteria_prefetch())
    return page_of(queryset, page, lambda m: _model_out(m, list(m.criteria.all())))


@router.get(
    "/priorizacion/modelos/{model_id}",
    response={200: ModelOut, **ERROR_RESPONSES},
    url_name="planning_prioritisation_model_detail",
)
@api_permission(VIEW)
def model_detail(request: HttpRequest, model_id: int) -> Any:
    model = selectors.prioritisation_model_get(user=request.user, pk=model_id)
    return _model_out(model, selectors.model_criteria(model=model))


@router.post(
    "/priorizacion/modelos",
    response={201: ModelOut, **ERROR_RESPONSES},
    url_name="planning_prioritisation_model_create",
)
@api_permission(PRIORITISE)
def model_create(request: HttpRequest, payload: ModelIn) -> Any:
    """Create a model for a fiscal year of the organization (``fiscal_year``: the year)."""
    fiscal_year = (
        selectors.fiscal_years_for_user(user=request.user).filter(year=payload.fiscal_year).first()
    )
    if fiscal_year is None:
        raise ValidationError(
            {
                "fiscal_year": [
                    _("Your organization has no fiscal year %(year)s.")
                    % {"year": payload.fiscal_year}
                ]
            }
        )
    model = services.prioritisation_model_create(
        actor=request.user,  # type: ignore[arg-type]
        organization=organization_of(request),
        fiscal_year=fiscal_year,
        name=payload.name,
        description=payload.description,
        stakeholder_kinds=payload.stakeholder_kinds,
        criteria=_criteria_inputs(payload.criteria),
        normalisation=payload.normalisation,
        missing_rule=payload.missing_rule,
        reference_date=payload.reference_date,
    )
    model = selectors.prioritisation_model_get(user=request.user, pk=model.pk)
    return 201, _model_out(model, selectors.model_criteria(model=model))


@router.patch(
    "/priorizacion/modelos/{model_id}",
    response={200: ModelOut, **ERROR_RESPONSES},
    url_name="planning_prioritisation_model_update",
)
@api_permission(PRIORITISE)
def model_update(request: HttpRequest, model_id: int, payload: ModelPatch) -> Any:
    """Change a model; 409 when ``version`` is not the current one."""
    model = selectors.prioritisation_model_get(user=request.user, pk=model_id, action="change")
    fiscal_year = None
    if payload.fiscal_year is not None:
        fiscal_year = (
            selectors.fiscal_years_for_user(user=request.user)
            .filter(year=payload.fiscal_year)
            .first()
        )
        if fiscal_year is None:
            raise ValidationError(
                {
                    "fiscal_year": [
                        _("Your organization has no fiscal year %(year)s.")
                        % {"year": payload.fiscal_year}
                    ]
                }
            )
    sent = payload.dict(exclude_unset=True)
    services.prioritisation_model_update(
        actor=request.user,  # type: ignore[arg-type]
        model=model,
        expected_version=payload.version,
        name=payload.name,
        description=payload.description,
        stakeholder_kinds=payload.stakeholder_kinds,
        criteria=_criteria_inputs(payload.criteria) if payload.criteria is not None else None,
        fiscal_year=fiscal_year,
        normalisation=payload.normalisation,
        missing_rule=payload.missing_rule,
        reference_date=payload.reference_date if "reference_date" in sent else services.UNSET,
    )
    model = selectors.prioritisation_model_get(user=request.user, pk=model_id)
    return _model_out(model, selectors.model_criteria(model=model))


@router.get(
    "/priorizacion/modelos/{model_id}/ranking",
    response={200: RankingPage, **ERROR_RESPONSES},
    url_name="planning_prioritisation_ranking",
)
@api_permission(VIEW)
def ranking(
    request: HttpRequest,
    model_id: int,
    filters: Query[RankingFilterQuery],
    page: Query[CursorParams],
) -> Any:
    """The computed ranking with each score's breakdown, filtered like the page; paged by
    cursor in the order asked (``sort``: rank, name, municipality, crit<n>, with ``-``)."""
    model = selectors.prioritisation_model_get(user=request.user, pk=model_id)
    params = filters.dict(exclude_none=True)
    bind(RankingFilterForm, params)  # 400 with the field errors
    computed = selectors.ranking_compute(model=model)
    rows, _form = selectors.ranking_filter(user=request.user, ranking=computed, params=params)
    start = 0
    if page.cursor:
        after = decode_cursor(page.cursor)
        if not isinstance(after, int) or after < 0:
            raise ValidationError(
                {"cursor": [_("The cursor is not valid. Start from the first page.")]}
            )
        start = after
    chunk = rows[start : start + page.limit]
    end = start + len(chunk)
    return {
        "count": len(rows),
        "next_cursor": encode_cursor(end) if end < len(rows) else None,
        "rules": _rules_out(computed.rules or selectors.model_rules(model)),
        "criteria": [
            CriterionStatsOut(
                label=item.criterion.label,
                kind=item.criterion.kind,
                weight=float(item.criterion.weight),
                higher_raw_means_priority=item.criterion.higher_means_priority,
                minimum=item.minimum,
                maximum=item.maximum,
                mean=item.mean,
                std=item.std,
                with_value=item.with_value,
                without_value=item.without_value,
                all_equal=item.all_equal,
            )
            for item in selectors.ranking_explanation(computed)
        ],
        "results": [
            RankingRowOut(
                rank=row.rank,
                score=row.score,
                stakeholder_id=row.stakeholder.id,
                stakeholder_name=row.stakeholder.name,
                kind=row.stakeholder.kind,
                identifier=row.stakeholder.identifier,
                dane_code=row.stakeholder.dane_code,
                nit=row.stakeholder.nit,
                department_code=row.stakeholder.department_code,
                municipality_code=row.stakeholder.municipality_code,
                breakdown=[
                    BreakdownOut(
                        label=cell.criterion.label,
                        raw=cell.raw,
                        normalised=cell.normalised,
                        weight=cell.weight,
                        points=cell.points,
                    )
                    for cell in row.cells
                ],
            )
            for row in chunk
        ],
    }


# --- priority lists --------------------------------------------------------------------------


@router.get(
    "/priorizacion/listas",
    response={200: Page[PriorityListOut], **ERROR_RESPONSES},
    url_name="planning_priority_list_list",
)
@api_permission(VIEW)
def priority_list_list(
    request: HttpRequest, filters: Query[YearQuery], page: Query[CursorParams]
) -> Any:
    """Saved priority lists (the FP-1 / DNP-1 records), optionally of one fiscal year."""
    queryset = selectors.priority_list_list(user=request.user, fiscal_year=filters.year)
    return page_of(queryset, page, lambda p: PriorityListOut(**_list_out(p)))


def _detail_out(priority_list: PriorityList, *, selected_only: bool) -> PriorityListDetailOut:
    entries = selectors.priority_list_entries(
        priority_list=priority_list, selected_only=selected_only
    )
    return PriorityListDetailOut(
        **_list_out(priority_list),
        entries=[
            PriorityEntryOut(
                stakeholder_id=e.stakeholder_id,
                stakeholder_name=e.stakeholder.name,
                rank=e.rank,
                score=float(e.score),
                selected=e.selected,
                breakdown=e.breakdown or {},
            )
            for e in entries
        ],
    )


@router.get(
    "/priorizacion/listas/{list_id}",
    response={200: PriorityListDetailOut, **ERROR_RESPONSES},
    url_name="planning_priority_list_detail",
)
@api_permission(VIEW)
def priority_list_detail(request: HttpRequest, list_id: int, all_entries: bool = False) -> Any:
    """A priority list with its selected entries (``all_entries=true``: the whole ranking)."""
    priority_list = selectors.priority_list_get(user=request.user, pk=list_id)
    return _detail_out(priority_list, selected_only=not all_entries)


@router.post(
    "/priorizacion/modelos/{model_id}/listas",
    response={201: PriorityListDetailOut, **ERROR_RESPONSES},
    url_name="planning_priority_list_save",
)
@api_permission(PRIORITISE)
def priority_list_save(request: HttpRequest, model_id: int, payload: PriorityListIn) -> Any:
    """Save the year's priority list from the model's ranking: the stakeholders given, or the
    ``top`` N after ``filters``. Records ``prioritisation.saved`` and stores the PDF."""
    model = selectors.prioritisation_model_get(user=request.user, pk=model_id, action="change")
    if (payload.stakeholder_ids is None) == (payload.top is None):
        raise ValidationError(
            {"__all__": [_("Send either «stakeholder_ids» or «top», not both nor neither.")]}
        )
    if payload.top is not None:
        if payload.top < 1:
            raise ValidationError({"top": [_("«top» must be 1 or more.")]})
        params = payload.filters.dict(exclude_none=True) if payload.filters else {}
        bind(RankingFilterForm, params)
        computed = selectors.ranking_compute(model=model)
        rows, _form = selectors.ranking_filter(user=request.user, ranking=computed, params=params)
        selected = selectors.ranking_top(rows, payload.top)
    else:
        selected = list(payload.stakeholder_ids or [])
    priority_list = services.priority_list_save(
        actor=request.user,  # type: ignore[arg-type]
        model=model,
        selected_ids=selected,
        name=payload.name,
        notes=payload.notes,
    )
    priority_list = selectors.priority_list_get(user=request.user, pk=priority_list.pk)
    return 201, _detail_out(priority_list, selected_only=True)
