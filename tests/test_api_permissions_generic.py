"""Generic permission and tenancy tests over every operation of the API (DESIGN section 6.6).

Walks every operation the ninja API serves and fails when one has no ``ApiCase`` in
``acompana/<app>/tests/api_cases.py`` (``API_CASES``), or when its handler does not declare
who may call it (``acompana.core.api.api_permission``, ``api_member``, ``api_authenticated``).
The permission is read from the operation, never from the case, so a case cannot weaken the
403 test. The contract of a case is in ``acompana.core.tests.api_case``; cases are read by
attribute, so each app may declare its own dataclass with the same attribute names.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.urls import URLPattern, reverse

from acompana.api.router import api
from acompana.core.api import ApiAccess, operation_access
from acompana.core.choices import Role
from acompana.core.models import Event
from acompana.core.permissions import PERMISSIONS, roles_in
from acompana.core.plugins import product_apps
from acompana.core.tests.api_utils import assert_error, call, make_token
from acompana.core.tests.factories import WORLD_PROCEDURE, UserFactory, build_world


def all_cases() -> list[Any]:
    """The ``API_CASES`` of ``<app>/tests/api_cases.py`` of every app with a router (the api
    app's cover the account and token operations)."""
    cases: list[Any] = []
    for app in product_apps():
        if app.api_prefix is None and app.label != "api":
            continue
        module = importlib.import_module(f"{app.name}.tests.api_cases")
        cases.extend(module.API_CASES)
    return cases


Operation = tuple[str, str, bool, ApiAccess | None]


def api_operations() -> list[Operation]:
    """(url_name, method, requires authentication, declared access) of every operation the
    API serves."""
    operations = []
    for bound_router in api._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            for operation in path_view.operations:
                for method in operation.methods:
                    operations.append(
                        (
                            operation.url_name or "",
                            method.lower(),
                            bool(operation.auth_callbacks),
                            operation_access(operation),
                        )
                    )
    return operations


def undeclared(operations: list[Operation]) -> list[str]:
    """The authenticated operations whose handler does not declare who may call it."""
    return sorted(
        f"{name} [{method.upper()}]"
        for name, method, auth, access in operations
        if auth and access is None
    )


def route_params() -> dict[str, set[str]]:
    """The URL parameters of each API url_name."""
    patterns = api.urls[0]
    return {
        p.name: set(p.pattern.converters) for p in patterns if isinstance(p, URLPattern) and p.name
    }


CASES = all_cases()
OPERATIONS = api_operations()
PUBLIC = {(name, method) for name, method, auth, _ in OPERATIONS if not auth}
ACCESS = {(name, method): access for name, method, _, access in OPERATIONS}
ROUTE_PARAMS = route_params()


def case_name(case: Any) -> str:
    """The operation's url_name (``url_name``; ``name`` is accepted too)."""
    return str(getattr(case, "url_name", None) or case.name)


def case_method(case: Any) -> str:
    return str(getattr(case, "method", "get")).lower()


def case_id(case: Any) -> str:
    return f"{case_name(case)}[{case_method(case)}]"


def case_url(case: Any, obj: Any) -> str:
    path = getattr(case, "path", None)
    if path is not None:
        return str(path(obj))
    kwargs_of = getattr(case, "kwargs", None)
    if kwargs_of is not None:
        kwargs = kwargs_of(obj)
    elif obj is not None and "pk" in ROUTE_PARAMS.get(case_name(case), set()):
        kwargs = {"pk": obj.pk}
    else:
        kwargs = {}
    return reverse(f"api:{case_name(case)}", kwargs=kwargs)


def send(client: Any, case: Any, world: Any, obj: Any) -> Any:
    payload_of = getattr(case, "payload", None)
    query_of = getattr(case, "query", None)
    files_of = getattr(case, "files", None)
    payload = payload_of(world, obj) if payload_of else None
    files = files_of(world, obj) if files_of else None
    if getattr(case, "multipart", False):  # the whole payload is a multipart form
        files, payload = {**(payload or {}), **(files or {})}, None
    return call(
        client,
        case_method(case),
        case_url(case, obj),
        payload=payload,
        query=query_of(world, obj) if query_of else None,
        files=files,
    )


def state(obj: Any) -> tuple[Any, int]:
    """What must not change on a refused request: the object and the event table."""
    snapshot: Any = None
    if obj is not None:
        try:
            obj.refresh_from_db()
        except type(obj).DoesNotExist:
            snapshot = "deleted"
        else:
            snapshot = model_to_dict(obj)
    return snapshot, Event.objects.count()


def token_client(user: Any) -> Any:
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")


def access_of(case: Any) -> ApiAccess | None:
    """What the case's operation declares (read from the operation, not from the case)."""
    return ACCESS.get((case_name(case), case_method(case)))


def perm_of(case: Any) -> str | None:
    access = access_of(case)
    return access.perm if access is not None else None


def denied_roles(case: Any) -> list[str]:
    perm = perm_of(case)
    if perm is None:
        return []
    return [r.value for r in Role if r not in roles_in(perm, organization=WORLD_PROCEDURE)]


def granted_role(case: Any) -> str:
    """A role the operation's permission grants in ``build_world()``'s procedure (the admin
    when it can), or the case's own ``role`` (an action the procedure gives another role)."""
    if getattr(case, "role", None):
        return str(case.role)
    perm = perm_of(case)
    if perm is None:
        return Role.ADMIN.value
    allowed = roles_in(perm, organization=WORLD_PROCEDURE)
    roles = sorted((Role(r) for r in allowed), key=lambda r: (r != Role.ADMIN, r))
    return roles[0].value


def sends_json(case: Any) -> bool:
    """The case sends a JSON body (not a multipart upload)."""
    return bool(
        getattr(case, "payload", None)
        and not getattr(case, "files", None)
        and not getattr(case, "multipart", False)
    )


def send_invalid_body(client: Any, case: Any, obj: Any) -> Any:
    """The case's request with a body no operation can read (malformed JSON)."""
    return client.generic(
        case_method(case).upper(), case_url(case, obj), '{"', content_type="application/json"
    )


# --- completeness ---------------------------------------------------------------------------


def test_the_api_has_operations():
    assert OPERATIONS, "No API operation found: is the router mounted?"


def test_every_operation_has_a_url_name():
    missing = sorted({m for name, m, _, _ in OPERATIONS if not name})
    assert not missing, "API operations without url_name (methods): " + ", ".join(missing)


def test_url_names_are_unique():
    names = [(name, method) for name, method, _, _ in OPERATIONS]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    assert not duplicated, f"API url_name used twice for the same method: {duplicated}"


def test_every_operation_has_a_case():
    declared = {(case_name(c), case_method(c)) for c in CASES}
    missing = sorted({(n, m) for n, m, _, _ in OPERATIONS} - declared)
    assert not missing, (
        "API operations without an ApiCase in acompana/<app>/tests/api_cases.py: "
        + ", ".join(f"{n} [{m.upper()}]" for n, m in missing)
    )


def test_every_case_names_an_operation():
    served = {(n, m) for n, m, _, _ in OPERATIONS}
    unknown = sorted({(case_name(c), case_method(c)) for c in CASES} - served)
    assert not unknown, f"ApiCases for operations the API does not serve: {unknown}"


def test_every_operation_declares_who_may_call_it():
    missing = undeclared(OPERATIONS)
    assert not missing, (
        "API operations whose handler declares no access (add @api_permission(...), "
        "@api_member or @api_authenticated from acompana.core.api): " + ", ".join(missing)
    )


def test_an_operation_without_a_declaration_is_reported():
    operations: list[Operation] = [
        ("declared", "get", True, ApiAccess(perm="registry.view")),
        ("member", "get", True, ApiAccess()),
        ("public", "get", False, None),
        ("forgotten", "post", True, None),
    ]
    assert undeclared(operations) == ["forgotten [POST]"]


def test_every_declared_permission_is_known():
    unknown = sorted(
        f"{name} [{method.upper()}]: {access.perm}"
        for name, method, _, access in OPERATIONS
        if access is not None and access.perm is not None and access.perm not in PERMISSIONS
    )
    assert not unknown, f"API operations declaring permissions missing from PERMISSIONS: {unknown}"


def test_cases_do_not_restate_the_permission():
    restating = sorted(case_id(c) for c in CASES if hasattr(c, "perm"))
    assert not restating, f"ApiCases with a perm (it is read from the operation): {restating}"


# --- behaviour, per case --------------------------------------------------------------------

AUTHENTICATED_CASES = [c for c in CASES if (case_name(c), case_method(c)) not in PUBLIC]


@pytest.mark.django_db
@pytest.mark.parametrize("case", AUTHENTICATED_CASES, ids=case_id)
def test_anonymous_gets_401(client, case):
    world = build_world()
    obj = case.obj(world) if getattr(case, "obj", None) else None
    before = state(obj)
    response = send(client, case, world, obj)
    assert_error(response, 401, "unauthenticated")
    assert state(obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in AUTHENTICATED_CASES if denied_roles(c)], ids=case_id)
def test_roles_without_permission_get_403(case):
    world = build_world()
    obj = case.obj(world) if getattr(case, "obj", None) else None
    for role in denied_roles(case):
        before = state(obj)
        response = send(token_client(world.users[role]), case, world, obj)
        assert response.status_code == 403, f"{role} got {response.status_code}"
        assert_error(response, 403)
        assert state(obj) == before, f"{role} changed something"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case", [c for c in AUTHENTICATED_CASES if denied_roles(c) and sends_json(c)], ids=case_id
)
def test_permission_is_checked_before_the_body(case):
    """A role without the right gets 403 for an invalid body too (never 400 or 422), while
    a granted role gets the 400 that proves the body is invalid."""
    world = build_world()
    obj = case.obj(world) if getattr(case, "obj", None) else None
    role = denied_roles(case)[0]
    before = state(obj)
    response = send_invalid_body(token_client(world.users[role]), case, obj)
    assert_error(response, 403, "forbidden")
    assert state(obj) == before
    response = send_invalid_body(token_client(world.users[granted_role(case)]), case, obj)
    assert_error(response, 400, "malformed_body")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    [c for c in AUTHENTICATED_CASES if access_of(c) is not None and access_of(c).members_only],
    ids=case_id,
)
def test_a_user_without_organization_gets_403(case):
    world = build_world()
    obj = case.obj(world) if getattr(case, "obj", None) else None
    before = state(obj)
    response = send(token_client(UserFactory()), case, world, obj)
    assert_error(response, 403, "no_organization")
    assert state(obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case", [c for c in AUTHENTICATED_CASES if getattr(c, "obj", None)], ids=case_id
)
def test_outsider_gets_404_and_changes_nothing(case):
    world = build_world()
    obj = case.obj(world)
    client = token_client(world.outsider)
    before = state(obj)
    response = send(client, case, world, obj)
    assert_error(response, 404, "not_found")
    assert state(obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_a_granted_role_gets_through(case):
    world = build_world()
    obj = case.obj(world) if getattr(case, "obj", None) else None
    role = granted_role(case)
    response = send(token_client(world.users[role]), case, world, obj)
    expected = tuple(getattr(case, "expected_status", ()) or ())
    if expected:
        assert response.status_code in expected, (role, response.status_code, response.content)
        if response.status_code >= 400:
            assert_error(response, response.status_code)
    else:
        assert 200 <= response.status_code < 300, (role, response.status_code, response.content)
