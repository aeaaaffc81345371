"""Permission cases (ViewCase) and API cases (ApiCase) of planning's checks area, plus the
small builders the checks tests share (a consolidated plan, unit plans, complete lines)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from acompana.catalog.models import Mechanism, Modality, ServiceType, Topic
from acompana.core.models import Organization, Unit, User
from acompana.core.tests.api_case import ApiCase
from acompana.core.tests.cases import ApiListCase, ViewCase, unique_text
from acompana.planning.choices import FindingSeverity, PlanStatus
from acompana.planning.models import (
    ConsolidatedPlan,
    Finding,
    Plan,
    PlanLine,
    PlanLineNeed,
    PlanLineStakeholder,
    PrioritisationModel,
    PriorityList,
    PriorityListEntry,
)
from acompana.planning.tests.factories import (
    ConsolidatedPlanFactory,
    NeedFactory,
    PlanFactory,
    PlanLineFactory,
    fiscal_year,
)
from acompana.registry.models import Stakeholder

# --- builders -----------------------------------------------------------------------------------


def consolidated_for(org: Organization, **fields: Any) -> ConsolidatedPlan:
    return ConsolidatedPlanFactory(organization=org, **fields)


def plan_for(
    consolidated: ConsolidatedPlan | None,
    unit: Unit,
    user: User,
    *,
    status: str = PlanStatus.CONSOLIDATED,
    year: int | None = None,
) -> Plan:
    return PlanFactory(
        organization=unit.organization,
        unit=unit,
        created_by=user,
        consolidated=consolidated,
        status=status,
        fiscal_year=fiscal_year(unit.organization, year),
    )


def stakeholder(org: Organization, name: str = "IE San José", **fields: Any) -> Stakeholder:
    fields.setdefault("kind", "school")
    return Stakeholder.objects.create(organization=org, name=name, **fields)


def catalogue(org: Organization) -> dict[str, Any]:
    """One value of each vocabulary a line refers to (created once per organization)."""
    return {
        "topic": Topic.objects.get_or_create(
            organization=org, code="convivencia", defaults={"name": "Convivencia escolar"}
        )[0],
        "topic2": Topic.objects.get_or_create(
            organization=org, code="pae", defaults={"name": "Alimentación escolar"}
        )[0],
        "mechanism": Mechanism.objects.get_or_create(
            organization=org, code="visita", defaults={"name": "Visita"}
        )[0],
        "remote": Mechanism.objects.get_or_create(
            organization=org, code="videoconferencia", defaults={"name": "Videoconferencia"}
        )[0],
        "in_person": Modality.objects.get_or_create(
            organization=org, code="presencial", defaults={"name": "Presencial"}
        )[0],
        "virtual": Modality.objects.get_or_create(
            organization=org, code="virtual", defaults={"name": "Virtual"}
        )[0],
        "service_type": ServiceType.objects.get_or_create(
            organization=org, code="asistencia_tecnica", defaults={"name": "Asistencia técnica"}
        )[0],
    }


def complete_line(
    plan: Plan,
    *,
    stakeholders: list[Stakeholder] | None = None,
    with_need: bool = True,
    responsible: User | None = None,
    **fields: Any,
) -> PlanLine:
    """A line with every field of the strictest list (EDU-5) filled, unless overridden."""
    org = plan.organization
    values = catalogue(org)
    defaults: dict[str, Any] = {
        "programme": "Calidad educativa",
        "objective": "Fortalecer la convivencia escolar.",
        "topic": values["topic"],
        "service_type": values["service_type"],
        "mechanism": values["mechanism"],
        "modality": values["in_person"],
        "months": [3],
        "place": "Sede principal",
        "responsible_team": "Equipo de calidad",
        "budget": Decimal("1000000"),
    }
    defaults.update(fields)
    line = PlanLineFactory(plan=plan, responsible=responsible, **defaults)
    for s in stakeholders if stakeholders is not None else [stakeholder(org, f"IE {line.pk}")]:
        PlanLineStakeholder.objects.create(organization=org, line=line, stakeholder=s)
    if with_need:
        need = NeedFactory(organization=org)
        PlanLineNeed.objects.create(organization=org, line=line, need=need)
    return line


def priority_list(world, entries, *, name="Priorización 2026", saved_at=None):
    fy = fiscal_year(world.org)
    model = PrioritisationModel.objects.create(
        organization=world.org, fiscal_year=fy, name="Modelo", created_by=world.planner
    )
    extra = {"saved_at": saved_at} if saved_at else {}
    saved = PriorityList.objects.create(
        organization=world.org,
        model=model,
        fiscal_year=fy,
        name=name,
        saved_by=world.planner,
        **extra,
    )
    for rank, (s, selected) in enumerate(entries, start=1):
        PriorityListEntry.objects.create(
            organization=world.org,
            priority_list=saved,
            stakeholder=s,
            rank=rank,
            score=Decimal(100 - rank),
            selected=selected,
        )
    return saved


def open_finding(consolidated: ConsolidatedPlan, **fields: Any) -> Finding:
    defaults: dict[str, Any] = {
        "rule": "travel_without_budget",
        "severity": FindingSeverity.BLOCKING,
        "message": "La línea 1 necesita viáticos pero no tiene presupuesto.",
        "fix_hint": "Registre el presupuesto.",
        "fingerprint": f"prueba-{Finding.objects.count()}",
    }
    defaults.update(fields)
    return Finding.objects.create(
        organization=consolidated.organization, consolidated=consolidated, **defaults
    )


def _consolidated(world: Any) -> ConsolidatedPlan:
    consolidated = consolidated_for(world.org)
    plan = plan_for(consolidated, world.unit, world.unit_head)
    complete_line(plan, needs_travel=True, budget=Decimal(0), start_date=datetime.date.today())
    return consolidated


def _finding(world: Any) -> Finding:
    return open_finding(consolidated_for(world.org))


def _finding_rows(world: Any, organization: Any, parent: Any, n: int) -> list[Finding]:
    """Open findings of ``parent`` (or of a new consolidated plan of the organization)."""
    consolidated = parent or consolidated_for(organization)
    return [open_finding(consolidated, message=unique_text("Hallazgo")) for _ in range(n)]


def _consolidated_rows(world: Any, organization: Any, parent: Any, n: int) -> list[Any]:
    from acompana.planning.tests.cases_plans import consolidated_rows

    return consolidated_rows(world, organization, parent, n)


JUSTIFICATION = "La visita usa el vehículo de la entidad: no requiere viáticos."

# --- permission cases (pages) -------------------------------------------------------------------

CASES: list = [
    ViewCase("planning:checks_index", rows=_consolidated_rows, marker=lambda c: c.title),
    ViewCase(
        "planning:findings", obj=_consolidated, rows=_finding_rows, marker=lambda f: f.message
    ),
    ViewCase(
        "planning:checks_run",
        obj=_consolidated,
        method="post",
        redirect="planning:findings",
        redirect_kwargs=lambda world, obj: {"pk": obj.pk},
    ),
    ViewCase("planning:findings_export", obj=_consolidated),
    ViewCase("planning:finding_accept", obj=_finding),
    ViewCase(
        "planning:finding_accept",
        obj=_finding,
        method="post",
        data=lambda world, obj: {"justification": JUSTIFICATION},
        redirect="planning:findings",
        redirect_kwargs=lambda world, obj: {"pk": obj.consolidated_id},
    ),
]

#: API lists (tests/test_api_lists_generic.py)
API_LISTS: list = [
    ApiListCase(
        "planning_finding_list",
        rows=_finding_rows,
        obj=_consolidated,
        kwargs=lambda obj: {"consolidated_id": obj.pk},
    ),
]

# --- API cases ----------------------------------------------------------------------------------


def _consolidated_kwargs(obj: Any) -> dict[str, Any]:
    return {"consolidated_id": obj.pk}


def _finding_kwargs(obj: Any) -> dict[str, Any]:
    return {"finding_id": obj.pk}


API_CASES: list = [
    ApiCase(
        "planning_checks_run",
        method="post",
        obj=_consolidated,
        kwargs=_consolidated_kwargs,
    ),
    ApiCase(
        "planning_checks_summary",
        obj=_consolidated,
        kwargs=_consolidated_kwargs,
    ),
    ApiCase(
        "planning_finding_list",
        obj=_consolidated,
        kwargs=_consolidated_kwargs,
    ),
    ApiCase("planning_finding_detail", obj=_finding, kwargs=_finding_kwargs),
    ApiCase(
        "planning_finding_accept",
        method="post",
        obj=_finding,
        kwargs=_finding_kwargs,
        payload=lambda world, obj: {"justification": JUSTIFICATION},
    ),
]
