"""Runs the registry's API_CASES through the generic expectations (until the shared test)."""

import json

import pytest
from django.test import Client

from acompana.api.auth import hash_token
from acompana.api.models import ApiToken
from acompana.core.api import operation_access
from acompana.core.choices import Role
from acompana.core.models import Event
from acompana.core.permissions import PERMISSIONS
from acompana.core.tests.factories import build_world
from acompana.registry.api import router
from acompana.registry.tests.api_cases import API_CASES

#: the permission each operation declares on its handler, by url_name
PERMS = {
    op.url_name: operation_access(op).perm
    for view in router.path_operations.values()
    for op in view.operations
}


def _client(user):
    raw = f"acp_casos_{user.pk}"
    ApiToken.objects.get_or_create(
        key_hash=hash_token(raw), defaults={"user": user, "name": "casos", "prefix": raw[:8]}
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _send(client, case, world, obj):
    url = case.url(obj)
    payload = case.payload(world, obj) if case.payload else None
    method = getattr(client, case.method)
    if payload is None:
        return method(url)
    if case.multipart:
        return method(url, payload)
    return method(url, json.dumps(payload), content_type="application/json")


def test_every_registry_operation_has_a_case():
    operations = set(PERMS)
    declared = {c.name for c in API_CASES}
    assert operations == declared, operations ^ declared


@pytest.mark.django_db
@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.id)
def test_api_case(case):
    world = build_world()
    obj = case.obj(world) if case.obj else None
    assert _send(Client(), case, world, obj).status_code == 401
    for role in Role:
        if role in PERMISSIONS[PERMS[case.name]]:
            continue
        events = Event.objects.count()
        response = _send(_client(world.users[role.value]), case, world, obj)
        assert response.status_code == 403, (role, response.status_code)
        assert Event.objects.count() == events
    if obj is not None:
        assert _send(_client(world.outsider), case, world, obj).status_code == 404
    granted = sorted(PERMISSIONS[PERMS[case.name]], key=lambda r: r != Role.ADMIN)[0]
    response = _send(_client(world.users[granted]), case, world, obj)
    assert 200 <= response.status_code < 300, (response.status_code, response.content[:300])
