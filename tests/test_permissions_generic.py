"""Generic permission and tenancy tests over every view (DESIGN section 6.6).

Fails when a view has no access declaration (``core.access``) or no ``ViewCase``.
"""

from __future__ import annotations

import importlib

import pytest
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from acompana.core.choices import Role
from acompana.core.models import Event
from acompana.core.permissions import PERMISSIONS
from acompana.core.plugins import apps_with
from acompana.core.tests.cases import ViewCase
from acompana.core.tests.factories import build_world


def all_cases() -> list[ViewCase]:
    """The ``CASES`` of ``<app>/tests/permission_cases.py`` of every app that has pages."""
    cases: list[ViewCase] = []
    for app in apps_with("url_prefix"):
        module = importlib.import_module(f"{app.name}.tests.permission_cases")
        cases.extend(module.CASES)
    return cases


CASES = all_cases()


def product_patterns(resolver=None, namespace=""):
    """(qualified url name, view callable) of every product URL outside the ninja API."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "api":  # the ninja API: tests/test_api_permissions_generic.py
                continue
            ns = pattern.namespace
            yield from product_patterns(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            if callback.__module__.startswith(("ninja", "django.views.static")):
                continue
            yield f"{namespace}{pattern.name}", callback


def access_of(url_name: str):
    for name, callback in product_patterns():
        if name == url_name:
            return callback.acompana_access
    raise AssertionError(f"No URL named {url_name}")


def test_every_view_declares_its_access():
    missing = [name for name, cb in product_patterns() if not hasattr(cb, "acompana_access")]
    assert not missing, f"Views without a core.access declaration: {missing}"


def test_every_protected_view_has_a_case():
    declared = {case.url_name for case in CASES}
    protected = {
        name for name, cb in product_patterns() if cb.acompana_access[0] in ("perm", "member")
    }
    missing = sorted(protected - declared)
    assert not missing, f"Views without a ViewCase in <app>/tests/permission_cases.py: {missing}"


def _request(client, case: ViewCase, world, obj):
    url = reverse(case.url_name, kwargs=case.url_kwargs(obj))
    if case.method == "post":
        data = case.data(world, obj) if case.data else {}
        return client.post(url, data)
    return client.get(url)


def _state(world, obj):
    snapshot = None
    if obj is not None:
        obj.refresh_from_db()
        snapshot = model_to_dict(obj)
    return snapshot, Event.objects.filter(organization=world.org).count()


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_anonymous_is_sent_to_login(client, case):
    world = build_world()
    obj = case.obj(world) if case.obj else None
    response = _request(client, case, world, obj)
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_roles_without_permission_are_forbidden(client_for, case):
    world = build_world()
    kind, perm = access_of(case.url_name)
    denied = [r for r in Role if perm is not None and r not in PERMISSIONS[perm]]
    obj = case.obj(world) if case.obj else None
    for role in denied:
        before = _state(world, obj)
        response = _request(client_for(world.users[role.value]), case, world, obj)
        assert response.status_code == 403, f"{role} got {response.status_code}"
        assert _state(world, obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in CASES if c.obj], ids=lambda c: c.id)
def test_outsider_gets_404_and_changes_nothing(client_for, case):
    world = build_world()
    obj = case.obj(world)
    before = _state(world, obj)
    response = _request(client_for(world.outsider), case, world, obj)
    assert response.status_code == 404
    assert _state(world, obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_granted_role_gets_through(client_for, case):
    world = build_world()
    kind, perm = access_of(case.url_name)
    roles = (
        [Role.ADMIN] if perm is None else sorted(PERMISSIONS[perm], key=lambda r: r != Role.ADMIN)
    )
    obj = case.obj(world) if case.obj else None
    response = _request(client_for(world.users[roles[0]]), case, world, obj)
    assert response.status_code in (200, 302), response.status_code


@pytest.mark.django_db
def test_a_user_without_membership_is_forbidden(client_for):
    from acompana.core.tests.factories import UserFactory

    response = client_for(UserFactory()).get(reverse("core:home"))
    assert response.status_code == 403
