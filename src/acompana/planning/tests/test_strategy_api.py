"""API of the strategy: the same FP-2 → FP-3 → FP-4 rules as the pages."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from acompana.catalog.tests.factories import ServiceFactory
from acompana.core.choices import ProcedureCode
from acompana.core.tests.api_utils import assert_error, call, token_client
from acompana.core.tests.factories import UnitFactory
from acompana.planning.models import Strategy
from acompana.planning.tests.cases_strategy import (
    consolidated_fp,
    fill,
    filled_proposal,
    modality,
    open_strategy,
    presented_fp,
    proposal_of,
    unit_service,
    use_procedure,
)
from acompana.planning.tests.factories import fiscal_year

pytestmark = pytest.mark.django_db


def _api(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs or None)


def _json(response, status=200):
    assert response.status_code == status, response.content[:500]
    return json.loads(response.content)


def test_round_trip_through_the_api(world, client):
    """FP-2 → FP-3 → FP-4 returned → adjusted and resubmitted → FP-4 approved."""
    use_procedure(world, ProcedureCode.FP)
    planner = token_client(world.planner)
    unit_head = token_client(world.unit_head)
    committee = token_client(world.committee)

    strategy = _json(
        call(
            planner,
            "post",
            _api("planning_strategy_open"),
            {"fiscal_year_id": fiscal_year(world.org).pk},
        ),
        201,
    )
    assert strategy["status"] == "draft" and strategy["committee_stage"] is True
    proposals = _json(
        call(planner, "get", _api("planning_strategy_proposal_list", pk=strategy["id"]))
    )
    assert proposals["count"] == 2
    by_unit = {p["unit_id"]: p for p in proposals["results"]}
    own = by_unit[world.unit.pk]
    sibling = by_unit[world.sibling_unit.pk]

    service = unit_service(world)
    detail = _json(
        call(
            unit_head,
            "put",
            _api("planning_strategy_proposal_update", pk=own["id"]),
            {
                "service_ids": [service.pk],
                "resources": "5000000",
                "modality_id": modality(world).pk,
                "people": "Equipo",
                "joint": True,
                "version": own["version"],
            },
        )
    )
    assert detail["services"][0]["id"] == service.pk and detail["missing"] == []
    detail = _json(
        call(
            unit_head,
            "post",
            _api("planning_strategy_proposal_submit", pk=own["id"]),
            {"version": detail["version"]},
        )
    )
    assert detail["status"] == "submitted"
    _json(
        call(
            planner,
            "post",
            _api("planning_strategy_proposal_exclude", pk=sibling["id"]),
            {"reason": "Sin oferta este año"},
        )
    )
    consolidation = _json(
        call(planner, "get", _api("planning_strategy_consolidation", pk=strategy["id"]))
    )
    assert consolidation["can_consolidate"] is True
    assert consolidation["excluded_unit_ids"] == [world.sibling_unit.pk]
    strategy = _json(
        call(
            planner,
            "post",
            _api("planning_strategy_consolidate", pk=strategy["id"]),
            {"notes": "Verificada"},
        )
    )
    assert strategy["status"] == "consolidated"
    assert set(strategy["transitions"]) == {"present", "reopen"}
    strategy = _json(
        call(planner, "post", _api("planning_strategy_present", pk=strategy["id"]), {})
    )
    assert strategy["status"] == "submitted"

    decision = _json(
        call(
            committee,
            "post",
            _api("planning_strategy_decision_create", pk=strategy["id"]),
            {
                "acta_number": "CD-API-01",
                "date": datetime.date.today().isoformat(),
                "decision": "rejected",
                "comments": "Priorizar territorios",
                "proposal_comments": {str(own["id"]): "Ajustar el equipo"},
            },
        ),
        201,
    )
    assert decision["round"] == 1 and decision["acta_url"]
    assert world.committee.full_name in decision["attendees"]  # prefilled with the members
    detail = _json(call(unit_head, "get", _api("planning_strategy_proposal_detail", pk=own["id"])))
    assert detail["status"] == "returned" and "Ajustar el equipo" in detail["comments"]

    _json(
        call(
            unit_head,
            "post",
            _api("planning_strategy_proposal_submit", pk=own["id"]),
            {"version": detail["version"]},
        )
    )
    _json(call(planner, "post", _api("planning_strategy_consolidate", pk=strategy["id"]), {}))
    _json(call(planner, "post", _api("planning_strategy_present", pk=strategy["id"]), {}))
    _json(
        call(
            committee,
            "post",
            _api("planning_strategy_decision_create", pk=strategy["id"]),
            {
                "acta_number": "CD-API-02",
                "date": datetime.date.today().isoformat(),
                "attendees": "Directora\nSubdirector",
                "decision": "approved",
            },
        ),
        201,
    )
    strategy = _json(call(planner, "get", _api("planning_strategy_detail", pk=strategy["id"])))
    assert strategy["status"] == "approved" and strategy["round"] == 2
    decisions = _json(
        call(planner, "get", _api("planning_strategy_decision_list", pk=strategy["id"]))
    )
    assert [d["acta_number"] for d in decisions] == ["CD-API-01", "CD-API-02"]
    assert all(d["acta_document_id"] for d in decisions)
    session = client
    session.force_login(world.auditor, backend="django.contrib.auth.backends.ModelBackend")
    pdf = session.get(decisions[0]["acta_url"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_unit_head_gets_404_writing_another_units_proposal(world):
    strategy = open_strategy(world)
    sibling = proposal_of(strategy, world.sibling_unit)
    client = token_client(world.unit_head)
    response = call(
        client,
        "put",
        _api("planning_strategy_proposal_update", pk=sibling.pk),
        {"people": "Otro equipo", "version": sibling.version},
    )
    assert_error(response, 404, "not_found")
    response = call(client, "post", _api("planning_strategy_proposal_submit", pk=sibling.pk), {})
    assert_error(response, 404, "not_found")
    assert (
        call(client, "get", _api("planning_strategy_proposal_detail", pk=sibling.pk)).status_code
        == 200
    )
    sibling.refresh_from_db()
    assert sibling.people == "" and sibling.version == 1


def test_stale_version_and_wrong_state_are_409(world):
    proposal = filled_proposal(world)
    client = token_client(world.unit_head)
    response = call(
        client,
        "put",
        _api("planning_strategy_proposal_update", pk=proposal.pk),
        {"people": "Nuevo", "version": proposal.version - 1},
    )
    assert_error(response, 409, "stale")
    response = call(
        token_client(world.planner),
        "post",
        _api("planning_strategy_present", pk=proposal.strategy_id),
        {},
    )
    assert_error(response, 409, "transition")
    response = call(
        token_client(world.planner),
        "post",
        _api("planning_strategy_consolidate", pk=proposal.strategy_id),
        {},
    )
    error = assert_error(response, 409, "transition")
    assert "Aseguramiento" in error["message"]


def test_proposal_validation_errors_name_the_api_fields(world):
    proposal = proposal_of(open_strategy(world), world.unit)
    other_unit = ServiceFactory(organization=world.org, unit=world.sibling_unit)
    client = token_client(world.unit_head)
    response = call(
        client,
        "put",
        _api("planning_strategy_proposal_update", pk=proposal.pk),
        {"service_ids": [other_unit.pk], "version": 1},
    )
    assert "service_ids" in assert_error(response, 400)["fields"]
    response = call(
        client,
        "put",
        _api("planning_strategy_proposal_update", pk=proposal.pk),
        {"service_ids": [999999], "modality_id": 999999, "version": 1},
    )
    assert "service_ids" in assert_error(response, 400)["fields"]
    response = call(
        client,
        "put",
        _api("planning_strategy_proposal_update", pk=proposal.pk),
        {"resources": "-5", "version": 1},
    )
    assert response.status_code in (400, 422)


def test_committee_decision_validation(world):
    strategy = presented_fp(world)
    client = token_client(world.committee)
    url = _api("planning_strategy_decision_create", pk=strategy.pk)
    base = {
        "acta_number": "CD-1",
        "date": datetime.date.today().isoformat(),
        "decision": "rejected",
    }
    assert "comments" in assert_error(call(client, "post", url, base), 400)["fields"]
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = call(client, "post", url, {**base, "comments": "x", "date": future})
    assert "date" in assert_error(response, 400)["fields"]
    strategy.refresh_from_db()
    assert strategy.status == "submitted"


def test_without_committee_stage_the_api_refuses_the_decision(world):
    strategy = open_strategy(world)
    for unit in (world.unit, world.sibling_unit):
        fill(world, proposal_of(strategy, unit))
    planner = token_client(world.planner)
    for proposal in strategy.proposals.all():
        _json(call(planner, "post", _api("planning_strategy_proposal_submit", pk=proposal.pk), {}))
    body = _json(call(planner, "post", _api("planning_strategy_consolidate", pk=strategy.pk), {}))
    assert body["status"] == "approved" and body["committee_stage"] is False
    response = call(
        token_client(world.committee),
        "post",
        _api("planning_strategy_decision_create", pk=strategy.pk),
        {"acta_number": "X", "date": datetime.date.today().isoformat(), "decision": "approved"},
    )
    assert_error(response, 409, "transition")


def test_lists_do_not_grow_in_queries(world, django_assert_max_num_queries):
    for i in range(10):
        UnitFactory(organization=world.org, name=f"Grupo {i}")
    strategy = open_strategy(world)
    for proposal in strategy.proposals.select_related("unit", "strategy")[:5]:
        fill(world, proposal)
    client = token_client(world.auditor)
    with django_assert_max_num_queries(14):
        body = _json(call(client, "get", _api("planning_strategy_proposal_list", pk=strategy.pk)))
    assert body["count"] == 12
    with django_assert_max_num_queries(10):
        _json(call(client, "get", _api("planning_strategy_list")))
    assert Strategy.objects.count() == 1


def test_strategy_list_filters_by_year(world):
    consolidated_fp(world)
    client = token_client(world.auditor)
    year = fiscal_year(world.org).year
    assert (
        _json(call(client, "get", _api("planning_strategy_list"), query={"year": year}))["count"]
        == 1
    )
    assert (
        _json(call(client, "get", _api("planning_strategy_list"), query={"year": 1990}))["count"]
        == 0
    )
