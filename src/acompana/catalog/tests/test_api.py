"""Catalogue API: every operation of API_CASES under the generic rules (401, 403, 404 for
other organizations, 2xx for a granted role), plus scoping, filters, pagination and 409."""

from __future__ import annotations

import json

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from acompana.catalog.api import router
from acompana.catalog.models import MilestoneTemplate, Modality, Service, ServiceType, Topic
from acompana.catalog.seeds import seed_organization
from acompana.catalog.tests.api_cases import API_CASES, ApiCase
from acompana.catalog.tests.factories import MilestoneTemplateFactory, ServiceFactory
from acompana.core.api import operation_access
from acompana.core.choices import Role
from acompana.core.models import Event
from acompana.core.permissions import PERMISSIONS
from acompana.core.tests.factories import build_world

pytestmark = pytest.mark.django_db

#: the permission each operation declares on its handler, by url_name
PERMS = {
    operation.url_name: operation_access(operation).perm
    for path_view in router.path_operations.values()
    for operation in path_view.operations
}


def call(client: Client, method: str, path: str, payload=None):
    kwargs = {}
    if payload is not None:
        kwargs = {"data": json.dumps(payload), "content_type": "application/json"}
    return getattr(client, method)(path, **kwargs)


def run(client, case: ApiCase, world, obj):
    payload = case.payload(world, obj) if case.payload else None
    return call(client, case.method, case.path(obj), payload)


def state(world, obj):
    snapshot = None
    if obj is not None:
        obj.refresh_from_db()
        snapshot = model_to_dict(obj)
    return snapshot, Event.objects.filter(organization=world.org).count()


def test_every_catalog_operation_has_a_case():
    assert set(PERMS) == {case.url_name for case in API_CASES}


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.id)
def test_api_case(client_for, case):
    world = build_world()
    obj = case.obj(world) if case.obj else None
    # no credentials
    assert run(Client(), case, world, obj).status_code == 401
    # roles the permission does not grant
    for role in Role:
        if role in PERMISSIONS[PERMS[case.url_name]]:
            continue
        before = state(world, obj)
        response = run(client_for(world.users[role.value]), case, world, obj)
        assert response.status_code == 403, (role, response.content)
        assert response.json()["error"]["code"] == "forbidden"
        assert state(world, obj) == before
    # the outsider holds every role in another organization
    if obj is not None:
        before = state(world, obj)
        response = run(client_for(world.outsider), case, world, obj)
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "not_found"
        assert state(world, obj) == before
    # a granted role
    response = run(client_for(world.admin), case, world, obj)
    assert 200 <= response.status_code < 300, response.content


@pytest.fixture
def seeded(world):
    seed_organization(world.org)
    return world


def value(world, model, code):
    return model.objects.get(organization=world.org, code=code)


def test_vocabulary_lists(client_for, seeded):
    world = seeded
    Modality.objects.filter(organization=world.org, code="hibrida").update(is_active=False)
    c = client_for(world.professional)
    data = c.get(reverse("api:catalog_modality_list")).json()
    assert [v["code"] for v in data] == ["presencial", "virtual", "hibrida"]
    data = c.get(reverse("api:catalog_modality_list"), {"active": "true"}).json()
    assert [v["code"] for v in data] == ["presencial", "virtual"]
    topics = c.get(reverse("api:catalog_topic_list")).json()
    pts = next(t for t in topics if t["code"] == "pts")
    assert pts["parent_id"] == value(world, Topic, "pdsp").pk
    # the outsider sees its own organization's (empty) catalogue, never this one
    assert client_for(world.outsider).get(reverse("api:catalog_topic_list")).json() == []


def payload(world, **overrides):
    data = {
        "unit_id": world.unit.pk,
        "name": "Asistencia técnica en habilitación",
        "service_type_id": value(world, ServiceType, "asistencia_tecnica").pk,
        "origin": "offer",
        "topic_ids": [value(world, Topic, "habilitacion").pk],
        "modality_ids": [value(world, Modality, "presencial").pk],
        "target_stakeholder_kinds": ["health_actor"],
        "estimated_hours": 16,
    }
    data.update(overrides)
    return data


def test_create_read_update_deactivate(client_for, seeded):
    world = seeded
    c = client_for(world.unit_head)
    response = call(c, "post", reverse("api:catalog_service_create"), payload(world))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["unit_id"] == world.unit.pk and created["milestones"] == []
    service_id = created["id"]

    detail_url = reverse("api:catalog_service_detail", kwargs={"service_id": service_id})
    assert client_for(world.auditor).get(detail_url).json()["name"] == created["name"]
    assert client_for(world.outsider).get(detail_url).status_code == 404

    update_url = reverse("api:catalog_service_update", kwargs={"service_id": service_id})
    response = call(c, "put", update_url, payload(world, name="Habilitación", version=1))
    assert response.status_code == 200 and response.json()["version"] == 2
    # stale: 409 in the shared error shape, nothing changed
    response = call(c, "put", update_url, payload(world, name="Perdido", version=1))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale"
    assert Service.objects.get(pk=service_id).name == "Habilitación"

    deactivate_url = reverse("api:catalog_service_deactivate", kwargs={"service_id": service_id})
    assert call(c, "post", deactivate_url, {"version": 1}).status_code == 409
    response = call(c, "post", deactivate_url, {"version": 2})
    assert response.status_code == 200 and response.json()["is_active"] is False


def test_validation_errors_name_the_api_fields(client_for, seeded):
    world = seeded
    c = client_for(world.admin)
    url = reverse("api:catalog_service_create")
    response = call(c, "post", url, payload(world, name="  "))
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "validation_error" and "name" in body["fields"]
    response = call(c, "post", url, payload(world, topic_ids=[999999]))
    assert response.status_code == 400 and "topic_ids" in response.json()["error"]["fields"]
    seed_organization(world.other)
    foreign = ServiceType.objects.get(organization=world.other, code="asesoria")
    response = call(c, "post", url, payload(world, service_type_id=foreign.pk))
    assert "service_type_id" in response.json()["error"]["fields"]
    response = call(c, "post", url, payload(world, origin="whim"))
    assert response.status_code == 422


def test_unit_head_scope_in_the_api(client_for, seeded):
    world = seeded
    other = ServiceFactory(organization=world.org, unit=world.sibling_unit, name="Ajeno")
    c = client_for(world.unit_head)
    # create for another unit: refused
    response = call(
        c,
        "post",
        reverse("api:catalog_service_create"),
        payload(world, unit_id=world.sibling_unit.pk),
    )
    assert response.status_code == 400 and "unit_id" in response.json()["error"]["fields"]
    # read: fine; write: 404
    detail = reverse("api:catalog_service_detail", kwargs={"service_id": other.pk})
    assert c.get(detail).status_code == 200
    update = reverse("api:catalog_service_update", kwargs={"service_id": other.pk})
    response = call(c, "put", update, payload(world, unit_id=world.sibling_unit.pk, version=1))
    assert response.status_code == 404
    milestone = MilestoneTemplateFactory(service=other)
    url = reverse("api:catalog_milestone_delete", kwargs={"milestone_id": milestone.pk})
    assert c.delete(url).status_code == 404
    assert MilestoneTemplate.objects.filter(pk=milestone.pk).exists()


def test_professional_writes_are_forbidden(client_for, seeded):
    world = seeded
    response = call(
        client_for(world.professional),
        "post",
        reverse("api:catalog_service_create"),
        payload(world),
    )
    assert response.status_code == 403
    assert not Service.objects.exists()


def test_service_list_filters_and_paginates_by_cursor(client_for, seeded):
    world = seeded
    virtual = value(world, Modality, "virtual")
    for i in range(5):
        service = ServiceFactory(organization=world.org, unit=world.unit, name=f"Servicio {i}")
        if i % 2:
            service.modalities.set([virtual], through_defaults={"organization": world.org})
    ServiceFactory(
        organization=world.org, unit=world.sibling_unit, name="Retirado", is_active=False
    )
    ServiceFactory(organization=world.other, name="De otra entidad")
    c = client_for(world.planner)
    url = reverse("api:catalog_service_list")

    first = c.get(url, {"limit": 2}).json()
    assert first["count"] == 6 and len(first["results"]) == 2 and first["next_cursor"]
    seen = [s["name"] for s in first["results"]]
    cursor = first["next_cursor"]
    while cursor:
        page = c.get(url, {"limit": 2, "cursor": cursor}).json()
        seen += [s["name"] for s in page["results"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 6
    assert "De otra entidad" not in seen

    assert c.get(url, {"active": "false"}).json()["count"] == 1
    assert c.get(url, {"active": "true", "modality_id": virtual.pk}).json()["count"] == 2
    assert c.get(url, {"unit_id": world.sibling_unit.pk}).json()["results"][0]["name"] == "Retirado"
    assert c.get(url, {"q": "servicio 3"}).json()["count"] == 1
    assert c.get(url, {"cursor": "not-a-cursor"}).status_code == 422  # not the cursor format


def test_service_list_query_count_is_constant(client_for, seeded, django_assert_max_num_queries):
    world = seeded
    topics = list(Topic.objects.filter(organization=world.org)[:3])
    for i in range(30):
        service = ServiceFactory(organization=world.org, unit=world.unit, name=f"S{i}")
        service.topics.set(topics, through_defaults={"organization": world.org})
    c = client_for(world.admin)
    c.get(reverse("api:catalog_service_list"))
    with django_assert_max_num_queries(12):
        response = c.get(reverse("api:catalog_service_list"), {"limit": 30})
    assert len(response.json()["results"]) == 30


def test_milestones_through_the_api(client_for, seeded):
    world = seeded
    service = ServiceFactory(organization=world.org, unit=world.unit)
    c = client_for(world.unit_head)
    create = reverse("api:catalog_milestone_create", kwargs={"service_id": service.pk})
    ids = []
    for name in ("Convocatoria", "Ejecución", "Evaluación"):
        response = call(c, "post", create, {"name": name, "relative_due_days": 10})
        assert response.status_code == 201
        ids.append(response.json()["id"])
    assert call(c, "post", create, {"name": ""}).status_code == 400

    reorder = reverse("api:catalog_milestone_reorder", kwargs={"service_id": service.pk})
    response = call(c, "post", reorder, {"ordered_ids": list(reversed(ids))})
    assert [m["name"] for m in response.json()] == ["Evaluación", "Ejecución", "Convocatoria"]
    assert call(c, "post", reorder, {"ordered_ids": ids[:2]}).status_code == 400

    update = reverse("api:catalog_milestone_update", kwargs={"milestone_id": ids[0]})
    response = call(
        c, "put", update, {"name": "Convocatoria enviada", "required": False, "version": 1}
    )
    assert response.status_code == 200 and response.json()["required"] is False
    response = call(c, "put", update, {"name": "Otra", "version": 1})
    assert response.status_code == 409

    delete = reverse("api:catalog_milestone_delete", kwargs={"milestone_id": ids[1]})
    assert c.delete(delete + "?version=9").status_code == 409
    assert c.delete(delete).status_code == 204
    detail = c.get(reverse("api:catalog_service_detail", kwargs={"service_id": service.pk})).json()
    assert [(m["order"], m["name"]) for m in detail["milestones"]] == [
        (1, "Evaluación"),
        (2, "Convocatoria enviada"),
    ]
    assert detail["milestone_count"] == 2
