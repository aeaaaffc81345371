"""The consolidation checks (EDU-4, EDU-5): one small function per rule.

Each rule reads the ``CheckContext`` the engine loaded in a constant number of queries
(``engine.load_context``) and yields ``Draft`` findings: a rule code, a severity, a message
naming the line(s) (unit, line number in its plan, activity), how to fix it, the lines and a
``subject`` that, with the rule and the lines, makes the finding's stable fingerprint.

Everything here is plain Python over dicts and sets indexed once (by stakeholder and topic,
by stakeholder), never a comparison of every line with every other, so 20,000 lines are
checked in well under a second (``benchmarks/consolidation.py``).

Rules (code — severity — what it finds):

* ``required_fields`` — blocking — a line misses a field its procedure requires
  (``REQUIRED_FIELDS`` below: EDU-5, FP-5, SAL-2, DNP-3).
* ``duplicated_activity`` — blocking — two lines of DIFFERENT units plan the same topic for
  the same stakeholder in overlapping periods (same month, or overlapping dates when both
  lines have dates). One finding per pair of lines, naming the stakeholders they share.
* ``complementarity`` — suggestion — two units visit the same stakeholder in person in the
  same week (both lines have dates) or month (otherwise): the visits could be joined. Pairs
  already reported as duplicated are not repeated here.
* ``outside_fiscal_year`` — blocking — dates (or months) outside the fiscal year, or an end
  date before the start date.
* ``responsible_not_in_unit`` — warning — the responsible user has no active membership in
  the line's unit or one of its sub-units.
* ``travel_without_budget`` — blocking — travel allowance needed but the budget is 0.
* ``stakeholder_inactive`` — blocking — a stakeholder of the lines is inactive in the registry
  or is not in the organization's registry. One finding per stakeholder, naming its lines.
* ``line_without_need_or_programme`` — warning — a line linked neither to a need nor to a
  development-plan programme (only where the procedure does not already require them).
* ``legal_obligation_stated`` — blocking, FP only — FP-5: a line serving a national-order
  entity (``Stakeholder.entity_order``) must say whether its topic is a legal obligation,
  and when it is, the norm that establishes it (``legal_basis``). One finding per line.
* ``legal_obligation_scope`` — warning — "legal obligation" (FP-5) marked on a line that
  serves no national-order entity, the only ones it applies to.
* ``priority_coverage`` — warning — a stakeholder selected in the year's latest priority list
  (FP-1, DNP-1) has no line: one finding PER STAKEHOLDER, so each one is justified (or fixed)
  on its own.
* ``budget_vs_strategy`` — warning — the budget of a unit (or of the organization) exceeds the
  resources of the committee-approved strategy (FP-2..4). Without an approved strategy the
  rule is silent.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from acompana.planning.choices import FindingSeverity
from acompana.registry.choices import ENTITY_ORDER_OF_KIND, EntityOrder

# --- the data the rules read ------------------------------------------------------------------


@dataclass(slots=True)
class LineInfo:
    """One plan line as the rules see it (loaded with ``values_list``, never as a model)."""

    id: int
    plan_id: int
    unit_id: int
    #: 1-based order of the line in its plan (position, then id), as the plan page lists it
    number: int
    activity: str
    programme: str
    objective: str
    topic_id: int | None
    service_id: int | None
    service_type_id: int | None
    mechanism_id: int | None
    modality_id: int | None
    months: list[int]
    start_date: datetime.date | None
    end_date: datetime.date | None
    place: str
    municipality_id: int | None
    responsible_id: int | None
    responsible_team: str
    budget: Decimal
    needs_contract: bool
    needs_travel: bool
    needs_logistics: bool
    procurement_notes: str
    #: FP-5: None while the unit has not said whether the topic is a legal obligation
    legal_obligation: bool | None
    stakeholder_ids: list[int] = field(default_factory=list)
    has_need: bool = False
    #: FP-5: the norm that makes it an obligation
    legal_basis: str = ""


@dataclass(slots=True)
class StakeholderInfo:
    id: int
    name: str
    is_active: bool
    #: False when the stakeholder belongs to another organization's registry
    in_registry: bool
    kind: str


@dataclass(slots=True)
class PriorityEntry:
    stakeholder_id: int
    name: str
    rank: int


@dataclass
class CheckContext:
    """Everything the rules need, loaded by ``engine.load_context`` in a few bulk queries."""

    procedure_code: str
    fiscal_year: int
    fiscal_start: datetime.date
    fiscal_end: datetime.date
    unit_names: dict[int, str]
    #: unit id → ids of the unit and all its sub-units
    unit_subtrees: dict[int, set[int]]
    lines: list[LineInfo]
    stakeholders: dict[int, StakeholderInfo]
    topic_names: dict[int, str]
    #: mechanism id → lower-case code (or name when it has no code)
    mechanism_codes: dict[int, str]
    modality_codes: dict[int, str]
    #: responsible user id → full name
    user_names: dict[int, str]
    #: user id → units of its active memberships
    user_units: dict[int, set[int]]
    priority_list_name: str = ""
    priority_entries: list[PriorityEntry] = field(default_factory=list)
    #: title of the committee-approved strategy of the year ("" when there is none)
    strategy_title: str = ""
    #: unit id → resources approved for it in that strategy
    strategy_resources: dict[int, Decimal] = field(default_factory=dict)
    #: results shared between rules of one run (the duplicated pairs, memoised texts)
    cache: dict[str, Any] = field(default_factory=dict)

    def line_label(self, line: LineInfo) -> str:
        """«line 3 of «Unit» («activity»)», memoised: a line is named by many findings."""
        labels: dict[int, str] = self.cache.setdefault("labels", {})
        label = labels.get(line.id)
        if label is None:
            if "label" not in self.cache:
                self.cache["label"] = _("line %(number)s of «%(unit)s» («%(activity)s»)")
                self.cache["no_activity"] = _("no activity")
            activity = line.activity.strip() or self.cache["no_activity"]
            if len(activity) > 80:
                activity = activity[:77].rstrip() + "…"
            label = labels[line.id] = self.cache["label"] % {
                "number": line.number,
                "unit": self.unit_names.get(line.unit_id, "?"),
                "activity": activity,
            }
        return label

    def date(self, value: datetime.date, fmt: str = "DATE_FORMAT") -> str:
        """A localised date, memoised (formatting is slow and dates repeat)."""
        dates: dict[tuple[datetime.date, str], str] = self.cache.setdefault("dates", {})
        text = dates.get((value, fmt))
        if text is None:
            text = dates[(value, fmt)] = date_format(value, fmt)
        return text


@dataclass(slots=True)
class Draft:
    """A finding as a rule produces it, before the engine persists it."""

    rule: str
    severity: str
    message: str
    fix_hint: str
    line_ids: list[int]
    unit_id: int | None
    #: what, besides the rule and the lines, identifies the finding (stakeholder, fields...)
    subject: str = ""

    @property
    def fingerprint(self) -> str:
        lines = ",".join(str(pk) for pk in sorted(self.line_ids))
        raw = f"{self.rule}|{self.subject}|{lines}"
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    label: Any
    description: Any
    check: Callable[[CheckContext], Iterable[Draft]]


# --- required fields per procedure (EDU-5, FP-5, SAL-2, DNP-3) ---------------------------------


@dataclass(frozen=True)
class FieldCheck:
    label: Any
    present: Callable[[LineInfo], bool]


def _text(value: str) -> bool:
    return bool(value and value.strip())


def _has_dates(line: LineInfo) -> bool:
    return bool(line.months) or (line.start_date is not None and line.end_date is not None)


def _has_resources(line: LineInfo) -> bool:
    # a line that needs nothing says so in its procurement notes ("recursos propios")
    return (
        line.budget > 0
        or line.needs_contract
        or line.needs_travel
        or line.needs_logistics
        or _text(line.procurement_notes)
    )


#: The fields a line can be required to have: key → (label, test). Keys are used in
#: ``REQUIRED_FIELDS`` and in fingerprints (never rename one).
FIELD_CHECKS: dict[str, FieldCheck] = {
    "programme": FieldCheck(
        gettext_lazy("development plan programme"), lambda line: _text(line.programme)
    ),
    "need": FieldCheck(gettext_lazy("need addressed"), lambda line: line.has_need),
    "activity": FieldCheck(gettext_lazy("activity / project"), lambda line: _text(line.activity)),
    "objective": FieldCheck(gettext_lazy("objective"), lambda line: _text(line.objective)),
    "dates": FieldCheck(gettext_lazy("planned months or dates"), _has_dates),
    "mechanism": FieldCheck(gettext_lazy("mechanism"), lambda line: line.mechanism_id is not None),
    "place": FieldCheck(
        gettext_lazy("place or municipality"),
        lambda line: _text(line.place) or line.municipality_id is not None,
    ),
    "stakeholders": FieldCheck(
        gettext_lazy("stakeholders served"), lambda line: bool(line.stakeholder_ids)
    ),
    "responsible": FieldCheck(
        gettext_lazy("responsible person or team"),
        lambda line: line.responsible_id is not None or _text(line.responsible_team),
    ),
    "resources": FieldCheck(
        gettext_lazy("procedures and resources (budget, contracting, travel, logistics)"),
        _has_resources,
    ),
    "budget": FieldCheck(
        gettext_lazy("budget (or a note saying why it costs nothing)"),
        lambda line: line.budget > 0 or _text(line.procurement_notes),
    ),
    "service_type": FieldCheck(
        gettext_lazy("type of assistance"),
        lambda line: line.service_type_id is not None or line.service_id is not None,
    ),
    "topic": FieldCheck(gettext_lazy("topic"), lambda line: line.topic_id is not None),
}

#: The fields each procedure requires of every plan line, in the order they are reported.
#:
#: * EDU (EDU-5, MI-GE-RG-217): programme of the development plan, need detected,
#:   activity/project, objective, date, mechanism, place, data of the school (stakeholders),
#:   responsible, procedures and resources, type of assistance. The strictest list.
#: * FP (FP-5): the entity (stakeholders), topic, dates, budget and type of assistance (plus
#:   the activity). For national-order entities the legal obligation must be stated (and a
#:   "yes" name its norm): ``legal_obligation_stated``; where "yes" is set on a line without
#:   a national entity, ``legal_obligation_scope`` warns.
#: * SAL (SAL-2, MI-GS-RG-869): activity, mechanism (taller, visita, ...), months,
#:   stakeholders (actors of the health system) and responsible.
#: * DNP (DNP-3, work plan): agreed activity, stakeholders (grupos de valor) and resources.
#:
#: An organization with another code is held to the EDU list.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "EDU": (
        "programme",
        "need",
        "activity",
        "objective",
        "dates",
        "mechanism",
        "place",
        "stakeholders",
        "responsible",
        "resources",
        "service_type",
    ),
    "FP": ("stakeholders", "topic", "activity", "dates", "budget", "service_type"),
    "SAL": ("activity", "mechanism", "dates", "stakeholders", "responsible"),
    "DNP": ("activity", "stakeholders", "resources"),
}

#: The official step whose field list each procedure's ``REQUIRED_FIELDS`` follows.
REQUIRED_FIELDS_STEP: dict[str, str] = {
    "EDU": "EDU-5",
    "FP": "FP-5",
    "SAL": "SAL-2",
    "DNP": "DNP-3",
}


def required_fields_for(procedure_code: str) -> tuple[str, ...]:
    return REQUIRED_FIELDS.get(procedure_code, REQUIRED_FIELDS["EDU"])


# --- helpers -----------------------------------------------------------------------------------

#: mechanisms and modalities that are not delivered in person (codes of ``catalog.seeds``)
REMOTE_MECHANISMS = frozenset({"videoconferencia", "concepto_escrito", "lineamiento_tecnico"})
IN_PERSON_MODALITIES = frozenset({"presencial", "hibrida", "híbrida"})
REMOTE_MODALITIES = frozenset({"virtual"})

MAX_NAMED = 5


def money(value: Decimal) -> str:
    """Colombian pesos as users write them: ``$ 1.234.567``."""
    return "$ " + f"{value:,.0f}".replace(",", ".")


def names_list(names: list[str]) -> str:
    """«A», «B» and 3 more."""
    shown = ", ".join(f"«{n}»" for n in names[:MAX_NAMED])
    rest = len(names) - MAX_NAMED
    if rest > 0:
        shown += " " + ngettext("and %(n)s more", "and %(n)s more", rest) % {"n": rest}
    return shown


def _month_start(ctx: CheckContext, month: int) -> datetime.date:
    """The first day of ``month`` inside the fiscal year (which may not start in January)."""
    year = ctx.fiscal_start.year if month >= ctx.fiscal_start.month else ctx.fiscal_start.year + 1
    return datetime.date(year, month, 1)


def _month_bounds(ctx: CheckContext) -> dict[int, Interval]:
    """month → (first day, last day) inside the fiscal year, computed once per run."""
    bounds: dict[int, Interval] | None = ctx.cache.get("month_bounds")
    if bounds is None:
        bounds = {}
        for month in range(1, 13):
            start = _month_start(ctx, month)
            bounds[month] = (start, _month_end(start))
        ctx.cache["month_bounds"] = bounds
    return bounds


def _month_end(start: datetime.date) -> datetime.date:
    following = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


Interval = tuple[datetime.date, datetime.date]
ONE_DAY = datetime.timedelta(days=1)


def line_periods(ctx: CheckContext, line: LineInfo, *, weeks: bool = False) -> list[Interval]:
    """The periods of a line as date intervals (memoised per run).

    Both dates given: that interval (stretched to whole Monday–Sunday weeks when ``weeks``).
    Otherwise each run of consecutive planned months is one interval of whole months.
    """
    memo: dict[tuple[int, bool], list[Interval]] = ctx.cache.setdefault("periods", {})
    key = (line.id, weeks)
    if key not in memo:
        memo[key] = _line_periods(ctx, line, weeks=weeks)
    return memo[key]


def _line_periods(ctx: CheckContext, line: LineInfo, *, weeks: bool) -> list[Interval]:
    if line.start_date is not None and line.end_date is not None:
        start, end = line.start_date, line.end_date
        if end < start:
            return []
        if weeks:
            start -= datetime.timedelta(days=start.weekday())
            end += datetime.timedelta(days=6 - end.weekday())
        return [(start, end)]
    if line.start_date is not None:  # only a start: a one-day activity
        day = line.start_date
        if weeks:
            return [
                (
                    day - datetime.timedelta(days=day.weekday()),
                    day + datetime.timedelta(days=6 - day.weekday()),
                )
            ]
        return [(day, day)]
    bounds = _month_bounds(ctx)
    intervals: list[Interval] = []
    for start, end in sorted(bounds[m] for m in set(line.months) if m in bounds):
        if intervals and intervals[-1][1] + ONE_DAY == start:
            intervals[-1] = (intervals[-1][0], end)
        else:
            intervals.append((start, end))
    return intervals


def _overlapping_pairs(
    items: list[tuple[datetime.date, datetime.date, LineInfo]],
) -> Iterator[tuple[LineInfo, LineInfo, Interval]]:
    """Pairs of lines of DIFFERENT units whose intervals overlap (sweep by start date).

    Cost: sorting plus the overlaps found, not every pair of the group.
    """
    items.sort(key=lambda item: (item[0], item[1]))
    active: list[tuple[datetime.date, datetime.date, LineInfo]] = []
    for start, end, line in items:
        active = [a for a in active if a[1] >= start]
        for a_start, a_end, other in active:
            if other.unit_id != line.unit_id and other.id != line.id:
                yield other, line, (max(a_start, start), min(a_end, end))
        active.append((start, end, line))


def describe_period(ctx: CheckContext, interval: Interval, *, weeks: bool = False) -> str:
    """«marzo de 2026», «marzo de 2026 to abril de 2026», «week of 2 de marzo de 2026»..."""
    memo: dict[tuple[Interval, bool], str] = ctx.cache.setdefault("period_texts", {})
    text = memo.get((interval, weeks))
    if text is None:
        text = memo[(interval, weeks)] = _describe_period(ctx, interval, weeks=weeks)
    return text


def _describe_period(ctx: CheckContext, interval: Interval, *, weeks: bool) -> str:
    start, end = interval
    if start.day == 1 and end == _month_end(end.replace(day=1)):
        if (start.year, start.month) == (end.year, end.month):
            return ctx.date(start, "YEAR_MONTH_FORMAT")
        return _("%(start)s to %(end)s") % {
            "start": ctx.date(start, "YEAR_MONTH_FORMAT"),
            "end": ctx.date(end, "YEAR_MONTH_FORMAT"),
        }
    if weeks and (end - start).days == 6 and start.weekday() == 0:
        return _("week of %(date)s") % {"date": ctx.date(start)}
    if start == end:
        return ctx.date(start)
    return _("%(start)s to %(end)s") % {"start": ctx.date(start), "end": ctx.date(end)}


def _pair_unit(first: LineInfo, second: LineInfo) -> int | None:
    return first.unit_id if first.unit_id == second.unit_id else None


# --- the rules ----------------------------------------------------------------------------------


def check_required_fields(ctx: CheckContext) -> Iterator[Draft]:
    """EDU-5 (and FP-5, SAL-2, DNP-3): every field the procedure asks of a plan line."""
    keys = required_fields_for(ctx.procedure_code)
    step = REQUIRED_FIELDS_STEP.get(ctx.procedure_code, "EDU-5")
    checks = [(key, str(FIELD_CHECKS[key].label), FIELD_CHECKS[key].present) for key in keys]
    message = _("%(line)s lacks fields the plan must have (%(step)s): %(fields)s.")
    hint = _(
        "Open the line in the unit's plan and fill in: %(fields)s. If a field truly "
        "does not apply, accept the finding with a justification."
    )
    for line in ctx.lines:
        missing = [(key, label) for key, label, present in checks if not present(line)]
        if not missing:
            continue
        labels = ", ".join(label for _key, label in missing)
        yield Draft(
            rule="required_fields",
            severity=FindingSeverity.BLOCKING,
            message=message % {"line": ctx.line_label(line), "step": step, "fields": labels},
            fix_hint=hint % {"fields": labels},
            line_ids=[line.id],
            unit_id=line.unit_id,
            subject=",".join(key for key, _label in missing),
        )


Pair = tuple[LineInfo, LineInfo, set[int], Interval]


def _cross_unit_pairs(
    ctx: CheckContext, groups: dict[Any, list[tuple[datetime.date, datetime.date, LineInfo]]]
) -> dict[tuple[int, int], Pair]:
    """(line id, line id) → (first, second, stakeholders shared, first overlap) over groups
    keyed by something whose first element is a stakeholder id."""
    pairs: dict[tuple[int, int], Pair] = {}
    for key, items in groups.items():
        if len(items) < 2 or len({item[2].unit_id for item in items}) < 2:
            continue
        stakeholder_id = key[0] if isinstance(key, tuple) else key
        for first, second, overlap in _overlapping_pairs(items):
            a, b = (first, second) if first.id < second.id else (second, first)
            found = pairs.get((a.id, b.id))
            if found is None:
                pairs[(a.id, b.id)] = (a, b, {stakeholder_id}, overlap)
            else:
                found[2].add(stakeholder_id)
                if overlap[0] < found[3][0]:
                    pairs[(a.id, b.id)] = (a, b, found[2], overlap)
    return pairs


def _duplicated_pairs(ctx: CheckContext) -> dict[tuple[int, int], Pair]:
    """Every pair of lines of different units with the same stakeholder and topic in
    overlapping periods (memoised: complementarity leaves these pairs out)."""
    if "duplicated_pairs" in ctx.cache:
        return ctx.cache["duplicated_pairs"]  # type: ignore[no-any-return]
    groups: dict[Any, list[tuple[datetime.date, datetime.date, LineInfo]]] = defaultdict(list)
    for line in ctx.lines:
        if line.topic_id is None or not line.stakeholder_ids:
            continue
        periods = line_periods(ctx, line)
        for stakeholder_id in line.stakeholder_ids:
            for start, end in periods:
                groups[(stakeholder_id, line.topic_id)].append((start, end, line))
    pairs = _cross_unit_pairs(ctx, groups)
    ctx.cache["duplicated_pairs"] = pairs
    return pairs


def _stakeholder_names(ctx: CheckContext, ids: Iterable[int]) -> list[str]:
    names = [ctx.stakeholders[pk].name for pk in ids if pk in ctx.stakeholders]
    return sorted(names, key=str.lower)


def check_duplicated_activity(ctx: CheckContext) -> Iterator[Draft]:
    """EDU-4: no duplicated activities between groups (same stakeholder, topic and period)."""
    message = _(
        "Duplicated activity across units: %(first)s and %(second)s plan the topic "
        "«%(topic)s» for %(stakeholders)s in overlapping periods (%(period)s)."
    )
    hint = _(
        "Agree with both units which one delivers it: remove or change one of the "
        "lines, or turn them into one joint activity. If both are needed (different "
        "scope), accept the finding explaining why."
    )
    for (a_id, b_id), (a, b, shared, overlap) in sorted(_duplicated_pairs(ctx).items()):
        yield Draft(
            rule="duplicated_activity",
            severity=FindingSeverity.BLOCKING,
            message=message
            % {
                "first": ctx.line_label(a),
                "second": ctx.line_label(b),
                "topic": ctx.topic_names.get(a.topic_id or 0, "?"),
                "stakeholders": names_list(_stakeholder_names(ctx, shared)),
                "period": describe_period(ctx, overlap),
            },
            fix_hint=hint,
            line_ids=[a_id, b_id],
            unit_id=_pair_unit(a, b),
            subject=",".join(str(pk) for pk in sorted(shared)),
        )


def is_in_person(ctx: CheckContext, line: LineInfo) -> bool:
    """Delivered in person: a presencial/híbrida modality, or no modality and a mechanism
    that is not remote (a workshop, a visit...). Unknown (neither) is not in person."""
    if line.modality_id is not None:
        modality = ctx.modality_codes.get(line.modality_id, "")
        if modality in IN_PERSON_MODALITIES:
            return True
        if modality in REMOTE_MODALITIES:
            return False
    if line.mechanism_id is None:
        return False
    return ctx.mechanism_codes.get(line.mechanism_id, "") not in REMOTE_MECHANISMS


def check_complementarity(ctx: CheckContext) -> Iterator[Draft]:
    """EDU-4: the activities of the groups are complementary, to optimise resources.

    For each stakeholder, the in-person lines of different units that overlap in the same
    week (both lines dated) or month are grouped (connected by overlap); groups with the
    same lines across several stakeholders are one suggestion naming them all. Pairs
    already reported as duplicated are left out.
    """
    duplicated = _duplicated_pairs(ctx)
    groups: dict[Any, list[tuple[datetime.date, datetime.date, LineInfo]]] = defaultdict(list)
    for line in ctx.lines:
        if not line.stakeholder_ids or not is_in_person(ctx, line):
            continue
        periods = line_periods(ctx, line, weeks=True)
        for stakeholder_id in line.stakeholder_ids:
            for start, end in periods:
                groups[stakeholder_id].append((start, end, line))
    # per stakeholder: the lines linked by an overlap (a small union-find per stakeholder)
    clusters: dict[
        tuple[int, ...], tuple[list[LineInfo], set[int], datetime.date, datetime.date]
    ] = {}
    for stakeholder_id, items in groups.items():
        if len(items) < 2 or len({item[2].unit_id for item in items}) < 2:
            continue
        parent: dict[int, int] = {}
        lines: dict[int, LineInfo] = {}
        spans: dict[int, Interval] = {}

        def root(pk: int, parent: dict[int, int] = parent) -> int:
            while parent[pk] != pk:
                parent[pk] = parent[parent[pk]]
                pk = parent[pk]
            return pk

        for first, second, overlap in _overlapping_pairs(items):
            pair = (first.id, second.id) if first.id < second.id else (second.id, first.id)
            if pair in duplicated:
                continue
            for line in (first, second):
                parent.setdefault(line.id, line.id)
                lines[line.id] = line
            a, b = root(first.id), root(second.id)
            if a != b:
                parent[b] = a
                span_a, span_b = spans.pop(a, overlap), spans.pop(b, overlap)
                spans[a] = (
                    min(span_a[0], span_b[0], overlap[0]),
                    max(span_a[1], span_b[1], overlap[1]),
                )
            else:
                span = spans.get(a, overlap)
                spans[a] = (min(span[0], overlap[0]), max(span[1], overlap[1]))
        members: dict[int, list[LineInfo]] = defaultdict(list)
        for pk, line in lines.items():
            members[root(pk)].append(line)
        for top, cluster in members.items():
            ids = tuple(sorted(line.id for line in cluster))
            start, end = spans[top]
            found = clusters.get(ids)
            if found is None:
                clusters[ids] = (cluster, {stakeholder_id}, start, end)
            else:
                found[1].add(stakeholder_id)
                clusters[ids] = (found[0], found[1], min(found[2], start), max(found[3], end))
    message = _(
        "Several units visit %(stakeholders)s in person in %(span)s (%(period)s): %(lines)s. "
        "The visits could be joined."
    )
    hint = _(
        "Consider joining the visits in one trip, to save travel and the stakeholder's "
        "time: coordinate the dates and the team between the units."
    )
    week, month = _("the same week"), _("the same month")
    for ids, (cluster, shared, start, end) in sorted(clusters.items()):
        cluster.sort(key=lambda line: line.id)
        dated = all(line.start_date is not None for line in cluster)
        units = {line.unit_id for line in cluster}
        yield Draft(
            rule="complementarity",
            severity=FindingSeverity.SUGGESTION,
            message=message
            % {
                "lines": "; ".join(ctx.line_label(line) for line in cluster),
                "stakeholders": names_list(_stakeholder_names(ctx, shared)),
                "span": week if dated else month,
                "period": describe_period(ctx, (start, end), weeks=dated),
            },
            fix_hint=hint,
            line_ids=list(ids),
            unit_id=units.pop() if len(units) == 1 else None,
            subject=",".join(str(pk) for pk in sorted(shared)),
        )


def check_outside_fiscal_year(ctx: CheckContext) -> Iterator[Draft]:
    """EDU-5 (fecha de ejecución): the activity happens within the plan's fiscal year."""
    reversed_message = _("%(line)s ends (%(end)s) before it starts (%(start)s).")
    reversed_hint = _("Correct the start and end dates of the line.")
    message = _(
        "%(line)s has dates outside the fiscal year %(year)s (%(start)s to %(end)s): %(dates)s."
    )
    hint = _(
        "Change the dates of the line so they fall within the fiscal year, or move the "
        "activity to the plan of the year it belongs to."
    )
    month_text = _("month %(month)s")
    for line in ctx.lines:
        start, end = line.start_date, line.end_date
        if start is not None and end is not None and end < start:
            yield Draft(
                rule="outside_fiscal_year",
                severity=FindingSeverity.BLOCKING,
                message=reversed_message
                % {"line": ctx.line_label(line), "start": ctx.date(start), "end": ctx.date(end)},
                fix_hint=reversed_hint,
                line_ids=[line.id],
                unit_id=line.unit_id,
                subject="reversed",
            )
        outside = [
            d for d in (start, end) if d is not None and not ctx.fiscal_start <= d <= ctx.fiscal_end
        ]
        bad_months = sorted({m for m in line.months if not 1 <= m <= 12})
        if not outside and not bad_months:
            continue
        shown = [ctx.date(d) for d in outside] + [month_text % {"month": m} for m in bad_months]
        yield Draft(
            rule="outside_fiscal_year",
            severity=FindingSeverity.BLOCKING,
            message=message
            % {
                "line": ctx.line_label(line),
                "year": ctx.fiscal_year,
                "start": ctx.date(ctx.fiscal_start),
                "end": ctx.date(ctx.fiscal_end),
                "dates": ", ".join(shown),
            },
            fix_hint=hint,
            line_ids=[line.id],
            unit_id=line.unit_id,
            subject="outside",
        )


def check_responsible_not_in_unit(ctx: CheckContext) -> Iterator[Draft]:
    """EDU-5 (responsible): the person who answers for the line works in its unit."""
    message = _(
        "The responsible person of %(line)s, %(person)s, has no active membership in «%(unit)s»."
    )
    hint = _(
        "Choose a responsible person of the unit, or ask the administrator to add "
        "%(person)s to «%(unit)s»."
    )
    outsider = _("a person outside the organization")
    for line in ctx.lines:
        if line.responsible_id is None:
            continue
        subtree = ctx.unit_subtrees.get(line.unit_id, {line.unit_id})
        if ctx.user_units.get(line.responsible_id, set()) & subtree:
            continue
        names = {
            "line": ctx.line_label(line),
            "person": ctx.user_names.get(line.responsible_id) or outsider,
            "unit": ctx.unit_names.get(line.unit_id, "?"),
        }
        yield Draft(
            rule="responsible_not_in_unit",
            severity=FindingSeverity.WARNING,
            message=message % names,
            fix_hint=hint % names,
            line_ids=[line.id],
            unit_id=line.unit_id,
            subject=str(line.responsible_id),
        )


def check_travel_without_budget(ctx: CheckContext) -> Iterator[Draft]:
    """EDU-5 (procedures and resources): a travel allowance needs a budget."""
    message = _("%(line)s needs a travel allowance (viáticos) but has no budget.")
    hint = _(
        "Enter the budget the travel allowance needs, or untick «needs travel allowance» if "
        "nobody travels."
    )
    for line in ctx.lines:
        if not line.needs_travel or line.budget > 0:
            continue
        yield Draft(
            rule="travel_without_budget",
            severity=FindingSeverity.BLOCKING,
            message=message % {"line": ctx.line_label(line)},
            fix_hint=hint,
            line_ids=[line.id],
            unit_id=line.unit_id,
        )


def check_stakeholder_inactive(ctx: CheckContext) -> Iterator[Draft]:
    """EDU-5 (data of the school): every stakeholder served is an active registry entry."""
    lines_of: dict[int, list[LineInfo]] = defaultdict(list)
    for line in ctx.lines:
        for stakeholder_id in line.stakeholder_ids:
            info = ctx.stakeholders.get(stakeholder_id)
            if info is None or not info.in_registry or not info.is_active:
                lines_of[stakeholder_id].append(line)
    if not lines_of:
        return
    inactive = _(
        "The stakeholder «%(stakeholder)s» is inactive in the registry, but it is served by "
        "%(lines)s."
    )
    unregistered = _(
        "The stakeholder «%(stakeholder)s» is not in the organization's registry, but it is "
        "served by %(lines)s."
    )
    hint = _(
        "Reactivate the stakeholder in the registry if it is still served, or remove it from "
        "the lines."
    )
    for stakeholder_id, lines in sorted(lines_of.items()):
        info = ctx.stakeholders.get(stakeholder_id)
        name = info.name if info is not None else f"#{stakeholder_id}"  # not ours: no name
        labels = "; ".join(ctx.line_label(line) for line in lines[:MAX_NAMED])
        if len(lines) > MAX_NAMED:
            rest = len(lines) - MAX_NAMED
            labels += " " + ngettext("and %(n)s more", "and %(n)s more", rest) % {"n": rest}
        registered = info is not None and info.in_registry
        units = {line.unit_id for line in lines}
        yield Draft(
            rule="stakeholder_inactive",
            severity=FindingSeverity.BLOCKING,
            message=(inactive if registered else unregistered)
            % {"stakeholder": name, "lines": labels},
            fix_hint=hint,
            line_ids=[line.id for line in lines],
            unit_id=units.pop() if len(units) == 1 else None,
            subject=f"{'inactive' if registered else 'unregistered'}:{stakeholder_id}",
        )


def check_line_without_need_or_programme(ctx: CheckContext) -> Iterator[Draft]:
    """EDU-4/EDU-5: the plan answers needs and the development plan (articulation)."""
    required = set(required_fields_for(ctx.procedure_code))
    if "need" in required or "programme" in required:
        return  # already reported, as blocking, by required_fields
    message = _("%(line)s is linked neither to a need nor to a development plan programme.")
    hint = _(
        "Link the line to the need it answers, or write the development plan programme it serves."
    )
    for line in ctx.lines:
        if line.has_need or _text(line.programme):
            continue
        yield Draft(
            rule="line_without_need_or_programme",
            severity=FindingSeverity.WARNING,
            message=message % {"line": ctx.line_label(line)},
            fix_hint=hint,
            line_ids=[line.id],
            unit_id=line.unit_id,
        )


def check_legal_obligation_scope(ctx: CheckContext) -> Iterator[Draft]:
    """FP-5: the legal-obligation flag is only meaningful for national-order entities."""
    message = _(
        "%(line)s is marked as a legal obligation, which only applies to national-order "
        "entities, but it serves none."
    )
    hint = _("Untick «legal obligation», or add the national entity the line serves.")
    for line in ctx.lines:
        if not line.legal_obligation:
            continue
        if _serves_national_entity(ctx, line):
            continue
        yield Draft(
            rule="legal_obligation_scope",
            severity=FindingSeverity.WARNING,
            message=message % {"line": ctx.line_label(line)},
            fix_hint=hint,
            line_ids=[line.id],
            unit_id=line.unit_id,
        )


def _serves_national_entity(ctx: CheckContext, line: LineInfo) -> bool:
    return any(
        ENTITY_ORDER_OF_KIND.get(ctx.stakeholders[pk].kind) == EntityOrder.NATIONAL
        for pk in line.stakeholder_ids
        if pk in ctx.stakeholders
    )


def check_legal_obligation_stated(ctx: CheckContext) -> Iterator[Draft]:
    """FP-5: "para entidades del orden nacional, si la temática es una obligación normativa".

    Only the FP procedure asks it. A line serving a national-order entity states yes or no;
    a "yes" names the norm (law or decree and article): a ticked box is not evidence.
    """
    if ctx.procedure_code != "FP":
        return
    unstated = _(
        "%(line)s serves a national-order entity (%(entities)s) but does not say whether its "
        "topic is a legal obligation (FP-5)."
    )
    unstated_hint = _(
        "Open the line and answer «legal obligation»: yes (with the norm that establishes "
        "it) or no."
    )
    no_norm = _(
        "%(line)s is marked as a legal obligation of %(entities)s but does not name the norm "
        "that establishes it (FP-5)."
    )
    no_norm_hint = _(
        "Write the norm in «norm that establishes it» (law or decree and article, e.g. "
        "«Ley 1955 de 2019, art. 8»), or answer no if no norm obliges it."
    )
    for line in ctx.lines:
        if line.legal_obligation is False or not _serves_national_entity(ctx, line):
            continue
        if line.legal_obligation is True and _text(line.legal_basis):
            continue
        national = [
            ctx.stakeholders[pk].name
            for pk in line.stakeholder_ids
            if pk in ctx.stakeholders
            and ENTITY_ORDER_OF_KIND.get(ctx.stakeholders[pk].kind) == EntityOrder.NATIONAL
        ]
        names = {"line": ctx.line_label(line), "entities": names_list(sorted(national))}
        missing_norm = line.legal_obligation is True
        yield Draft(
            rule="legal_obligation_stated",
            severity=FindingSeverity.BLOCKING,
            message=(no_norm if missing_norm else unstated) % names,
            fix_hint=no_norm_hint if missing_norm else unstated_hint,
            line_ids=[line.id],
            unit_id=line.unit_id,
            subject="norm" if missing_norm else "unstated",
        )


def check_priority_coverage(ctx: CheckContext) -> Iterator[Draft]:
    """FP-1/DNP-1: every prioritised stakeholder of the year is served by some line."""
    if not ctx.priority_entries:
        return
    covered = {pk for line in ctx.lines for pk in line.stakeholder_ids}
    message = _(
        "The prioritised stakeholder «%(stakeholder)s» (rank %(rank)s in «%(list)s») has no "
        "line in any unit plan."
    )
    hint = _(
        "Plan at least one activity for it in the responsible unit's plan, or accept the "
        "finding explaining why it is not served this year."
    )
    for entry in ctx.priority_entries:
        if entry.stakeholder_id in covered:
            continue
        yield Draft(
            rule="priority_coverage",
            severity=FindingSeverity.WARNING,
            message=message
            % {"stakeholder": entry.name, "rank": entry.rank, "list": ctx.priority_list_name},
            fix_hint=hint,
            line_ids=[],
            unit_id=None,
            subject=str(entry.stakeholder_id),
        )


def check_budget_vs_strategy(ctx: CheckContext) -> Iterator[Draft]:
    """FP-2..4: the plans stay within the resources the approved strategy gives each unit."""
    if not ctx.strategy_title:
        return
    budgets: dict[int, Decimal] = defaultdict(Decimal)
    for line in ctx.lines:
        budgets[line.unit_id] += line.budget
    hint = _(
        "Adjust the budgets of the unit's lines to the approved resources, or have the "
        "committee approve the additional resources in the strategy."
    )
    for unit_id, budget in sorted(budgets.items(), key=lambda kv: ctx.unit_names.get(kv[0], "")):
        if budget <= 0:
            continue
        unit = ctx.unit_names.get(unit_id, "?")
        if unit_id not in ctx.strategy_resources:
            message = _(
                "«%(unit)s» plans a budget of %(budget)s but has no resources in the approved "
                "strategy «%(strategy)s»."
            ) % {"unit": unit, "budget": money(budget), "strategy": ctx.strategy_title}
        else:
            resources = ctx.strategy_resources[unit_id]
            if budget <= resources:
                continue
            message = _(
                "The budget of «%(unit)s» (%(budget)s) exceeds the resources approved for it in "
                "the strategy «%(strategy)s» (%(resources)s) by %(difference)s."
            ) % {
                "unit": unit,
                "budget": money(budget),
                "strategy": ctx.strategy_title,
                "resources": money(resources),
                "difference": money(budget - resources),
            }
        yield Draft(
            rule="budget_vs_strategy",
            severity=FindingSeverity.WARNING,
            message=message,
            fix_hint=hint,
            line_ids=[],
            unit_id=unit_id,
            subject=f"unit:{unit_id}",
        )
    total = sum(budgets.values(), Decimal(0))
    approved = sum(ctx.strategy_resources.values(), Decimal(0))
    if total > approved:
        yield Draft(
            rule="budget_vs_strategy",
            severity=FindingSeverity.WARNING,
            message=_(
                "The organization's total budget (%(budget)s) exceeds the resources of the "
                "approved strategy «%(strategy)s» (%(resources)s) by %(difference)s."
            )
            % {
                "budget": money(total),
                "strategy": ctx.strategy_title,
                "resources": money(approved),
                "difference": money(total - approved),
            },
            fix_hint=_(
                "Reduce the budgets of the plans to the approved resources, or have the "
                "committee approve the additional resources in the strategy."
            ),
            line_ids=[],
            unit_id=None,
            subject="organization",
        )


#: Every rule, in the order the findings page lists them within a severity.
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "required_fields",
            FindingSeverity.BLOCKING,
            gettext_lazy("Required fields"),
            gettext_lazy("A line lacks a field its procedure requires."),
            check_required_fields,
        ),
        Rule(
            "duplicated_activity",
            FindingSeverity.BLOCKING,
            gettext_lazy("Duplicated activity"),
            gettext_lazy(
                "Two units plan the same topic for the same stakeholder in overlapping periods."
            ),
            check_duplicated_activity,
        ),
        Rule(
            "outside_fiscal_year",
            FindingSeverity.BLOCKING,
            gettext_lazy("Dates outside the fiscal year"),
            gettext_lazy("Dates outside the fiscal year, or an end before the start."),
            check_outside_fiscal_year,
        ),
        Rule(
            "travel_without_budget",
            FindingSeverity.BLOCKING,
            gettext_lazy("Travel without budget"),
            gettext_lazy("A line needs a travel allowance but has no budget."),
            check_travel_without_budget,
        ),
        Rule(
            "stakeholder_inactive",
            FindingSeverity.BLOCKING,
            gettext_lazy("Inactive or unregistered stakeholder"),
            gettext_lazy("A stakeholder served is inactive or not in the registry."),
            check_stakeholder_inactive,
        ),
        Rule(
            "legal_obligation_stated",
            FindingSeverity.BLOCKING,
            gettext_lazy("Legal obligation not stated"),
            gettext_lazy(
                "A line serving a national-order entity does not say whether its topic is a "
                "legal obligation, or does not name the norm (FP-5)."
            ),
            check_legal_obligation_stated,
        ),
        Rule(
            "responsible_not_in_unit",
            FindingSeverity.WARNING,
            gettext_lazy("Responsible outside the unit"),
            gettext_lazy("The responsible person has no active membership in the line's unit."),
            check_responsible_not_in_unit,
        ),
        Rule(
            "line_without_need_or_programme",
            FindingSeverity.WARNING,
            gettext_lazy("Line without need or programme"),
            gettext_lazy("A line is linked neither to a need nor to a development plan programme."),
            check_line_without_need_or_programme,
        ),
        Rule(
            "legal_obligation_scope",
            FindingSeverity.WARNING,
            gettext_lazy("Legal obligation without national entity"),
            gettext_lazy("The legal-obligation flag is set on a line without a national entity."),
            check_legal_obligation_scope,
        ),
        Rule(
            "priority_coverage",
            FindingSeverity.WARNING,
            gettext_lazy("Prioritised stakeholder without line"),
            gettext_lazy("A stakeholder of the year's priority list has no line."),
            check_priority_coverage,
        ),
        Rule(
            "budget_vs_strategy",
            FindingSeverity.WARNING,
            gettext_lazy("Budget above the strategy"),
            gettext_lazy("A unit's or the organization's budget exceeds the approved strategy."),
            check_budget_vs_strategy,
        ),
        Rule(
            "complementarity",
            FindingSeverity.SUGGESTION,
            gettext_lazy("Visits that could be joined"),
            gettext_lazy("Several units visit the same stakeholder in person in the same period."),
            check_complementarity,
        ),
    )
}

SEVERITY_ORDER: dict[str, int] = {
    FindingSeverity.BLOCKING: 0,
    FindingSeverity.WARNING: 1,
    FindingSeverity.SUGGESTION: 2,
}


def evaluate(ctx: CheckContext) -> dict[str, Draft]:
    """Run every rule; findings by fingerprint (a repeated fingerprint is one finding)."""
    drafts: dict[str, Draft] = {}
    for rule in RULES.values():
        for draft in rule.check(ctx):
            # messages may start with a line's label («line 3 of ...»): a sentence anyway
            draft.message = draft.message[:1].upper() + draft.message[1:]
            drafts.setdefault(draft.fingerprint, draft)
    return drafts
