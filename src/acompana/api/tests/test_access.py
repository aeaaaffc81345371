"""The access an operation declares on its handler (``core.api``) and how the API checks it."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from acompana.api.router import api
from acompana.core.api import (
    ApiAccess,
    ApiError,
    api_authenticated,
    api_member,
    api_permission,
    guard_operation,
    operation_access,
)
from acompana.core.tests.factories import UserFactory


def _handler(request):  # pragma: no cover - never called
    return None


def test_the_decorators_record_the_access_on_the_handler():
    def a(request):  # pragma: no cover
        return None

    def b(request):  # pragma: no cover
        return None

    def c(request):  # pragma: no cover
        return None

    assert api_permission("registry.change")(a) is a
    assert operation_access(SimpleNamespace(view_func=a)) == ApiAccess(perm="registry.change")
    assert operation_access(SimpleNamespace(view_func=api_member(b))) == ApiAccess()
    assert operation_access(SimpleNamespace(view_func=api_authenticated(c))) == ApiAccess(
        members_only=False
    )
    assert operation_access(SimpleNamespace(view_func=_handler)) is None


def test_an_unknown_permission_is_refused_when_the_api_is_built():
    def handler(request):  # pragma: no cover
        return None

    operation = SimpleNamespace(
        view_func=api_permission("registry.fly")(handler),
        auth_callbacks=[object()],
        url_name="flight",
        path="/vuelo",
    )
    with pytest.raises(ImproperlyConfigured, match="registry.fly"):
        guard_operation(operation)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_members_only_access_needs_an_active_organization(rf, world):
    request = rf.get("/api/v1/")
    request.user = UserFactory()
    ApiAccess(members_only=False).check(request)  # the account endpoints answer anyone
    for access in (ApiAccess(), ApiAccess(perm="registry.view")):
        with pytest.raises(ApiError) as raised:
            access.check(request)
        assert (raised.value.status_code, raised.value.code) == (403, "no_organization")
    request.user = world.auditor
    ApiAccess().check(request)
    ApiAccess(perm="registry.view").check(request)
    with pytest.raises(ApiError) as raised:
        ApiAccess(perm="registry.change").check(request)
    assert (raised.value.status_code, raised.value.code) == (403, "forbidden")


def test_every_bound_operation_is_guarded():
    """The check is installed on the operations the API serves (ninja's bound copies)."""
    for bound_router in api._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            for operation in path_view.operations:
                if operation.auth_callbacks and operation_access(operation) is not None:
                    assert "_run_checks" in vars(operation), operation.url_name
