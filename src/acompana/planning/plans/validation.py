"""Validation of a plan line (SAL-2, FP-5, EDU-2): the one set of rules for the inline form,
the API and the Excel import. No writes here.

``clean_line`` receives the line's values already resolved to objects (the form's scoped
fields, the API's ids, the import's identifiers) and checks what the procedures and the
data need: the activity is written; months are 1–12; the end date is not before the start
date and both fall inside the plan's fiscal year; the budget is not negative; stakeholders,
needs, services and catalogue values belong to the plan's organization and are active (a
value that was already on the line may stay after it was deactivated); the service is one
the plan's unit offers; the responsible person is an active member of the organization; the
legal-obligation flag (FP-5) needs a national entity among the stakeholders.

A chosen service fills what the line leaves empty: its service type, and its mechanism,
modality and topic when the service has exactly one.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from acompana.catalog.models import (
    Mechanism,
    Modality,
    Service,
    ServiceMechanism,
    ServiceModality,
    ServiceTopic,
    ServiceType,
    Topic,
)
from acompana.core.models import Membership, User
from acompana.geo.models import Municipality
from acompana.planning.choices import NeedStatus
from acompana.planning.models import Need, Plan, PlanLine
from acompana.registry.choices import StakeholderKind
from acompana.registry.models import Stakeholder

MAX_BUDGET = Decimal("99999999999999.99")  # max_digits=16, decimal_places=2
TEXT_LIMITS = {
    "activity": 500,
    "programme": 300,
    "place": 250,
    "responsible_team": 300,
    "territorial_manager": 200,
    "legal_basis": 300,
}
MONTH_NAMES = {
    "ene": 1,
    "enero": 1,
    "feb": 2,
    "febrero": 2,
    "mar": 3,
    "marzo": 3,
    "abr": 4,
    "abril": 4,
    "may": 5,
    "mayo": 5,
    "jun": 6,
    "junio": 6,
    "jul": 7,
    "julio": 7,
    "ago": 8,
    "agosto": 8,
    "sep": 9,
    "sept": 9,
    "septiembre": 9,
    "setiembre": 9,
    "oct": 10,
    "octubre": 10,
    "nov": 11,
    "noviembre": 11,
    "dic": 12,
    "diciembre": 12,
}
MONTH_ABBREVIATIONS = [
    "ene",
    "feb",
    "mar",
    "abr",
    "may",
    "jun",
    "jul",
    "ago",
    "sep",
    "oct",
    "nov",
    "dic",
]


@dataclass
class LineInput:
    """The values of a plan line, references resolved to objects."""

    activity: str = ""
    programme: str = ""
    objective: str = ""
    topic: Topic | None = None
    service: Service | None = None
    service_type: ServiceType | None = None
    mechanism: Mechanism | None = None
    modality: Modality | None = None
    months: list[int] = field(default_factory=list)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    place: str = ""
    municipality: Municipality | None = None
    responsible: User | None = None
    responsible_team: str = ""
    budget: Decimal = Decimal(0)
    needs_contract: bool = False
    needs_travel: bool = False
    needs_logistics: bool = False
    procurement_notes: str = ""
    #: FP-5: None while not stated (never assumed "no")
    legal_obligation: bool | None = None
    legal_basis: str = ""
    territorial_manager: str = ""
    stakeholders: list[Stakeholder] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> LineInput:
        """From a form's ``cleaned_data`` (or any mapping): unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for key in ("stakeholders", "needs", "months"):
            if key in values:
                values[key] = list(values[key] or [])
        return cls(**values)

    @classmethod
    def from_line(cls, line: PlanLine) -> LineInput:
        """The current values of ``line`` (its links read through the prefetch cache)."""
        return cls(
            activity=line.activity,
            programme=line.programme,
            objective=line.objective,
            topic=line.topic,
            service=line.service,
            service_type=line.service_type,
            mechanism=line.mechanism,
            modality=line.modality,
            months=list(line.months),
            start_date=line.start_date,
            end_date=line.end_date,
            place=line.place,
            municipality=line.municipality,
            responsible=line.responsible,
            responsible_team=line.responsible_team,
            budget=line.budget,
            needs_contract=line.needs_contract,
            needs_travel=line.needs_travel,
            needs_logistics=line.needs_logistics,
            procurement_notes=line.procurement_notes,
            legal_obligation=line.legal_obligation,
            legal_basis=line.legal_basis,
            territorial_manager=line.territorial_manager,
            stakeholders=[link.stakeholder for link in line.stakeholder_links.all()],
            needs=[link.need for link in line.need_links.all()],
        )

    def column_values(self) -> dict[str, Any]:
        """The values of the ``PlanLine`` columns (everything but the links)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("stakeholders", "needs")
        }


@dataclass(frozen=True)
class ServiceDefaults:
    service_type_id: int
    topic_ids: tuple[int, ...]
    mechanism_ids: tuple[int, ...]
    modality_ids: tuple[int, ...]


class LineContext:
    """What validating lines of one plan needs, read once (an import validates many lines)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.organization_id = plan.organization_id
        self.fiscal_year = plan.fiscal_year
        self._objects: dict[tuple[type[Any], int], Any] = {}

    def fetch(self, model: type[Any], pk: int) -> Any:
        """A catalogue value by id, read once per context."""
        key = (model, pk)
        if key not in self._objects:
            self._objects[key] = model.objects.filter(pk=pk).first()
        return self._objects[key]

    @cached_property
    def member_ids(self) -> set[int]:
        return set(
            Membership.objects.filter(
                organization_id=self.organization_id, is_active=True
            ).values_list("user_id", flat=True)
        )

    @cached_property
    def service_defaults(self) -> dict[int, ServiceDefaults]:
        unit_services = Service.objects.filter(
            organization_id=self.organization_id, unit_id=self.plan.unit_id
        )
        links: dict[str, dict[int, list[int]]] = {"topic": {}, "mechanism": {}, "modality": {}}
        for model, name in (
            (ServiceTopic, "topic"),
            (ServiceMechanism, "mechanism"),
            (ServiceModality, "modality"),
        ):
            rows = model.objects.filter(service__in=unit_services).values_list(  # type: ignore[attr-defined]
                "service_id", f"{name}_id"
            )
            for service_id, value_id in rows:
                links[name].setdefault(service_id, []).append(value_id)
        return {
            pk: ServiceDefaults(
                service_type_id=type_id,
                topic_ids=tuple(links["topic"].get(pk, ())),
                mechanism_ids=tuple(links["mechanism"].get(pk, ())),
                modality_ids=tuple(links["modality"].get(pk, ())),
            )
            for pk, type_id in unit_services.values_list("pk", "service_type_id")
        }


# --- parsing helpers (shared by the import and the API) ----------------------------------------


def _month(word: str) -> int:
    word = word.strip().rstrip(".")
    if word.isdigit() and 1 <= int(word) <= 12:
        return int(word)
    if word in MONTH_NAMES:
        return MONTH_NAMES[word]
    raise ValueError(word)


def parse_months(text: str) -> list[int]:
    """``"1, 2, 3"``, ``"ene; feb"``, ``"3-5"``, ``"mar-abr"`` → sorted months
    (``ValueError`` when a part is not a month)."""
    months: set[int] = set()
    for part in re.split(r"[,;/\s]+", (text or "").strip().lower()):
        if not part:
            continue
        if "-" in part:
            first, _sep, last = part.partition("-")
            start, end = _month(first), _month(last)
            if start > end:
                raise ValueError(part)
            months.update(range(start, end + 1))
        else:
            months.add(_month(part))
    return sorted(months)


def format_months(months: Iterable[int]) -> str:
    return ", ".join(str(m) for m in sorted(months))


def months_label(months: Iterable[int]) -> str:
    """``[1, 2]`` → ``"ene, feb"`` for people."""
    return ", ".join(MONTH_ABBREVIATIONS[m - 1] for m in sorted(months) if 1 <= m <= 12)


def quarters_label(months: Iterable[int]) -> str:
    quarters = sorted({(m - 1) // 3 + 1 for m in months if 1 <= m <= 12})
    return ", ".join(f"T{q}" for q in quarters)


def parse_budget(text: str) -> Decimal:
    """Colombian and plain notations: ``1.500.000``, ``1500000``, ``1.500.000,50``, ``$ 2,5``."""
    value = re.sub(r"[\s$]|COP", "", text or "", flags=re.IGNORECASE)
    if not value:
        return Decimal(0)
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        value = (
            value.replace(",", "")
            if re.fullmatch(r"-?\d{1,3}(,\d{3})+", value)
            else value.replace(",", ".")
        )
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3}){2,}", value) or re.fullmatch(r"-?\d{1,3}\.\d{3}", value):
        # 1.500 or 1.500.000: thousands separators (a budget with three decimals is not a thing)
        value = value.replace(".", "")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ValueError(text)
    if not result.is_finite():
        raise ValueError(text)
    return result


TRUE_WORDS = {"si", "sí", "s", "x", "1", "true", "verdadero", "yes"}
FALSE_WORDS = {"no", "n", "0", "false", "falso", ""}


def parse_bool(text: str) -> bool:
    word = (text or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(text)


def parse_date(text: str) -> datetime.date | None:
    """``dd/mm/aaaa``, ``aaaa-mm-dd`` or an Excel date cell (``aaaa-mm-dd hh:mm:ss``)."""
    value = (text or "").strip()
    if not value:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


# --- the rules --------------------------------------------------------------------------------


def _months_between(start: datetime.date, end: datetime.date) -> list[int]:
    if end.year != start.year:
        return list(range(start.month, 13))
    return list(range(start.month, end.month + 1))


def clean_line(
    *, context: LineContext, data: LineInput, current: LineInput | None = None
) -> LineInput:
    """``data`` validated and completed (service defaults, months from dates), or
    ``ValidationError`` with a Spanish message per field."""
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    organization_id = context.organization_id
    data.activity = (data.activity or "").strip()
    for name in ("programme", "objective", "place", "responsible_team", "procurement_notes"):
        setattr(data, name, (getattr(data, name) or "").strip())
    data.territorial_manager = (data.territorial_manager or "").strip()
    # the norm only means something when the topic IS a legal obligation
    data.legal_basis = (
        " ".join((data.legal_basis or "").split()) if data.legal_obligation is True else ""
    )
    if not data.activity:
        error("activity", _("Write the activity or project."))
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(data, name)) > limit:
            error(name, _("Write at most %(limit)s characters.") % {"limit": limit})

    # months and dates
    months: list[int] = []
    for month in data.months or []:
        try:
            number = int(month)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 12:
            error("months", _("The planned months must be between 1 and 12."))
            break
        months.append(number)
    data.months = sorted(set(months))
    fiscal_year = context.fiscal_year
    if data.start_date and data.end_date and data.end_date < data.start_date:
        error("end_date", _("The end date cannot be before the start date."))
    for name in ("start_date", "end_date"):
        value = getattr(data, name)
        if value and not fiscal_year.start_date <= value <= fiscal_year.end_date:
            error(
                name,
                _("The date must be inside the fiscal year %(year)s (%(start)s to %(end)s).")
                % {
                    "year": fiscal_year.year,
                    "start": fiscal_year.start_date.strftime("%d/%m/%Y"),
                    "end": fiscal_year.end_date.strftime("%d/%m/%Y"),
                },
            )
    if not data.months and data.start_date and "months" not in errors:
        data.months = _months_between(data.start_date, data.end_date or data.start_date)

    # budget
    budget = data.budget if data.budget is not None else Decimal(0)
    try:
        budget = Decimal(budget)
    except (InvalidOperation, TypeError, ValueError):
        error("budget", _("Write the budget as a number of pesos."))
        budget = Decimal(0)
    if budget < 0:
        error("budget", _("The budget cannot be negative."))
    elif budget > MAX_BUDGET:
        error("budget", _("The budget is too large."))
    data.budget = budget.quantize(Decimal("0.01")) if budget.is_finite() else Decimal(0)

    # catalogue values: same organization, active unless already on the line
    for name in ("topic", "service_type", "mechanism", "modality", "service"):
        value = getattr(data, name)
        if value is None:
            continue
        if value.organization_id != organization_id:
            error(name, _("«%(value)s» is not of this organization.") % {"value": value})
            continue
        kept = (
            current is not None
            and getattr(current, name) is not None
            and getattr(current, name).pk == value.pk
        )
        if not value.is_active and not kept:
            error(name, _("«%(value)s» is inactive: choose an active value.") % {"value": value})
    service = data.service
    if service is not None and "service" not in errors:
        if service.unit_id != context.plan.unit_id:
            error(
                "service",
                _("The service «%(service)s» is not offered by the unit «%(unit)s».")
                % {"service": service, "unit": context.plan.unit},
            )
        else:
            _apply_service_defaults(context, data)

    # people and stakeholders
    if data.responsible is not None and data.responsible.pk not in context.member_ids:
        error(
            "responsible", _("The responsible person must be an active member of the organization.")
        )
    current_stakeholders = {s.pk for s in current.stakeholders} if current else set()
    stakeholders: dict[int, Stakeholder] = {}
    for stakeholder in data.stakeholders or []:
        if stakeholder.organization_id != organization_id:
            error(
                "stakeholders",
                _("«%(name)s» is not in this organization's registry.") % {"name": stakeholder},
            )
        elif not stakeholder.is_active and stakeholder.pk not in current_stakeholders:
            error(
                "stakeholders", _("«%(name)s» is inactive in the registry.") % {"name": stakeholder}
            )
        else:
            stakeholders[stakeholder.pk] = stakeholder
    data.stakeholders = list(stakeholders.values())
    current_needs = {n.pk for n in current.needs} if current else set()
    needs: dict[int, Need] = {}
    for need in data.needs or []:
        if need.organization_id != organization_id:
            error("needs", _("The need «%(title)s» is not of this organization.") % {"title": need})
        elif need.status == NeedStatus.DISCARDED and need.pk not in current_needs:
            error("needs", _("The need «%(title)s» was discarded.") % {"title": need})
        else:
            needs[need.pk] = need
    data.needs = list(needs.values())
    if data.legal_obligation and not any(
        s.kind == StakeholderKind.NATIONAL_ENTITY for s in data.stakeholders
    ):
        error(
            "legal_obligation",
            _(
                "The legal obligation applies to national entities (FP-5): add a national "
                "entity among the stakeholders or clear the box."
            ),
        )
    if errors:
        raise ValidationError(errors)
    return data


def _apply_service_defaults(context: LineContext, data: LineInput) -> None:
    assert data.service is not None
    defaults = context.service_defaults.get(data.service.pk)
    if defaults is None:
        return
    if data.service_type is None:
        data.service_type = context.fetch(ServiceType, defaults.service_type_id)
    for name, model, ids in (
        ("mechanism", Mechanism, defaults.mechanism_ids),
        ("modality", Modality, defaults.modality_ids),
        ("topic", Topic, defaults.topic_ids),
    ):
        if getattr(data, name) is None and len(ids) == 1:
            setattr(data, name, context.fetch(model, ids[0]))
