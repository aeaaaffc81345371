"""Permission cases (ViewCase) and API cases (ApiCase) of planning's plans area.

Objects are built in ``world.org`` and ``world.unit`` (the unit of the unit head and the
professional), so a granted role gets through. ``build_world()`` gives a SAL organization;
the consolidated plan exists only where planning consolidates, so those builders switch
the organization to the EDU procedure (MI-GE-PR-16) first.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from acompana.core.documents import document_store
from acompana.core.models import FiscalYear
from acompana.core.tests.api_case import ApiCase
from acompana.core.tests.cases import ApiListCase, ViewCase, unique_number, unique_text
from acompana.core.tests.factories import UnitFactory
from acompana.planning.choices import ConsolidatedStatus, PlanStatus
from acompana.planning.models import ConsolidatedPlan, Plan, PlanLine
from acompana.planning.tests.factories import (
    ConsolidatedPlanFactory,
    PlanFactory,
    PlanLineFactory,
    fiscal_year,
)

# --- builders (also used by the tests of the plans area) ------------------------------------


def use_procedure(world, code: str):
    """Make the world's organization follow procedure ``code`` (SAL, FP, EDU, DNP)."""
    world.org.procedure_code = code
    world.org.save(update_fields=["procedure_code"])
    return world


def make_plan(world, *, status=PlanStatus.DRAFT, unit=None, lines=1, consolidated=None) -> Plan:
    plan = PlanFactory(
        organization=world.org,
        unit=unit or world.unit,
        created_by=world.admin,
        status=status,
        consolidated=consolidated,
    )
    for _ in range(lines):
        PlanLineFactory(plan=plan, position=plan.lines.count() + 1)
    return plan


def complete_line(
    world, plan: Plan, *, activity: str = "Visita de acompañamiento", **values
) -> PlanLine:
    """A line with every field the EDU-5 list asks for (the consistency checks pass on it)."""
    from decimal import Decimal

    from acompana.catalog.tests.factories import MechanismFactory, ServiceTypeFactory
    from acompana.planning.tests.factories import NeedFactory
    from acompana.registry.tests.factories import StakeholderFactory, municipality

    defaults = {
        "programme": "Calidad educativa para todos",
        "objective": "Fortalecer la gestión académica",
        "service_type": ServiceTypeFactory(organization=world.org),
        "mechanism": MechanismFactory(organization=world.org),
        "months": [3, 4],
        "place": "Sede principal",
        "municipality": municipality("41298"),
        "responsible": world.users["professional"],
        "responsible_team": "Equipo de calidad",
        "budget": Decimal("1200000"),
        "needs_travel": True,
    }
    defaults.update(values)
    line = PlanLineFactory(
        plan=plan, activity=activity, position=plan.lines.count() + 1, **defaults
    )
    stakeholder = StakeholderFactory(organization=world.org)
    line.stakeholder_links.create(organization=world.org, stakeholder=stakeholder)
    line.need_links.create(organization=world.org, need=NeedFactory(organization=world.org))
    return line


def make_line(world) -> PlanLine:
    return make_plan(world).lines.get()


def make_consolidated(
    world,
    *,
    status=ConsolidatedStatus.DRAFT,
    plan_status=PlanStatus.CONSOLIDATED,
    code="EDU",
    unit=None,
) -> ConsolidatedPlan:
    use_procedure(world, code)
    consolidated = ConsolidatedPlanFactory(organization=world.org, status=status)
    make_plan(world, status=plan_status, consolidated=consolidated, unit=unit)
    return consolidated


def make_document(world):
    plan = make_plan(world)
    return document_store(
        actor=world.admin,
        organization=world.org,
        obj=plan,
        kind="plan.pdf",
        title="Plan de prueba",
        content=b"%PDF-1.4 plan de prueba",
        filename="plan.pdf",
    )


def _gatherable(world) -> ConsolidatedPlan:
    consolidated = make_consolidated(world)
    make_plan(world, status=PlanStatus.UNIT_APPROVED, unit=world.sibling_unit)
    return consolidated


def _year_with_approved_plan(world) -> FiscalYear:
    use_procedure(world, "EDU")
    if not Plan.objects.filter(organization=world.org, unit=world.unit).exists():
        make_plan(world, status=PlanStatus.UNIT_APPROVED)
    return fiscal_year(world.org)


def _csv_file(world, obj):
    return {"file": SimpleUploadedFile("plan.csv", b"Actividades / proyectos\nTaller\n")}


def _committee_payload(world, obj):
    return {
        "acta_number": f"AC-{obj.pk}",
        "date": datetime.date.today().isoformat(),
        "attendees": "Secretaria de Educación\nLíder de Planeación",
        "decision": "approved",
        "comments": "",
    }


def _submitted(world):
    return make_plan(world, status=PlanStatus.SUBMITTED)


def _verified(world):
    return make_consolidated(
        world, status=ConsolidatedStatus.VERIFIED, plan_status=PlanStatus.VERIFIED
    )


def _in_committee(world):
    """EDU-6: sent to the committee, its coverage not reviewed yet."""
    return make_consolidated(
        world, status=ConsolidatedStatus.IN_COMMITTEE, plan_status=PlanStatus.VERIFIED
    )


def _reviewed(world):
    """EDU-7: the committee reviewed the coverage and decides."""
    return make_consolidated(
        world, status=ConsolidatedStatus.COMMITTEE_REVIEWED, plan_status=PlanStatus.VERIFIED
    )


def _edu_plan(world):
    """A draft of an EDU unit (EDU-2: the professional writes and submits it)."""
    use_procedure(world, "EDU")
    return make_plan(world)


def _approved(world):
    return make_consolidated(
        world,
        status=ConsolidatedStatus.COMMITTEE_APPROVED,
        plan_status=PlanStatus.COMMITTEE_APPROVED,
    )


# --- rows of the lists (tests/test_permissions_generic.py: tenancy and query count) -------------


def _actor_in(world, organization):
    return world.admin if organization == world.org else world.outsider


def _plan_rows(world, organization, parent, n):
    """Plans of new units (one plan per unit and year)."""
    return [
        PlanFactory(
            organization=organization,
            unit=UnitFactory(organization=organization),
            created_by=_actor_in(world, organization),
            title=unique_text("Plan"),
        )
        for _ in range(n)
    ]


def consolidated_rows(world, organization, parent, n):
    """Consolidated plans of new years (one per year) of an organization that consolidates."""
    organization.procedure_code = "EDU"
    organization.save(update_fields=["procedure_code"])
    return [
        ConsolidatedPlanFactory(
            organization=organization,
            fiscal_year=fiscal_year(organization, 2500 + unique_number()),
            title=unique_text("Plan consolidado"),
        )
        for _ in range(n)
    ]


def _consolidated_line_rows(world, organization, parent, n):
    """Lines of the plan gathered in ``parent`` (or in a new consolidated plan)."""
    if parent is None:
        parent = consolidated_rows(world, organization, None, 1)[0]
        PlanFactory(
            organization=organization,
            unit=UnitFactory(organization=organization),
            created_by=_actor_in(world, organization),
            status=PlanStatus.CONSOLIDATED,
            consolidated=parent,
            fiscal_year=parent.fiscal_year,
        )
    plan = parent.plans.first()
    start = plan.lines.count()
    return [
        PlanLineFactory(plan=plan, activity=unique_text("Actividad"), position=start + i)
        for i in range(1, n + 1)
    ]


def _line_rows(world, organization, parent, n):
    """Lines of ``parent`` (a plan of ``world.org``) or of a new plan."""
    plan = parent or _plan_rows(world, organization, None, 1)[0]
    start = plan.lines.count()
    return [
        PlanLineFactory(plan=plan, activity=unique_text("Actividad"), position=start + i)
        for i in range(1, n + 1)
    ]


def _title(row):
    return row.title


def _same_pk(world, obj):
    return {"pk": obj.pk}


#: where a successful POST leads: the plan (of the line), the consolidated plan
_TO_PLAN = {"redirect": "planning:plan_detail", "redirect_kwargs": _same_pk}
_TO_LINE_PLAN = {
    "redirect": "planning:plan_detail",
    "redirect_kwargs": lambda w, o: {"pk": o.plan_id},
}
_TO_CONSOLIDATED = {"redirect": "planning:consolidated_detail", "redirect_kwargs": _same_pk}


def _line_kwargs(line):
    return {"pk": line.pk}


CASES = [
    ViewCase("planning:plan_list", rows=_plan_rows, marker=_title),
    ViewCase("planning:plan_create"),
    ViewCase(
        "planning:plan_create",
        method="post",
        data=lambda w, o: {"unit": w.unit.pk, "fiscal_year": fiscal_year(w.org).pk},
        redirect="planning:plan_detail",
    ),
    ViewCase("planning:plan_detail", obj=make_plan),
    ViewCase("planning:plan_summary", obj=make_plan),
    ViewCase("planning:plan_edit", obj=make_plan),
    ViewCase(
        "planning:plan_edit",
        obj=make_plan,
        method="post",
        data=lambda w, o: {"title": "Plan renombrado", "version": o.version},
        **_TO_PLAN,
    ),
    ViewCase("planning:plan_line_create", obj=make_plan),
    ViewCase(
        "planning:plan_line_create",
        obj=make_plan,
        method="post",
        data=lambda w, o: {"activity": "Visita de acompañamiento", "months": ["4"]},
        **_TO_PLAN,
    ),
    ViewCase("planning:plan_line_row", obj=make_line),
    ViewCase("planning:plan_line_edit", obj=make_line),
    ViewCase(
        "planning:plan_line_edit",
        obj=make_line,
        method="post",
        data=lambda w, o: {"activity": "Taller editado", "version": o.version},
        **_TO_LINE_PLAN,
    ),
    ViewCase("planning:plan_line_duplicate", obj=make_line, method="post", **_TO_LINE_PLAN),
    ViewCase(
        "planning:plan_line_delete",
        obj=make_line,
        method="post",
        data=lambda w, o: {"version": o.version},
        **_TO_LINE_PLAN,
    ),
    ViewCase(
        "planning:plan_line_move",
        obj=make_line,
        method="post",
        data=lambda w, o: {"direction": "up"},
        **_TO_LINE_PLAN,
    ),
    ViewCase("planning:plan_stakeholder_search", obj=make_plan),
    ViewCase("planning:plan_need_search", obj=make_plan),
    ViewCase("planning:plan_submit", obj=_edu_plan, method="post", role="professional", **_TO_PLAN),
    # SAL-2: no review, the unit head (or a professional) finalises the plan in one action
    ViewCase("planning:plan_finalise", obj=make_plan, method="post", role="unit_head", **_TO_PLAN),
    ViewCase("planning:plan_approve", obj=_submitted, method="post", **_TO_PLAN),
    ViewCase("planning:plan_return", obj=_submitted),
    ViewCase(
        "planning:plan_return",
        obj=_submitted,
        method="post",
        data=lambda w, o: {"comments": "Falta el municipio de las visitas.", "version": o.version},
        **_TO_PLAN,
    ),
    ViewCase("planning:plan_publish", obj=_submitted, method="post", **_TO_PLAN),
    ViewCase("planning:plan_pdf", obj=make_plan),
    ViewCase("planning:plan_export", obj=make_plan),
    ViewCase("planning:plan_import", obj=make_plan),
    ViewCase(
        "planning:plan_import",
        obj=make_plan,
        method="post",
        data=_csv_file,
        redirect="planning:plan_import_preview",
        redirect_kwargs=_same_pk,
    ),
    # without a pending upload in the session both go back to the upload page
    ViewCase(
        "planning:plan_import_preview",
        obj=make_plan,
        redirect="planning:plan_import",
        redirect_kwargs=_same_pk,
    ),
    ViewCase(
        "planning:plan_import_confirm",
        obj=make_plan,
        method="post",
        data=lambda w, o: {"mode": "append"},
        redirect="planning:plan_import",
        redirect_kwargs=_same_pk,
    ),
    ViewCase("planning:consolidated_list", rows=consolidated_rows, marker=_title),
    ViewCase("planning:consolidated_create"),
    ViewCase(
        "planning:consolidated_create",
        method="post",
        data=lambda w, o: {"fiscal_year": _year_with_approved_plan(w).pk},
        redirect="planning:consolidated_detail",
        role="planner",
    ),
    ViewCase(
        "planning:consolidated_detail",
        obj=make_consolidated,
        rows=_consolidated_line_rows,
        marker=lambda line: line.activity,
    ),
    ViewCase(
        "planning:consolidated_gather",
        obj=_gatherable,
        method="post",
        role="planner",
        **_TO_CONSOLIDATED,
    ),
    ViewCase(
        "planning:consolidated_verify", obj=make_consolidated, method="post", **_TO_CONSOLIDATED
    ),
    ViewCase(
        "planning:consolidated_send_to_committee",
        obj=_verified,
        method="post",
        role="planner",
        **_TO_CONSOLIDATED,
    ),
    ViewCase("planning:consolidated_coverage", obj=_in_committee),
    ViewCase(
        "planning:consolidated_committee_review",
        obj=_in_committee,
        method="post",
        data=lambda w, o: {"version": o.version, "comments": "Cubre la cadena de valor."},
        **_TO_CONSOLIDATED,
    ),
    ViewCase("planning:consolidated_return", obj=make_consolidated),
    ViewCase(
        "planning:consolidated_return",
        obj=make_consolidated,
        method="post",
        data=lambda w, o: {
            "comments": "Actividades duplicadas con otra dependencia.",
            "plans": [p.pk for p in o.plans.all()],
        },
        **_TO_CONSOLIDATED,
    ),
    ViewCase("planning:consolidated_committee", obj=_reviewed),
    ViewCase(
        "planning:consolidated_committee",
        obj=_reviewed,
        method="post",
        data=_committee_payload,
        **_TO_CONSOLIDATED,
    ),
    ViewCase(
        "planning:consolidated_publish",
        obj=_approved,
        method="post",
        role="planner",
        **_TO_CONSOLIDATED,
    ),
    ViewCase("planning:consolidated_pdf", obj=make_consolidated),
    ViewCase("planning:consolidated_export", obj=make_consolidated),
]

#: API lists (tests/test_api_lists_generic.py)
API_LISTS = [
    ApiListCase("planning_plan_list", rows=_plan_rows),
    ApiListCase("planning_line_list", rows=_line_rows, obj=make_plan),
    ApiListCase("planning_consolidated_list", rows=consolidated_rows),
]

API_CASES = [
    ApiCase("planning_plan_list"),
    ApiCase(
        "planning_plan_create",
        method="post",
        obj=lambda w: w.unit,
        kwargs=lambda o: {},
        payload=lambda w, o: {"unit_id": o.pk, "fiscal_year_id": fiscal_year(w.org).pk},
    ),
    ApiCase("planning_plan_detail", obj=make_plan),
    ApiCase(
        "planning_plan_update",
        method="patch",
        obj=make_plan,
        payload=lambda w, o: {"version": o.version, "title": "Plan renombrado"},
    ),
    ApiCase(
        "planning_plan_submit",
        method="post",
        obj=_edu_plan,
        payload=lambda w, o: {},
        role="professional",
    ),
    ApiCase(
        "planning_plan_finalise",
        method="post",
        obj=make_plan,
        payload=lambda w, o: {"version": o.version},
        role="unit_head",
    ),
    ApiCase(
        "planning_plan_approve",
        method="post",
        obj=_submitted,
        payload=lambda w, o: {"version": o.version},
    ),
    ApiCase(
        "planning_plan_return",
        method="post",
        obj=_submitted,
        payload=lambda w, o: {"comments": "Falta el objetivo."},
    ),
    ApiCase(
        "planning_plan_publish",
        method="post",
        obj=_submitted,
        payload=lambda w, o: {},
    ),
    ApiCase("planning_line_list", obj=make_plan),
    ApiCase(
        "planning_line_create",
        method="post",
        obj=make_plan,
        payload=lambda w, o: {"activity": "Mesa de trabajo", "months": [5, 6]},
    ),
    ApiCase("planning_line_detail", obj=make_line),
    ApiCase(
        "planning_line_update",
        method="patch",
        obj=make_line,
        payload=lambda w, o: {"version": o.version, "activity": "Taller editado"},
    ),
    ApiCase(
        "planning_line_delete",
        method="delete",
        obj=make_line,
        query=lambda w, o: {"version": o.version},
    ),
    ApiCase("planning_consolidated_list"),
    ApiCase(
        "planning_consolidated_create",
        method="post",
        obj=_year_with_approved_plan,
        kwargs=lambda o: {},
        payload=lambda w, o: {"fiscal_year_id": o.pk},
        role="planner",
    ),
    ApiCase("planning_consolidated_detail", obj=make_consolidated),
    ApiCase(
        "planning_consolidated_gather",
        method="post",
        obj=_gatherable,
        payload=lambda w, o: {"version": o.version},
        role="planner",
    ),
    ApiCase(
        "planning_consolidated_verify",
        method="post",
        obj=make_consolidated,
        payload=lambda w, o: {},
        # 400 when the consistency checks find blocking findings in the built plan
        expected_status=(200, 400),
    ),
    ApiCase(
        "planning_consolidated_return",
        method="post",
        obj=make_consolidated,
        payload=lambda w, o: {"comments": "Actividades duplicadas con otra dependencia."},
    ),
    ApiCase(
        "planning_consolidated_send_to_committee",
        method="post",
        obj=_verified,
        payload=lambda w, o: {"version": o.version},
        role="planner",
    ),
    ApiCase(
        "planning_consolidated_committee_review",
        method="post",
        obj=_in_committee,
        payload=lambda w, o: {"version": o.version, "comments": "Cubre la cadena de valor."},
    ),
    ApiCase(
        "planning_consolidated_committee",
        method="post",
        obj=_reviewed,
        payload=_committee_payload,
    ),
    ApiCase(
        "planning_consolidated_publish",
        method="post",
        obj=_approved,
        payload=lambda w, o: {},
        role="planner",
    ),
]
