"""Generic permission and tenancy tests over every view (DESIGN section 6.6).

Fails when a view has no access declaration (``core.access``), a protected view has no
``ViewCase``, a public view is not declared in its app's ``public_views``, a POST case does
not say what a granted role gets, or a list page does not say how to make its rows (then
every list is checked for tenancy and for a number of queries that does not grow).
"""

from __future__ import annotations

import importlib
import inspect
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter

from acompana.core.choices import Role
from acompana.core.models import Event
from acompana.core.permissions import roles_in
from acompana.core.plugins import apps_with, product_apps
from acompana.core.tests.cases import ViewCase
from acompana.core.tests.factories import WORLD_PROCEDURE, build_world


def all_cases() -> list[ViewCase]:
    """The ``CASES`` of ``<app>/tests/permission_cases.py`` of every app that has pages."""
    cases: list[ViewCase] = []
    for app in apps_with("url_prefix"):
        module = importlib.import_module(f"{app.name}.tests.permission_cases")
        cases.extend(module.CASES)
    return cases


CASES = all_cases()


def product_routes(resolver=None, namespace="", converters=None):
    """(qualified url name, view callable, route converters) of every product URL outside
    the ninja API (the converters of the enclosing ``include``s too)."""
    resolver = resolver or get_resolver()
    converters = dict(converters or {})
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "api":  # the ninja API: tests/test_api_permissions_generic.py
                continue
            ns = pattern.namespace
            yield from product_routes(
                pattern,
                f"{namespace}{ns}:" if ns else namespace,
                {**converters, **getattr(pattern.pattern, "converters", {})},
            )
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            if callback.__module__.startswith(("ninja", "django.views.static")):
                continue
            route_converters = {**converters, **getattr(pattern.pattern, "converters", {})}
            yield f"{namespace}{pattern.name}", callback, route_converters


def product_patterns():
    """(qualified url name, view callable) of every product URL outside the ninja API."""
    for name, callback, _converters in product_routes():
        yield name, callback


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


def _granted_role(case: ViewCase) -> str:
    """A role the view's permission grants in ``build_world()``'s procedure (the admin when
    it can), or the case's own ``role`` (an action the procedure gives another role)."""
    if case.role:
        return case.role
    kind, perm = access_of(case.url_name)
    if perm is None:
        return Role.ADMIN.value
    allowed = roles_in(perm, organization=WORLD_PROCEDURE)
    return sorted((Role(r) for r in allowed), key=lambda r: (r != Role.ADMIN, r))[0].value


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
    denied = [
        r
        for r in Role
        if perm is not None and r not in roles_in(perm, organization=WORLD_PROCEDURE)
    ]
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


# --- what a granted role gets ------------------------------------------------------------------


def test_every_case_declares_its_outcome():
    """A POST says what a granted role gets; a 302 says where it leads ("any 302" would pass
    a redirect to the login page or back to a form that refused the data)."""
    undeclared = [c.id for c in CASES if c.expected_status is None]
    assert not undeclared, f"POST cases without status= or redirect=: {undeclared}"
    unknown_target = [c.id for c in CASES if c.expected_status == 302 and not c.redirect]
    assert not unknown_target, f"Cases expecting a 302 without redirect=: {unknown_target}"


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_granted_role_gets_the_declared_outcome(client_for, case):
    world = build_world()
    obj = case.obj(world) if case.obj else None
    response = _request(client_for(world.users[_granted_role(case)]), case, world, obj)
    assert response.status_code == case.expected_status, (
        response.status_code,
        response.get("Location"),
    )
    if response.status_code == 302:
        target = resolve(urlsplit(response["Location"]).path)
        assert target.view_name == case.redirect, response["Location"]
        if case.redirect_kwargs is not None:
            expected = {k: str(v) for k, v in case.redirect_kwargs(world, obj).items()}
            assert {k: str(v) for k, v in target.kwargs.items()} == expected


@pytest.mark.django_db
def test_a_user_without_membership_is_forbidden(client_for):
    from acompana.core.tests.factories import UserFactory

    response = client_for(UserFactory()).get(reverse("core:home"))
    assert response.status_code == 403


# --- public views --------------------------------------------------------------------------------


def _public_routes():
    return [(n, cb, conv) for n, cb, conv in product_routes() if cb.acompana_access[0] == "public"]


def _declared_public_views() -> dict[str, str]:
    """url name → the app that declares it public (``ProductAppConfig.public_views``)."""
    declared: dict[str, str] = {}
    for app in product_apps():
        for name in app.public_views:
            declared[name] = app.label
    return declared


def test_every_public_view_is_declared_by_its_app():
    """A page without login is a decision: the app lists it in ``public_views``."""
    served = {name for name, _cb, _conv in _public_routes()}
    undeclared = sorted(served - set(_declared_public_views()))
    assert not undeclared, (
        f"public_view pages missing from their app's ProductAppConfig.public_views: {undeclared}"
    )


def test_every_declared_public_view_is_a_public_page():
    served = {name for name, _cb, _conv in _public_routes()}
    stale = sorted(set(_declared_public_views()) - served)
    assert not stale, f"public_views names that are no public_view page: {stale}"


def test_public_urls_carry_no_ids():
    """Public pages are reached by slugs and opaque tokens (DESIGN section 7), never ids."""
    with_ids = sorted(
        name
        for name, _cb, converters in _public_routes()
        if any(isinstance(c, IntConverter) for c in converters.values())
    )
    assert not with_ids, f"Public URLs with an integer id in the path: {with_ids}"


# --- lists: tenancy and queries ----------------------------------------------------------------


def _view_function(url_name: str):
    for name, callback in product_patterns():
        if name == url_name:
            return inspect.unwrap(callback)
    raise AssertionError(f"No URL named {url_name}")


def is_list_page(url_name: str) -> bool:
    """A list page: its name says so (``*_list``, ``*:list``, ``*_index``) or it paginates."""
    short = url_name.split(":")[-1]
    if short == "list" or short.endswith(("_list", "_index")):
        return True
    try:
        source = inspect.getsource(_view_function(url_name))
    except (OSError, TypeError):
        return False
    return "paginate(" in source


LIST_CASES = [c for c in CASES if c.method == "get" and (c.rows or is_list_page(c.url_name))]


def test_every_list_page_declares_its_rows():
    missing = sorted({c.url_name for c in LIST_CASES if c.rows is None})
    assert not missing, (
        "List pages without rows= in their ViewCase (how to create rows of each "
        f"organization for the tenancy and query-count tests): {missing}"
    )


def test_the_list_detection_finds_lists():
    assert len(LIST_CASES) >= 10


def _page(client, case: ViewCase, obj) -> str:
    response = client.get(reverse(case.url_name, kwargs=case.url_kwargs(obj)))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in LIST_CASES if c.rows], ids=lambda c: c.id)
def test_a_list_shows_none_of_another_organizations_rows(client_for, case):
    world = build_world()
    parent = case.obj(world) if case.obj else None
    ours = case.rows(world, world.org, parent, 2)
    theirs = case.rows(world, world.other, None, 2)
    assert len(ours) == 2 and len(theirs) == 2
    markers = [case.marker(row) for row in ours + theirs]
    assert len(set(markers)) == 4, f"rows need distinct markers: {markers}"

    page = _page(client_for(world.users[_granted_role(case)]), case, parent)
    for row in ours:
        assert case.marker(row) in page, f"own row {case.marker(row)!r} not on the page"
    for row in theirs:
        assert case.marker(row) not in page, f"another organization's {case.marker(row)!r}"

    if parent is None:  # the same list, seen from the other organization
        page = _page(client_for(world.outsider), case, None)
        for row in theirs:
            assert case.marker(row) in page, f"own row {case.marker(row)!r} not on the page"
        for row in ours:
            assert case.marker(row) not in page, f"another organization's {case.marker(row)!r}"


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in LIST_CASES if c.rows], ids=lambda c: c.id)
def test_a_list_runs_the_same_queries_for_more_rows(client_for, case):
    world = build_world()
    parent = case.obj(world) if case.obj else None
    client = client_for(world.users[_granted_role(case)])
    case.rows(world, world.org, parent, 2)
    _page(client, case, parent)  # warm caches (session, membership, content types)
    with CaptureQueriesContext(connection) as few:
        _page(client, case, parent)
    case.rows(world, world.org, parent, 4)
    with CaptureQueriesContext(connection) as more:
        _page(client, case, parent)
    assert len(more) == len(few), (
        f"{len(few)} queries with 2 rows, {len(more)} with 6:\n"
        + "\n".join(q["sql"] for q in more.captured_queries)
    )
