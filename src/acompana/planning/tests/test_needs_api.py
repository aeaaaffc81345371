"""API of the needs: the same rules as the pages (SAL-1 and EDU-1 registered from other
systems; triage of the public requests), in the one JSON error shape."""

from __future__ import annotations

import pytest
from django.urls import reverse

from acompana.catalog.tests.factories import TopicFactory
from acompana.core.models import Event
from acompana.core.tests.api_utils import assert_error, call, token_client
from acompana.planning.choices import NeedOrigin, NeedSource, NeedStatus
from acompana.planning.models import Need, NeedStakeholder
from acompana.planning.needs.filters import NeedFilterForm, NeedFilterQuery
from acompana.planning.tests.factories import NeedFactory, fiscal_year
from acompana.registry.tests.factories import StakeholderFactory, municipality

pytestmark = pytest.mark.django_db

LIST = "/api/v1/planificacion/necesidades"


def _detail(need):
    return reverse("api:planning_need_detail", kwargs={"need_id": need.pk})


def test_the_filter_schema_documents_the_form():
    """One filter definition: the API's query parameters are the form's fields."""
    form = NeedFilterForm(organization_id=0)
    assert set(NeedFilterQuery.model_fields) == set(form.fields)


def test_list_filters_and_pages_by_cursor(world, django_assert_max_num_queries):
    garzon = StakeholderFactory(organization=world.org, name="Alcaldía de Garzón")
    medellin = StakeholderFactory(organization=world.org, municipality=municipality("05001"))
    for i in range(5):
        need = NeedFactory(organization=world.org, title=f"Necesidad {i}", priority="high")
        NeedStakeholder.objects.create(organization=world.org, need=need, stakeholder=garzon)
    antioquia = NeedFactory(organization=world.org, title="En Antioquia")
    NeedStakeholder.objects.create(organization=world.org, need=antioquia, stakeholder=medellin)
    NeedFactory(organization=world.other, title="Ajena", priority="high")
    client = token_client(world.auditor)
    with django_assert_max_num_queries(12):
        first = client.get(LIST, {"priority": "high", "limit": 2}).json()
    assert first["count"] == 5
    seen = [r["title"] for r in first["results"]]
    assert first["results"][0]["stakeholders"] == [{"id": garzon.pk, "name": garzon.name}]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(LIST, {"priority": "high", "limit": 2, "cursor": cursor}).json()
        seen += [r["title"] for r in page["results"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == [f"Necesidad {i}" for i in range(5)]
    assert client.get(LIST, {"department": "05"}).json()["count"] == 1
    assert client.get(LIST, {"q": "garzon"}).json()["count"] == 5
    bad = client.get(LIST, {"status": "imaginario"})
    # the OpenAPI lists the statuses: another value is a schema error (422), not a 400
    assert "status" in assert_error(bad, 422, "invalid_request")["fields"]


def test_create_validates_and_records_the_step(world):
    topic = TopicFactory(organization=world.org)
    stakeholder = StakeholderFactory(organization=world.org)
    client = token_client(world.unit_head)
    payload = {
        "title": "Necesidad desde el API",
        "description": "Solicitud recibida por correo.",
        "origin": "demand",
        "source": "email",
        "priority": "high",
        "topic_id": topic.pk,
        "unit_id": world.unit.pk,
        "fiscal_year": fiscal_year(world.org).year,
        "stakeholder_ids": [stakeholder.pk],
    }
    response = call(client, "post", LIST, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["topic_id"], body["unit_id"]) == ("open", topic.pk, world.unit.pk)
    assert body["stakeholders"] == [{"id": stakeholder.pk, "name": stakeholder.name}]
    assert body["requester"] is None
    assert Event.objects.filter(step_key="need.registered", object_id=str(body["id"])).exists()
    # a unit head registers needs of its own unit only
    other_unit = call(client, "post", LIST, {**payload, "unit_id": world.sibling_unit.pk})
    assert "unit" in assert_error(other_unit, 400)["fields"]
    # references of another organization are 400, not silently dropped
    foreign = StakeholderFactory(organization=world.other)
    bad = call(client, "post", LIST, {**payload, "stakeholder_ids": [foreign.pk]})
    assert "stakeholder_ids" in assert_error(bad, 400)["fields"]
    bad_year = call(client, "post", LIST, {**payload, "fiscal_year": 1990})
    assert "fiscal_year" in assert_error(bad_year, 400)["fields"]


def test_update_with_a_stale_version_is_409(world):
    need = NeedFactory(organization=world.org, unit=world.unit)
    client = token_client(world.planner)
    url = _detail(need)
    ok = call(client, "patch", url, {"version": 1, "title": "Nuevo título"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = call(client, "patch", url, {"version": 1, "title": "Pisaría el anterior"})
    assert_error(stale, 409)
    need.refresh_from_db()
    assert need.title == "Nuevo título"


def test_update_only_changes_what_is_sent(world):
    topic = TopicFactory(organization=world.org)
    need = NeedFactory(organization=world.org, unit=world.unit, topic=topic, priority="low")
    stakeholder = StakeholderFactory(organization=world.org)
    response = call(
        token_client(world.planner),
        "patch",
        _detail(need),
        {"version": 1, "priority": "high", "stakeholder_ids": [stakeholder.pk]},
    )
    assert response.status_code == 200
    need.refresh_from_db()
    assert (need.priority, need.topic, need.unit) == ("high", topic, world.unit)
    clear = call(
        token_client(world.planner), "patch", _detail(need), {"version": 2, "topic_id": None}
    )
    assert clear.json()["topic_id"] is None


def test_a_professional_cannot_touch_needs_of_another_unit(world):
    need = NeedFactory(organization=world.org, unit=world.sibling_unit)
    client = token_client(world.professional)
    assert client.get(_detail(need)).status_code == 200  # reading is organization-wide
    response = call(client, "patch", _detail(need), {"version": 1, "title": "x"})
    assert_error(response, 404, "not_found")


def test_triage_accept_discard_and_twice(world):
    need = NeedFactory(
        organization=world.org,
        origin=NeedOrigin.DEMAND,
        source=NeedSource.REQUEST,
        status=NeedStatus.TO_TRIAGE,
        requester_name="Ana Pérez",
        requester_email="ana@example.gov.co",
        requester_entity="Alcaldía",
    )
    client = token_client(world.planner)
    url = reverse("api:planning_need_triage", kwargs={"need_id": need.pk})
    detail = client.get(_detail(need)).json()
    assert detail["requester"]["email"] == "ana@example.gov.co"
    no_reason = call(client, "post", url, {"version": 1, "decision": "discard"})
    assert "reason" in assert_error(no_reason, 400)["fields"]
    accepted = call(
        client, "post", url, {"version": 1, "decision": "accept", "unit_id": world.unit.pk}
    )
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["unit_id"]) == ("open", world.unit.pk)
    again = call(client, "post", url, {"version": 2, "decision": "accept"})
    assert_error(again, 409)


def test_status_changes_follow_the_table(world):
    need = NeedFactory(organization=world.org, unit=world.unit)
    client = token_client(world.unit_head)
    url = reverse("api:planning_need_set_status", kwargs={"need_id": need.pk})
    assert call(client, "post", url, {"version": 1, "status": "addressed"}).status_code == 200
    wrong = call(client, "post", url, {"version": 2, "status": "planned"})
    assert_error(wrong, 409)
    assert Need.objects.get(pk=need.pk).status == "addressed"


def test_the_openapi_documents_the_operations(world, client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        op.get("operationId")
        for path in schema["paths"].values()
        for op in path.values()
        if isinstance(op, dict)
    }
    assert {
        "planning_need_list",
        "planning_need_create",
        "planning_need_detail",
        "planning_need_update",
        "planning_need_triage",
        "planning_need_set_status",
    } <= operations
