"""Permission before validation on the pages (DESIGN section 9, issue 11 section 9).

A role without the right gets 403 for a POST whatever its body: an empty or invalid form
must not be validated (and answered with field errors) before the refusal. The API has the
same rule in ``tests/test_api_permissions_generic.py``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from acompana.core.choices import Role
from acompana.core.permissions import PERMISSIONS, roles_in
from acompana.core.tests.factories import build_world
from tests.test_permissions_generic import CASES, _state, access_of

POST_CASES = [c for c in CASES if c.method == "post"]


def _denied_roles(case, organization=None) -> list[Role]:
    """Roles the view refuses: the static table's, or ``organization``'s procedure's."""
    _kind, perm = access_of(case.url_name)
    if perm is None:
        return []
    allowed = (
        PERMISSIONS[perm] if organization is None else roles_in(perm, organization=organization)
    )
    return [r for r in Role if r not in allowed]


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in POST_CASES if _denied_roles(c)], ids=lambda c: c.id)
def test_a_refused_role_gets_403_for_an_invalid_form_too(client_for, case):
    world = build_world()
    obj = case.obj(world) if case.obj else None
    url = reverse(case.url_name, kwargs=case.url_kwargs(obj))
    for role in _denied_roles(case, world.org):
        before = _state(world, obj)
        client = client_for(world.users[role.value])
        for body in ({}, {"version": "x", "fiscal_year": "0", "unit": "-1"}):
            response = client.post(url, body)
            assert response.status_code == 403, f"{role} got {response.status_code}"
            assert b"is-invalid" not in response.content  # no form re-shown with errors
        htmx = client.post(url, {}, HTTP_HX_REQUEST="true")
        assert htmx.status_code == 403, f"{role} (htmx) got {htmx.status_code}"
        assert _state(world, obj) == before
