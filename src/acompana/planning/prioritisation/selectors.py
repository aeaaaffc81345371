"""Scoped reads of indicators and prioritisation (FP-1, DNP-1), and the ranking.

Every list and fetch goes through ``for_user``. ``ranking_compute`` loads everything the
score needs in a constant number of queries, whatever the number of stakeholders (the
stakeholders, the criteria, the indicator values of every indicator criterion at once, the
needs counts, the previous year's plan lines), then calls the pure ``scoring`` function.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from acompana.core.filters import bind
from acompana.core.models import Document, FiscalYear
from acompana.core.scoping import Action
from acompana.planning.choices import (
    CriterionKind,
    IndicatorScale,
    IndicatorSource,
    MissingRule,
    NeedSource,
    NeedStatus,
    Normalisation,
)
from acompana.planning.models import (
    Indicator,
    IndicatorValue,
    NeedStakeholder,
    PlanLineStakeholder,
    PrioritisationCriterion,
    PrioritisationModel,
    PriorityList,
    PriorityListEntry,
)
from acompana.planning.prioritisation.filters import (
    IndicatorFilterForm,
    IndicatorValueFilterForm,
    RankingFilterForm,
)
from acompana.planning.prioritisation.scoring import Criterion, CriterionStats, score_stakeholders
from acompana.registry.choices import StakeholderKind
from acompana.registry.models import Stakeholder

PDF_KIND = "priority_list.pdf"

# --- fiscal years ----------------------------------------------------------------------------


def fiscal_years_for_user(*, user: Any) -> QuerySet[FiscalYear]:
    return FiscalYear.objects.for_user(user).order_by("-year")  # type: ignore[no-any-return]


def planning_year(*, user: Any) -> FiscalYear | None:
    """The year being planned, the default vigencia of a new model
    (``core.selectors.year_being_planned``: the year after the current one when registered)."""
    from acompana.core.selectors import year_being_planned

    return year_being_planned(fiscal_years_for_user(user=user))


# --- indicators ------------------------------------------------------------------------------


def indicators_for_user(*, user: Any, action: Action = "view") -> QuerySet[Indicator]:
    return Indicator.objects.for_user(user, action)  # type: ignore[no-any-return]


def indicator_list(*, user: Any, params: Mapping[str, Any]) -> QuerySet[Indicator]:
    """Indicators narrowed by the list filter, each with ``value_count`` (one query)."""
    form = bind(IndicatorFilterForm, params)
    queryset = form.apply(indicators_for_user(user=user))
    return queryset.annotate(value_count=Count("values")).order_by("name", "id")


def indicator_get(*, user: Any, pk: int, action: Action = "view") -> Indicator:
    indicator = indicators_for_user(user=user, action=action).filter(pk=pk).first()
    if indicator is None:
        raise Http404
    return indicator


def indicator_use_count(*, indicator: Indicator) -> int:
    """How many criteria of prioritisation models use ``indicator`` (0: it can be deleted)."""
    return PrioritisationCriterion.objects.filter(
        organization_id=indicator.organization_id, indicator=indicator
    ).count()


def scale_label(scale: str) -> str:
    return str(dict(IndicatorScale.choices).get(scale, scale))


def active_indicators(*, user: Any) -> QuerySet[Indicator]:
    return indicators_for_user(user=user).filter(is_active=True).order_by("name", "id")


def indicator_values_for_user(*, user: Any) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.for_user(user).select_related(  # type: ignore[no-any-return]
        "indicator", "stakeholder", "stakeholder__municipality", "stakeholder__department"
    )


def indicator_value_list(*, user: Any, params: Mapping[str, Any]) -> QuerySet[IndicatorValue]:
    """Values narrowed by the filter (indicator, year, stakeholder); newest year first."""
    form = bind(IndicatorValueFilterForm, params)
    return form.apply(indicator_values_for_user(user=user)).order_by(  # type: ignore[no-any-return]
        "indicator__code", "-year", "stakeholder__name", "id"
    )


def indicator_value_years(*, indicator: Indicator) -> list[int]:
    """The years that have values of ``indicator``, newest first."""
    return list(
        IndicatorValue.objects.filter(
            organization_id=indicator.organization_id, indicator=indicator
        )
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def indicator_value_summary(*, indicator: Indicator) -> list[dict[str, Any]]:
    """Per year: how many stakeholders have a value (one grouped query)."""
    rows = (
        IndicatorValue.objects.filter(
            organization_id=indicator.organization_id, indicator=indicator
        )
        .values("year")
        .annotate(count=Count("id"))
        .order_by("-year")
    )
    return [dict(row) for row in rows]


# --- prioritisation models -------------------------------------------------------------------


def prioritisation_models_for_user(
    *, user: Any, action: Action = "view"
) -> QuerySet[PrioritisationModel]:
    return (  # type: ignore[no-any-return]
        PrioritisationModel.objects.for_user(user, action)
        .select_related("fiscal_year", "created_by")
        .annotate(criteria_count=Count("criteria", distinct=True))
    )


def prioritisation_model_list(
    *, user: Any, fiscal_year: int | None = None
) -> QuerySet[PrioritisationModel]:
    queryset = prioritisation_models_for_user(user=user)
    if fiscal_year:
        queryset = queryset.filter(fiscal_year__year=fiscal_year)
    return queryset.order_by("-fiscal_year__year", "-created_at", "-id")


def prioritisation_model_get(*, user: Any, pk: int, action: Action = "view") -> PrioritisationModel:
    model = prioritisation_models_for_user(user=user, action=action).filter(pk=pk).first()
    if model is None:
        raise Http404
    return model


def model_criteria(*, model: PrioritisationModel) -> list[PrioritisationCriterion]:
    return list(
        PrioritisationCriterion.objects.filter(organization_id=model.organization_id, model=model)
        .select_related("indicator")
        .order_by("position", "id")
    )


# --- the ranking -----------------------------------------------------------------------------


KIND_LABELS: dict[str, Any] = dict(CriterionKind.choices)
STAKEHOLDER_KIND_LABELS: dict[str, Any] = dict(StakeholderKind.choices)
SOURCE_LABELS: dict[str, Any] = dict(IndicatorSource.choices)


def default_direction(kind: str, indicator: Indicator | None) -> bool:
    """Whether a higher raw value means more priority, when the user does not say.

    Indicators: the low performers get the points when higher is better. Needs and court
    actions: more means more priority. Previous assistance: who received less comes first.
    """
    if kind == CriterionKind.INDICATOR:
        return not (indicator.higher_is_better if indicator is not None else True)
    return kind != CriterionKind.PREVIOUS_ASSISTANCE


def default_label(kind: str, indicator: Indicator | None, indicator_year: int | None) -> str:
    """The stored label of a criterion. It is data (shown in saved lists and exports), so it
    is written in the product's language whatever language the request uses."""
    if kind == CriterionKind.INDICATOR and indicator is not None:
        return f"{indicator.code} ({indicator_year})" if indicator_year else indicator.code
    with translation.override(settings.LANGUAGE_CODE):
        return str(KIND_LABELS.get(kind, kind))


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion as the ranking shows it (from the database or a saved snapshot)."""

    key: str
    position: int
    label: str
    kind: str
    weight: Decimal
    higher_means_priority: bool
    indicator_id: int | None = None
    indicator_code: str = ""
    indicator_name: str = ""
    indicator_year: int | None = None
    unit_label: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def direction_label(self) -> str:
        if self.higher_means_priority:
            return _("A higher value gives more priority")
        return _("A lower value gives more priority")

    @property
    def source_text(self) -> str:
        """What the raw value is, in one sentence."""
        if self.kind == CriterionKind.INDICATOR:
            return _("Value of the indicator %(code)s — %(name)s for %(year)s.") % {
                "code": self.indicator_code,
                "name": self.indicator_name,
                "year": self.indicator_year,
            }
        if self.kind == CriterionKind.NEEDS_COUNT:
            return _(
                "Requests of the stakeholder open on the date of the model (received by "
                "then, accepted and not yet addressed), whatever year they arrived in."
            )
        if self.kind == CriterionKind.COURT_ACTIONS:
            return _(
                "Requests of the stakeholder whose source is a court action, open on the "
                "date of the model, whatever year they arrived in."
            )
        return _(
            "Plan lines of the previous fiscal year that served the stakeholder "
            "(assistance received)."
        )

    def snapshot(self, stats: CriterionStats | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "position": self.position,
            "label": self.label,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "weight": str(self.weight),
            "higher_raw_means_priority": self.higher_means_priority,
            "direction": self.direction_label,
            "indicator_id": self.indicator_id,
            "indicator_code": self.indicator_code,
            "indicator_name": self.indicator_name,
            "indicator_year": self.indicator_year,
            "unit_label": self.unit_label,
            "source": self.source_text,
        }
        if stats is not None:
            data["stats"] = {
                "minimum": stats.minimum,
                "maximum": stats.maximum,
                "mean": stats.mean,
                "std": stats.std,
                "with_value": stats.with_value,
                "without_value": stats.without_value,
                "all_equal": stats.all_equal,
            }
        return data

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> CriterionSpec:
        return cls(
            key=str(data.get("key") or f"c{data.get('position', 0)}"),
            position=int(data.get("position", 0)),
            label=str(data.get("label", "")),
            kind=str(data.get("kind", "")),
            weight=Decimal(str(data.get("weight", "1"))),
            higher_means_priority=bool(data.get("higher_raw_means_priority", True)),
            indicator_id=data.get("indicator_id"),
            indicator_code=str(data.get("indicator_code") or ""),
            indicator_name=str(data.get("indicator_name") or ""),
            indicator_year=data.get("indicator_year"),
            unit_label=str(data.get("unit_label") or ""),
        )


def criterion_specs(criteria: Sequence[PrioritisationCriterion]) -> list[CriterionSpec]:
    specs = []
    for index, criterion in enumerate(criteria):
        indicator = criterion.indicator
        specs.append(
            CriterionSpec(
                key=f"c{index}",
                position=index,
                label=criterion.label
                or default_label(criterion.kind, indicator, criterion.indicator_year),
                kind=criterion.kind,
                weight=criterion.weight,
                higher_means_priority=criterion.higher_raw_means_priority,
                indicator_id=criterion.indicator_id,
                indicator_code=indicator.code if indicator else "",
                indicator_name=indicator.name if indicator else "",
                indicator_year=criterion.indicator_year,
                unit_label=indicator.unit_label if indicator else "",
            )
        )
    return specs


@dataclass(frozen=True)
class StakeholderInfo:
    id: int
    name: str
    kind: str
    identifier: str
    #: the DANE code of the tie rule: its own (entity or school), else its municipality's
    dane_code: str
    nit: str
    department_code: str
    department_name: str
    municipality_code: str
    municipality_name: str

    @property
    def kind_label(self) -> str:
        return str(STAKEHOLDER_KIND_LABELS.get(self.kind, self.kind))

    @property
    def place(self) -> str:
        return ", ".join(x for x in (self.municipality_name, self.department_name) if x)


#: sorts after every digit and letter: a stakeholder without the code goes after those with it
_LAST = "\uffff"


def tie_key(info: StakeholderInfo) -> tuple[str, str, int]:
    """The tie rule (``scoring`` rule 5): DANE code, then NIT, then id, ascending; a
    stakeholder without a DANE code (or NIT) goes after those that have one."""
    return (info.dane_code or _LAST, info.nit or _LAST, info.id)


@dataclass(frozen=True)
class RankingCell:
    criterion: CriterionSpec
    raw: float | None
    normalised: float
    weight: float
    points: float


@dataclass(frozen=True)
class RankingRow:
    stakeholder: StakeholderInfo
    rank: int
    score: float
    cells: list[RankingCell]

    def breakdown(self) -> dict[str, dict[str, Any]]:
        """Criterion label → raw, normalised, weight and points (``PriorityListEntry``)."""
        return {
            cell.criterion.label: {
                "raw": cell.raw,
                "normalised": cell.normalised,
                "weight": cell.weight,
                "points": cell.points,
            }
            for cell in self.cells
        }


@dataclass(frozen=True)
class Rules:
    """How a ranking was computed: normalisation, missing values, date; stated everywhere."""

    normalisation: str
    missing_rule: str
    reference_date: datetime.date
    excluded_count: int = 0

    @property
    def normalisation_label(self) -> str:
        return str(dict(Normalisation.choices).get(self.normalisation, self.normalisation))

    @property
    def missing_label(self) -> str:
        return str(dict(MissingRule.choices).get(self.missing_rule, self.missing_rule))

    @property
    def is_zscore(self) -> bool:
        return self.normalisation == Normalisation.ZSCORE

    def statements(self) -> list[str]:
        """The rule in sentences: the page, the PDF and every export print these."""
        if self.is_zscore:
            normalisation = _(
                "Normalisation: z-score. Each value becomes (value − mean) ÷ standard "
                "deviation, with the population standard deviation (dividing by n, all the "
                "stakeholders scored); the sign is inverted when a lower value gives more "
                "priority. 0 is the average; the score is the weighted mean of the z-scores."
            )
        else:
            normalisation = _(
                "Normalisation: min–max. On each criterion the stakeholder with most "
                "priority gets 100 and the one with least gets 0; the score is the weighted "
                "mean, from 0 to 100."
            )
        if self.missing_rule == MissingRule.EXCLUDE:
            missing = _(
                "Missing values: a stakeholder without a value on any criterion is left out "
                "of the ranking. Left out: %(count)s."
            ) % {"count": self.excluded_count}
        else:
            missing = _(
                "Missing values: a stakeholder without a value gets the worst value of the "
                "criterion (0 with min–max, the lowest z-score with z-score)."
            )
        return [
            normalisation,
            _("A criterion where every stakeholder has the same value gives 0 to everyone."),
            missing,
            _(
                "Ties: equal scores are ordered by DANE code, then NIT, then internal id "
                "(ascending; without the code, after those with it), so every rank is unique."
            ),
            _(
                "Open requests are counted on %(date)s: received by then, accepted and not "
                "yet addressed or discarded, whatever year they arrived in."
            )
            % {"date": self.reference_date.strftime("%d/%m/%Y")},
        ]


def model_rules(model: PrioritisationModel, *, excluded_count: int = 0) -> Rules:
    return Rules(
        normalisation=model.normalisation,
        missing_rule=model.missing_rule,
        reference_date=model.reference_date or timezone.localdate(),
        excluded_count=excluded_count,
    )


def list_rules(priority_list: PriorityList) -> Rules:
    return Rules(
        normalisation=priority_list.normalisation,
        missing_rule=priority_list.missing_rule,
        reference_date=priority_list.reference_date or timezone.localdate(priority_list.saved_at),
        excluded_count=priority_list.excluded_count,
    )


@dataclass
class Ranking:
    model: PrioritisationModel
    criteria: list[CriterionSpec]
    rows: list[RankingRow]
    stats: dict[str, CriterionStats] = field(default_factory=dict)
    rules: Rules | None = None
    #: stakeholders left out by the ``exclude`` rule
    excluded: list[StakeholderInfo] = field(default_factory=list)

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria), Decimal(0))

    def criteria_with_stats(self) -> list[tuple[CriterionSpec, CriterionStats | None]]:
        return [(c, self.stats.get(c.key)) for c in self.criteria]

    def snapshot(self) -> list[dict[str, Any]]:
        return [c.snapshot(self.stats.get(c.key)) for c in self.criteria]


def _department_name(name: str | None) -> str:
    if not name:
        return ""
    return name.title() if name.isupper() else name


def _identifier(row: Mapping[str, Any]) -> str:
    for key in ("nit", "dane_code", "school_code", "reps_code"):
        if row.get(key):
            return str(row[key])
    return ""


def _dane_code(row: Mapping[str, Any]) -> str:
    return str(
        row.get("dane_code") or row.get("school_code") or row.get("municipality__code") or ""
    )


def scored_stakeholders(*, model: PrioritisationModel) -> list[StakeholderInfo]:
    """The active stakeholders of the model's kinds (all kinds when none), one query."""
    queryset = Stakeholder.objects.filter(organization_id=model.organization_id, is_active=True)
    if model.stakeholder_kinds:
        queryset = queryset.filter(kind__in=list(model.stakeholder_kinds))
    rows = queryset.values(
        "id",
        "name",
        "kind",
        "nit",
        "dane_code",
        "school_code",
        "reps_code",
        "department__code",
        "department__name",
        "municipality__code",
        "municipality__name",
    ).order_by("name", "id")
    return [
        StakeholderInfo(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            identifier=_identifier(row),
            dane_code=_dane_code(row),
            nit=row["nit"] or "",
            department_code=row["department__code"] or "",
            department_name=_department_name(row["department__name"]),
            municipality_code=row["municipality__code"] or "",
            municipality_name=(row["municipality__name"] or "").title(),
        )
        for row in rows
    ]


def raw_values(
    *, model: PrioritisationModel, criteria: Sequence[CriterionSpec]
) -> dict[str, dict[int, float | None]]:
    """Criterion key → stakeholder id → raw value. At most three queries, one per source.

    Indicators: every (indicator, year) pair of the criteria in one query; a stakeholder
    without a value is absent (missing). Needs and court actions: one grouped query for
    both; previous assistance: one grouped query. Counts are 0 for stakeholders absent
    from the grouped result (filled by the caller, which knows the stakeholders).
    """
    result: dict[str, dict[int, float | None]] = {c.key: {} for c in criteria}
    organization_id = model.organization_id
    pairs = {
        (c.indicator_id, c.indicator_year)
        for c in criteria
        if c.kind == CriterionKind.INDICATOR and c.indicator_id and c.indicator_year
    }
    if pairs:
        condition = reduce(or_, (Q(indicator_id=i, year=y) for i, y in sorted(pairs)))
        by_pair: dict[tuple[int, int], dict[int, float | None]] = {}
        values = IndicatorValue.objects.filter(condition, organization_id=organization_id)
        for indicator_id, year, stakeholder_id, value in values.values_list(
            "indicator_id", "year", "stakeholder_id", "value"
        ):
            by_pair.setdefault((indicator_id, year), {})[stakeholder_id] = float(value)
        for c in criteria:
            if c.kind == CriterionKind.INDICATOR and c.indicator_id and c.indicator_year:
                result[c.key] = dict(by_pair.get((c.indicator_id, c.indicator_year), {}))
    kinds = {c.kind for c in criteria}
    if kinds & {CriterionKind.NEEDS_COUNT, CriterionKind.COURT_ACTIONS}:
        links = (
            NeedStakeholder.objects.filter(
                organization_id=organization_id,
                need__status__in=OPEN_REQUEST_STATUSES,
                need__created_at__lt=_day_after(model_rules(model).reference_date),
            )
            .values("stakeholder_id")
            .annotate(
                needs=Count("need_id", distinct=True),
                court=Count(
                    "need_id", distinct=True, filter=Q(need__source=NeedSource.COURT_ACTION)
                ),
            )
        )
        needs: dict[int, float | None] = {}
        court: dict[int, float | None] = {}
        for row in links:
            needs[row["stakeholder_id"]] = float(row["needs"])
            court[row["stakeholder_id"]] = float(row["court"])
        for c in criteria:
            if c.kind == CriterionKind.NEEDS_COUNT:
                result[c.key] = dict(needs)
            elif c.kind == CriterionKind.COURT_ACTIONS:
                result[c.key] = dict(court)
    if CriterionKind.PREVIOUS_ASSISTANCE in kinds:
        previous_year = model.fiscal_year.year - 1
        served = (
            PlanLineStakeholder.objects.filter(
                organization_id=organization_id, line__plan__fiscal_year__year=previous_year
            )
            .values("stakeholder_id")
            .annotate(lines=Count("line_id", distinct=True))
        )
        previous = {row["stakeholder_id"]: float(row["lines"]) for row in served}
        for c in criteria:
            if c.kind == CriterionKind.PREVIOUS_ASSISTANCE:
                result[c.key] = dict(previous)
    return result


#: a request is open when accepted at triage and not yet addressed nor discarded
OPEN_REQUEST_STATUSES = (NeedStatus.OPEN, NeedStatus.PLANNED)


def _day_after(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the project's time zone (requests received by then)."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


COUNT_KINDS = frozenset(
    {CriterionKind.NEEDS_COUNT, CriterionKind.COURT_ACTIONS, CriterionKind.PREVIOUS_ASSISTANCE}
)


def ranking_compute(*, model: PrioritisationModel) -> Ranking:
    """Every scored stakeholder of ``model`` with its score, rank and breakdown.

    ``model`` must come from a scoped selector. A constant number of queries (at most six)
    whatever the number of stakeholders; rows come best first (ranks 1..n, ties by
    ``tie_key``).
    """
    specs = criterion_specs(model_criteria(model=model))
    stakeholders = scored_stakeholders(model=model)
    if not specs:
        return Ranking(model=model, criteria=[], rows=[], rules=model_rules(model))
    raw = raw_values(model=model, criteria=specs)
    ids = [s.id for s in stakeholders]
    for spec in specs:
        if spec.kind in COUNT_KINDS:  # no row counted means zero, not missing
            values = raw[spec.key]
            for sid in ids:
                values.setdefault(sid, 0.0)
    result = score_stakeholders(
        stakeholder_ids=ids,
        criteria=[
            Criterion(
                key=s.key, weight=float(s.weight), higher_means_priority=s.higher_means_priority
            )
            for s in specs
        ],
        raw=raw,
        method=model.normalisation,
        missing=model.missing_rule,
        tie_keys={s.id: tie_key(s) for s in stakeholders},
    )
    by_id = {s.id: s for s in stakeholders}
    rows = [
        RankingRow(
            stakeholder=by_id[scored.stakeholder_id],
            rank=scored.rank,
            score=scored.score,
            cells=[
                RankingCell(
                    criterion=spec,
                    raw=scored.breakdown[spec.key].raw,
                    normalised=scored.breakdown[spec.key].normalised,
                    weight=scored.breakdown[spec.key].weight,
                    points=scored.breakdown[spec.key].points,
                )
                for spec in specs
            ],
        )
        for scored in result.scored
    ]
    return Ranking(
        model=model,
        criteria=specs,
        rows=rows,
        stats=result.stats,
        rules=model_rules(model, excluded_count=len(result.excluded)),
        excluded=[by_id[sid] for sid in result.excluded],
    )


def _sort_key(sort: str) -> tuple[Any, bool]:
    descending = sort.startswith("-")
    bare = sort.removeprefix("-")
    if bare == "name":
        return (lambda r: (r.stakeholder.name.lower(), r.stakeholder.id)), descending
    if bare == "municipality":
        return (
            lambda r: (r.stakeholder.department_name, r.stakeholder.municipality_name, r.rank)
        ), descending
    if bare.startswith("crit") and bare[4:].isdigit():
        index = int(bare[4:])

        def points(r: RankingRow) -> tuple[float, int]:
            cell = r.cells[index] if index < len(r.cells) else None
            # by default the most points first, like the score
            return (-(cell.points if cell else 0.0), r.rank)

        return points, descending
    return (lambda r: r.rank), descending


def ranking_filter(
    *, user: Any, ranking: Ranking, params: Mapping[str, Any]
) -> tuple[list[RankingRow], RankingFilterForm]:
    """The ranking rows narrowed by the registry's stakeholder filter and sorted.

    The filter runs as one query over the stakeholders (the same definition as the
    registry list); ranks stay those of the whole ranking.
    """
    form = RankingFilterForm({k: v for k, v in params.items() if v is not None})
    if not form.is_valid():
        return [], form
    rows = ranking.rows
    if form.stakeholder_filters():
        matching = set(form.apply(Stakeholder.objects.for_user(user)).values_list("pk", flat=True))
        rows = [r for r in rows if r.stakeholder.id in matching]
    key, descending = _sort_key(form.cleaned_data.get("sort") or "rank")
    return sorted(rows, key=key, reverse=descending), form


def ranking_top(rows: Iterable[RankingRow], n: int) -> list[int]:
    """Ids of the first ``n`` rows in rank order (ranks are unique: no tie to break)."""
    ordered = sorted(rows, key=lambda r: r.rank)
    return [r.stakeholder.id for r in ordered[: max(0, n)]]


@dataclass(frozen=True)
class CriterionExplanation:
    """One line of the «how the score is computed» table."""

    criterion: CriterionSpec
    share: float
    minimum: float | None
    maximum: float | None
    with_value: int
    without_value: int
    all_equal: bool
    mean: float | None = None
    std: float | None = None


def _explanations(
    specs: Sequence[CriterionSpec], stats: Mapping[str, Mapping[str, Any] | CriterionStats | None]
) -> list[CriterionExplanation]:
    total = sum((s.weight for s in specs), Decimal(0))
    result = []
    for spec in specs:
        item = stats.get(spec.key)
        if isinstance(item, CriterionStats):
            values: Mapping[str, Any] = {
                "minimum": item.minimum,
                "maximum": item.maximum,
                "mean": item.mean,
                "std": item.std,
                "with_value": item.with_value,
                "without_value": item.without_value,
                "all_equal": item.all_equal,
            }
        else:
            values = item or {}
        result.append(
            CriterionExplanation(
                criterion=spec,
                share=float(spec.weight / total * 100) if total else 0.0,
                minimum=values.get("minimum"),
                maximum=values.get("maximum"),
                with_value=int(values.get("with_value") or 0),
                without_value=int(values.get("without_value") or 0),
                all_equal=bool(values.get("all_equal", False)),
                mean=values.get("mean"),
                std=values.get("std"),
            )
        )
    return result


def ranking_explanation(ranking: Ranking) -> list[CriterionExplanation]:
    return _explanations(ranking.criteria, dict(ranking.stats))


def snapshot_explanation(priority_list: PriorityList) -> list[CriterionExplanation]:
    snapshot = priority_list.criteria_snapshot or []
    specs = [CriterionSpec.from_snapshot(item) for item in snapshot]
    stats = {spec.key: item.get("stats") for spec, item in zip(specs, snapshot, strict=True)}
    return _explanations(specs, stats)


# --- priority lists --------------------------------------------------------------------------


def priority_lists_for_user(*, user: Any) -> QuerySet[PriorityList]:
    return (  # type: ignore[no-any-return]
        PriorityList.objects.for_user(user)
        .select_related("model", "fiscal_year", "saved_by")
        .annotate(
            selected_count=Count("entries", filter=Q(entries__selected=True)),
            entry_count=Count("entries"),
        )
    )


def priority_list_list(*, user: Any, fiscal_year: int | None = None) -> QuerySet[PriorityList]:
    queryset = priority_lists_for_user(user=user)
    if fiscal_year:
        queryset = queryset.filter(fiscal_year__year=fiscal_year)
    return queryset.order_by("-saved_at", "-id")


def priority_list_get(*, user: Any, pk: int) -> PriorityList:
    priority_list = priority_lists_for_user(user=user).filter(pk=pk).first()
    if priority_list is None:
        raise Http404
    return priority_list


def current_priority_list(*, user: Any, fiscal_year: FiscalYear) -> PriorityList | None:
    """The fiscal year's priority list: the last one saved (the DNP-1 / FP-1 record)."""
    return (  # type: ignore[no-any-return]
        priority_lists_for_user(user=user)
        .filter(fiscal_year=fiscal_year)
        .order_by("-saved_at", "-id")
        .first()
    )


def priority_list_entries(
    *, priority_list: PriorityList, selected_only: bool = True
) -> QuerySet[PriorityListEntry]:
    queryset = PriorityListEntry.objects.filter(
        organization_id=priority_list.organization_id, priority_list=priority_list
    ).select_related("stakeholder", "stakeholder__municipality", "stakeholder__department")
    if selected_only:
        queryset = queryset.filter(selected=True)
    return queryset.order_by("rank", "id")


def priority_list_criteria(*, priority_list: PriorityList) -> list[CriterionSpec]:
    return [CriterionSpec.from_snapshot(item) for item in priority_list.criteria_snapshot or []]


def entry_cells(
    entry: PriorityListEntry, criteria: Sequence[CriterionSpec]
) -> list[dict[str, Any]]:
    """The breakdown of an entry in the order of the saved criteria."""
    breakdown = entry.breakdown or {}
    cells = []
    for criterion in criteria:
        item = breakdown.get(criterion.label) or {}
        cells.append(
            {
                "criterion": criterion,
                "raw": item.get("raw"),
                "normalised": item.get("normalised", 0),
                "weight": item.get("weight", float(criterion.weight)),
                "points": item.get("points", 0),
            }
        )
    return cells


def priority_list_document(*, priority_list: PriorityList) -> Document | None:
    """The latest PDF of the list (stored by ``priority_list_save``)."""
    return (  # type: ignore[no-any-return]
        Document.objects.filter(
            organization_id=priority_list.organization_id,
            content_type=ContentType.objects.get_for_model(PriorityList),
            object_id=str(priority_list.pk),
            kind=PDF_KIND,
        )
        .order_by("-created_at", "-id")
        .first()
    )
