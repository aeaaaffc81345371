"""API of the plans area: plans, lines (409 on a stale version), transitions with the same
rules as the pages, the consolidated plan (SAL-2, EDU-2..EDU-8, FP-5, FP-6, DNP-3)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from acompana.core.tests.api_utils import assert_error, call, token_client
from acompana.core.tests.factories import build_world
from acompana.planning.choices import ConsolidatedStatus, PlanStatus
from acompana.planning.models import Plan, PlanLine
from acompana.planning.tests.cases_plans import complete_line, make_plan
from acompana.planning.tests.factories import NeedFactory, fiscal_year
from acompana.registry.tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def _json(response):
    return json.loads(response.content)


def test_a_unit_writes_and_submits_its_plan_through_the_api(world):
    """SAL-2 through the API: open, add lines, finalise in one action (no review in SAL)."""
    client = token_client(world.professional)
    response = call(
        client,
        "post",
        reverse("api:planning_plan_create"),
        {"unit_id": world.unit.pk, "fiscal_year_id": fiscal_year(world.org).pk},
    )
    assert response.status_code == 201, response.content
    plan = _json(response)
    assert plan["status"] == "draft" and plan["actions"] == ["finalise"]
    school = StakeholderFactory(organization=world.org)
    need = NeedFactory(organization=world.org)
    response = call(
        client,
        "post",
        reverse("api:planning_line_create", kwargs={"pk": plan["id"]}),
        {
            "activity": "Asistencia técnica en vigilancia epidemiológica",
            "months": [2, 3],
            "municipality_code": "41298",
            "stakeholder_ids": [school.pk],
            "need_ids": [need.pk],
            "budget": "450000",
        },
    )
    assert response.status_code == 201, response.content
    line = _json(response)
    assert line["quarters"] == [1] and line["stakeholders"][0]["id"] == school.pk
    bad = call(
        client,
        "post",
        reverse("api:planning_line_create", kwargs={"pk": plan["id"]}),
        {"activity": "x", "months": [14], "stakeholder_ids": [999999]},
    )
    error = assert_error(bad, 400, "validation_error")
    assert "stakeholders" in error["fields"]
    months = call(
        client,
        "post",
        reverse("api:planning_line_create", kwargs={"pk": plan["id"]}),
        {"activity": "x", "months": [14]},
    )
    assert "months" in assert_error(months, 400)["fields"]
    listed = _json(client.get(reverse("api:planning_line_list", kwargs={"pk": plan["id"]})))
    assert listed["count"] == 1
    no_review = call(
        client, "post", reverse("api:planning_plan_submit", kwargs={"pk": plan["id"]}), {}
    )
    assert_error(no_review, 409, "transition")
    forbidden = call(
        token_client(world.auditor),
        "post",
        reverse("api:planning_plan_finalise", kwargs={"pk": plan["id"]}),
        {},
    )
    assert_error(forbidden, 403)
    finalised = call(
        client, "post", reverse("api:planning_plan_finalise", kwargs={"pk": plan["id"]}), {}
    )
    assert _json(finalised)["status"] == "published"
    again = call(
        client, "post", reverse("api:planning_plan_finalise", kwargs={"pk": plan["id"]}), {}
    )
    assert_error(again, 409, "transition")


def test_a_stale_line_update_gets_409_and_changes_nothing(world):
    line = make_plan(world).lines.get()
    client = token_client(world.professional)
    url = reverse("api:planning_line_update", kwargs={"pk": line.pk})
    ok = call(client, "patch", url, {"version": 1, "activity": "Primera versión"})
    assert _json(ok)["version"] == 2 and _json(ok)["months"] == [3]
    stale = call(client, "patch", url, {"version": 1, "activity": "Versión vieja"})
    assert_error(stale, 409, "stale")
    line.refresh_from_db()
    assert line.activity == "Primera versión"
    delete_stale = call(
        client,
        "delete",
        reverse("api:planning_line_delete", kwargs={"pk": line.pk}),
        query={"version": 1},
    )
    assert_error(delete_stale, 409, "stale")
    deleted = call(
        client,
        "delete",
        reverse("api:planning_line_delete", kwargs={"pk": line.pk}),
        query={"version": 2},
    )
    assert deleted.status_code == 204 and not PlanLine.objects.filter(pk=line.pk).exists()


def test_return_requires_comments_and_keeps_them(world):
    plan = make_plan(world, status=PlanStatus.SUBMITTED)
    client = token_client(world.unit_head)
    url = reverse("api:planning_plan_return", kwargs={"pk": plan.pk})
    assert "comments" in assert_error(call(client, "post", url, {"comments": ""}), 400)["fields"]
    body = _json(call(client, "post", url, {"comments": "Falta la población objetivo."}))
    assert body["status"] == "returned"
    assert body["comments"][0]["text"] == "Falta la población objetivo."


def test_outsiders_get_404_for_plans_lines_and_references(world):
    plan = make_plan(world)
    client = token_client(world.outsider)
    assert_error(client.get(reverse("api:planning_plan_detail", kwargs={"pk": plan.pk})), 404)
    assert_error(
        client.get(reverse("api:planning_line_detail", kwargs={"pk": plan.lines.get().pk})), 404
    )
    created = call(
        client,
        "post",
        reverse("api:planning_plan_create"),
        {"unit_id": world.unit.pk, "fiscal_year_id": fiscal_year(world.org).pk},
    )
    assert_error(created, 404)
    listed = _json(client.get(reverse("api:planning_plan_list")))
    assert all(item["id"] != plan.pk for item in listed["results"])


def test_the_plan_list_filters_like_the_page(world):
    make_plan(world)
    submitted = make_plan(world, unit=world.sibling_unit, status=PlanStatus.SUBMITTED)
    body = _json(
        token_client(world.auditor).get(reverse("api:planning_plan_list"), {"status": "submitted"})
    )
    assert [item["id"] for item in body["results"]] == [submitted.pk]


def test_the_consolidated_plan_through_the_api():
    """EDU-4..EDU-8 through the API."""
    world = build_world(procedure_code="EDU")
    for unit in (world.unit, world.sibling_unit):
        plan = make_plan(world, unit=unit, lines=0, status=PlanStatus.UNIT_APPROVED)
        complete_line(world, plan, activity=f"Visita a {unit.name}")
    planner = token_client(world.planner)
    created = call(
        planner,
        "post",
        reverse("api:planning_consolidated_create"),
        {"fiscal_year_id": fiscal_year(world.org).pk},
    )
    assert created.status_code == 201, created.content
    consolidated = _json(created)
    assert len(consolidated["plans"]) == 2 and consolidated["actions"] == [
        "gather",
        "verify",
        "return_to_units",
    ]
    pk = consolidated["id"]
    verified = call(
        planner, "post", reverse("api:planning_consolidated_verify", kwargs={"pk": pk}), {}
    )
    assert _json(verified)["status"] == "verified", verified.content
    sent = call(
        planner,
        "post",
        reverse("api:planning_consolidated_send_to_committee", kwargs={"pk": pk}),
        {},
    )
    assert _json(sent)["status"] == ConsolidatedStatus.IN_COMMITTEE, sent.content
    reviewed = call(
        token_client(world.committee),
        "post",
        reverse("api:planning_consolidated_committee_review", kwargs={"pk": pk}),
        {"comments": "Cubre todos los servicios."},
    )
    assert _json(reviewed)["status"] == ConsolidatedStatus.COMMITTEE_REVIEWED, reviewed.content
    decided = call(
        token_client(world.committee),
        "post",
        reverse("api:planning_consolidated_committee", kwargs={"pk": pk}),
        {
            "acta_number": "11",
            "date": datetime.date.today().isoformat(),
            "attendees": "Comité Directivo",
            "decision": "approved",
        },
    )
    assert _json(decided)["consolidated"]["status"] == ConsolidatedStatus.COMMITTEE_APPROVED
    published = call(
        planner, "post", reverse("api:planning_consolidated_publish", kwargs={"pk": pk}), {}
    )
    assert _json(published)["status"] == "published"
    assert set(Plan.objects.filter(consolidated_id=pk).values_list("status", flat=True)) == {
        PlanStatus.PUBLISHED
    }
    again = call(
        planner, "post", reverse("api:planning_consolidated_publish", kwargs={"pk": pk}), {}
    )
    assert_error(again, 409, "transition")
