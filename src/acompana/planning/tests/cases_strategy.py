"""Permission cases (ViewCase) and API cases (ApiCase) of planning's strategy area (FP-2..4).

The builders below make a strategy of ``world.org`` in each state a URL needs; they are also
used by the strategy tests. ``world.org`` follows the SAL procedure (no committee stage on
the strategy); the builders that need the committee stage switch it to FP first.
"""

from __future__ import annotations

import datetime
from typing import Any

from acompana.catalog.models import Modality
from acompana.catalog.tests.factories import (
    MilestoneTemplateFactory,
    ModalityFactory,
    ServiceFactory,
)
from acompana.core.choices import ProcedureCode
from acompana.core.models import Document
from acompana.core.permissions import roles_in
from acompana.core.tests.api_case import ApiCase
from acompana.core.tests.cases import ApiListCase, ViewCase, unique_number, unique_text
from acompana.planning.models import Strategy, StrategyProposal
from acompana.planning.strategy import services as strategy_services
from acompana.planning.tests.factories import fiscal_year

# --- builders ----------------------------------------------------------------------------------


def use_procedure(world: Any, code: str) -> None:
    """Make ``world.org`` follow another procedure (before any request or service call)."""
    world.org.procedure_code = code
    world.org.save(update_fields=["procedure_code"])


def open_strategy(world: Any) -> Strategy:
    return strategy_services.strategy_open(
        actor=world.planner, organization=world.org, fiscal_year=fiscal_year(world.org)
    )


def proposal_of(strategy: Strategy, unit: Any) -> StrategyProposal:
    return StrategyProposal.objects.select_related("strategy", "unit").get(
        strategy=strategy, unit=unit
    )


def unit_service(world: Any, unit: Any = None, *, name: str = "Asesoría en gestión") -> Any:
    service = ServiceFactory(organization=world.org, unit=unit or world.unit, name=name)
    MilestoneTemplateFactory(service=service, name="Diagnóstico", required=True)
    return service


def modality(world: Any) -> Any:
    found = Modality.objects.filter(organization=world.org, code="presencial").first()
    return found or ModalityFactory(organization=world.org, name="Presencial", code="presencial")


def proposer(world: Any) -> Any:
    """Who writes the proposals in ``world.org``'s procedure: FP-2 names the unit heads and
    the Subdirección (leadership); procedures without that step keep the permission table."""
    allowed = roles_in("planning.propose_strategy", organization=world.org)
    return world.planner if "planner" in allowed else world.leadership


def fill(world: Any, proposal: StrategyProposal, *, services: list[Any] | None = None) -> Any:
    if services is None:
        services = [unit_service(world, proposal.unit, name=f"Servicio de {proposal.unit}")]
    return strategy_services.strategy_proposal_update(
        actor=proposer(world),
        proposal=proposal,
        expected_version=proposal.version,
        data={
            "services": services,
            "resources": "15000000",
            "modality": modality(world),
            "people": "Equipo de asistencia técnica de la dirección",
            "alliances": "ESAP",
            "milestones": "Primer trimestre",
            "joint": False,
        },
    )


def filled_proposal(world: Any) -> StrategyProposal:
    strategy = open_strategy(world)
    return fill(world, proposal_of(strategy, world.unit))


def submitted_proposal(world: Any) -> StrategyProposal:
    proposal = filled_proposal(world)
    return strategy_services.strategy_proposal_submit(actor=proposer(world), proposal=proposal)


def excluded_proposal(world: Any) -> StrategyProposal:
    strategy = open_strategy(world)
    return strategy_services.strategy_proposal_exclude(
        actor=world.planner,
        proposal=proposal_of(strategy, world.sibling_unit),
        reason="No presta asistencia técnica este año",
    )


def ready_strategy(world: Any) -> Strategy:
    """Every proposal submitted (the unit's) or excluded (the sibling unit's)."""
    proposal = submitted_proposal(world)
    strategy_services.strategy_proposal_exclude(
        actor=world.planner,
        proposal=proposal_of(proposal.strategy, world.sibling_unit),
        reason="No presta asistencia técnica este año",
    )
    return Strategy.objects.get(pk=proposal.strategy_id)


def consolidated_fp(world: Any) -> Strategy:
    use_procedure(world, ProcedureCode.FP)
    strategy = ready_strategy(world)
    return strategy_services.strategy_consolidate(actor=world.planner, strategy=strategy)


def presented_fp(world: Any) -> Strategy:
    strategy = consolidated_fp(world)
    return strategy_services.strategy_present(actor=world.planner, strategy=strategy)


def decision_data(**extra: Any) -> dict[str, Any]:
    return {
        "acta_number": "CD-2026-001",
        "date": datetime.date.today(),
        "attendees": "Directora General\nSubdirector",
        "decision": "approved",
        "comments": "",
        **extra,
    }


def decided_fp(world: Any) -> Strategy:
    strategy = presented_fp(world)
    strategy_services.strategy_committee_decide(
        actor=world.committee, strategy=strategy, **decision_data()
    )
    return strategy


def acta_document(world: Any) -> Document:
    strategy = decided_fp(world)
    return Document.objects.get(kind="committee_acta.pdf", object_id=str(strategy.pk))


# --- view cases --------------------------------------------------------------------------------


def _version(world: Any, obj: Any) -> dict[str, Any]:
    return {"version": obj.version}


def _proposal_data(world: Any, obj: Any) -> dict[str, Any]:
    service_ids = [s.pk for s in obj.services.all()]
    return {
        "services": service_ids,
        "resources": "2000000",
        "modality": obj.modality_id or "",
        "people": "Dos profesionales",
        "alliances": "",
        "milestones": "",
        "version": obj.version,
    }


def _same_pk(world: Any, obj: Any) -> dict[str, Any]:
    return {"pk": obj.pk}


#: where a successful POST on a strategy or a proposal leads: back to the same object
_TO_STRATEGY: dict[str, Any] = {"redirect": "planning:strategy_detail", "redirect_kwargs": _same_pk}
_TO_PROPOSAL: dict[str, Any] = {
    "redirect": "planning:strategy_proposal_detail",
    "redirect_kwargs": _same_pk,
}


def _title(row: Any) -> str:
    return str(row.title)


def _decision_post(world: Any, obj: Any) -> dict[str, Any]:
    data = decision_data(acta_number="CD-VISTA-1")
    data["date"] = data["date"].isoformat()
    data["version"] = obj.version
    return data


CASES = [
    # every fiscal year with its strategy: a list, though it does not paginate (years are few)
    ViewCase("planning:strategy_home", rows=lambda *a: _strategy_rows(*a), marker=_title),
    ViewCase(
        "planning:strategy_open",
        method="post",
        data=lambda world, obj: {"fiscal_year": fiscal_year(world.org).pk},
        redirect="planning:strategy_detail",
    ),
    ViewCase("planning:strategy_detail", obj=open_strategy),
    ViewCase("planning:strategy_sync_units", obj=open_strategy, method="post", **_TO_STRATEGY),
    ViewCase("planning:strategy_consolidation", obj=open_strategy),
    ViewCase(
        "planning:strategy_consolidate",
        obj=ready_strategy,
        method="post",
        data=lambda world, obj: {"notes": "Financiación verificada", "version": obj.version},
        **_TO_STRATEGY,
    ),
    ViewCase(
        "planning:strategy_reopen",
        obj=consolidated_fp,
        method="post",
        data=_version,
        **_TO_STRATEGY,
    ),
    ViewCase(
        "planning:strategy_present",
        obj=consolidated_fp,
        method="post",
        data=_version,
        **_TO_STRATEGY,
    ),
    ViewCase("planning:strategy_decision_create", obj=presented_fp),
    ViewCase(
        "planning:strategy_decision_create",
        obj=presented_fp,
        method="post",
        data=_decision_post,
        redirect="planning:strategy_decisions",
        redirect_kwargs=_same_pk,
    ),
    ViewCase("planning:strategy_decisions", obj=decided_fp),
    ViewCase("planning:strategy_proposal_detail", obj=filled_proposal),
    ViewCase("planning:strategy_proposal_edit", obj=filled_proposal),
    ViewCase(
        "planning:strategy_proposal_edit",
        obj=filled_proposal,
        method="post",
        data=_proposal_data,
        **_TO_PROPOSAL,
    ),
    ViewCase(
        "planning:strategy_proposal_submit",
        obj=filled_proposal,
        method="post",
        data=_version,
        **_TO_PROPOSAL,
    ),
    ViewCase(
        "planning:strategy_proposal_return",
        obj=submitted_proposal,
        method="post",
        data=lambda world, obj: {"comments": "Ajustar los recursos"},
        **_TO_PROPOSAL,
    ),
    ViewCase(
        "planning:strategy_proposal_exclude",
        obj=filled_proposal,
        method="post",
        data=lambda world, obj: {"reason": "Sin asistencia este año"},
        **_TO_PROPOSAL,
    ),
    ViewCase(
        "planning:strategy_proposal_include",
        obj=excluded_proposal,
        method="post",
        **_TO_PROPOSAL,
    ),
    # the acta downloads through core:document_download (core/tests/permission_cases.py)
]


# --- API lists (tests/test_api_lists_generic.py) -----------------------------------------------


def _actor_in(world: Any, organization: Any) -> Any:
    return world.admin if organization == world.org else world.outsider


def _strategy_rows(world: Any, organization: Any, parent: Any, n: int) -> list[Strategy]:
    """Strategies of new fiscal years (one strategy per year)."""
    return [
        Strategy.objects.create(
            organization=organization,
            fiscal_year=fiscal_year(organization, 2600 + unique_number()),
            title=unique_text("Estrategia"),
            created_by=_actor_in(world, organization),
        )
        for _ in range(n)
    ]


def _proposal_rows(world: Any, organization: Any, parent: Any, n: int) -> list[StrategyProposal]:
    """Proposals of new units in ``parent`` (or in a new strategy of the organization)."""
    from acompana.core.tests.factories import UnitFactory

    strategy = parent or _strategy_rows(world, organization, None, 1)[0]
    return [
        StrategyProposal.objects.create(
            organization=organization,
            strategy=strategy,
            unit=UnitFactory(organization=organization),
        )
        for _ in range(n)
    ]


def _decision_rows(world: Any, organization: Any, parent: Any, n: int) -> list[Any]:
    """Committee decisions (actas) on ``parent`` (or on a new strategy)."""
    from django.contrib.contenttypes.models import ContentType

    from acompana.planning.models import CommitteeDecision

    strategy = parent or _strategy_rows(world, organization, None, 1)[0]
    return [
        CommitteeDecision.objects.create(
            organization=organization,
            content_type=ContentType.objects.get_for_model(Strategy),
            object_id=str(strategy.pk),
            acta_number=unique_text("CD"),
            date=datetime.date.today(),
            attendees="Comité directivo",
            decision="approved",
            recorded_by=_actor_in(world, organization),
        )
        for _ in range(n)
    ]


API_LISTS = [
    ApiListCase("planning_strategy_list", rows=_strategy_rows),
    ApiListCase("planning_strategy_proposal_list", rows=_proposal_rows, obj=open_strategy),
    ApiListCase("planning_strategy_decision_list", rows=_decision_rows, obj=decided_fp),
]


# --- API cases ---------------------------------------------------------------------------------


def _api_proposal(world: Any, obj: Any) -> dict[str, Any]:
    return {
        "service_ids": [s.pk for s in obj.services.all()],
        "resources": "3000000.50",
        "modality_id": obj.modality_id,
        "people": "Equipo territorial",
        "version": obj.version,
    }


def _api_decision(world: Any, obj: Any) -> dict[str, Any]:
    return {
        "acta_number": "CD-API-1",
        "date": datetime.date.today().isoformat(),
        "decision": "approved",
        "version": obj.version,
    }


API_CASES = [
    ApiCase("planning_strategy_list"),
    ApiCase(
        "planning_strategy_open",
        method="post",
        payload=lambda world, obj: {"fiscal_year_id": fiscal_year(world.org).pk},
        expected_status=(201,),
    ),
    ApiCase("planning_strategy_detail", obj=open_strategy),
    ApiCase("planning_strategy_consolidation", obj=ready_strategy),
    ApiCase(
        "planning_strategy_consolidate",
        method="post",
        obj=ready_strategy,
        payload=lambda world, obj: {"notes": "Verificada", "version": obj.version},
    ),
    ApiCase(
        "planning_strategy_reopen",
        method="post",
        obj=consolidated_fp,
        payload=lambda world, obj: {"version": obj.version},
    ),
    ApiCase(
        "planning_strategy_present",
        method="post",
        obj=consolidated_fp,
        payload=lambda world, obj: {"version": obj.version},
    ),
    ApiCase("planning_strategy_proposal_list", obj=open_strategy),
    ApiCase("planning_strategy_proposal_detail", obj=filled_proposal),
    ApiCase(
        "planning_strategy_proposal_update",
        method="put",
        obj=filled_proposal,
        payload=_api_proposal,
    ),
    ApiCase(
        "planning_strategy_proposal_submit",
        method="post",
        obj=filled_proposal,
        payload=lambda world, obj: {"version": obj.version},
    ),
    ApiCase(
        "planning_strategy_proposal_return",
        method="post",
        obj=submitted_proposal,
        payload=lambda world, obj: {"comments": "Ajustar recursos"},
    ),
    ApiCase(
        "planning_strategy_proposal_exclude",
        method="post",
        obj=filled_proposal,
        payload=lambda world, obj: {"reason": "Sin asistencia este año"},
    ),
    ApiCase(
        "planning_strategy_proposal_include",
        method="post",
        obj=excluded_proposal,
    ),
    ApiCase("planning_strategy_decision_list", obj=decided_fp),
    ApiCase(
        "planning_strategy_decision_create",
        method="post",
        obj=presented_fp,
        payload=_api_decision,
        expected_status=(201,),
    ),
]
