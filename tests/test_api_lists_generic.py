"""Generic tenancy and query-count tests over every list of the API (DESIGN sections 6.6, 8).

The operations are read from ``acompana.api.router.api``: a GET whose 200 body is a JSON
array or a page (``results``) is a list. Each needs an ``ApiListCase`` in ``API_LISTS`` of
its app's ``tests/permission_cases.py`` (contract in ``acompana.core.tests.cases``); then,
with rows of both organizations present, a user sees their organization's rows and none of
the other's, and the number of queries does not grow with the rows. The per-operation
permission cases (401/403/404) are in ``tests/test_api_permissions_generic.py``.
"""

from __future__ import annotations

import importlib
import typing
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pydantic import BaseModel

from acompana.api.router import api
from acompana.core.plugins import product_apps
from acompana.core.tests.api_utils import make_token
from acompana.core.tests.cases import ApiListCase
from acompana.core.tests.factories import build_world


def _is_list_body(response_model: Any) -> bool:
    annotation = response_model.model_fields["response"].annotation if response_model else None
    if typing.get_origin(annotation) is list:
        return True
    return (
        isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
        and "results" in annotation.model_fields
    )


def list_operations() -> list[str]:
    """The url_name of every GET operation of the API whose body is a list or a page."""
    names = []
    for bound_router in api._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            for operation in path_view.operations:
                if "GET" in operation.methods and _is_list_body(operation.response_models.get(200)):
                    names.append(operation.url_name or "")
    return names


def all_list_cases() -> list[ApiListCase]:
    cases: list[ApiListCase] = []
    for app in product_apps():
        try:
            module = importlib.import_module(f"{app.name}.tests.permission_cases")
        except ModuleNotFoundError:
            continue
        cases.extend(getattr(module, "API_LISTS", []))
    return cases


LISTS = list_operations()
CASES = all_list_cases()
ROW_CASES = [c for c in CASES if c.rows is not None]


def token_client(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")


def items_of(client: Client, case: ApiListCase, parent: Any) -> list[dict[str, Any]]:
    url = reverse(f"api:{case.url_name}", kwargs=case.url_kwargs(parent))
    response = client.get(url, case.query)
    assert response.status_code == 200, (response.status_code, response.content[:500])
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


# --- completeness ---------------------------------------------------------------------------


def test_the_api_has_lists():
    assert len(LISTS) >= 10, LISTS


def test_every_api_list_has_a_case():
    declared = {c.url_name for c in CASES}
    missing = sorted(set(LISTS) - declared)
    assert not missing, (
        "API lists without an ApiListCase in API_LISTS of <app>/tests/permission_cases.py: "
        f"{missing}"
    )


def test_every_case_names_an_api_list():
    unknown = sorted({c.url_name for c in CASES} - set(LISTS))
    assert not unknown, f"ApiListCases for operations that are no API list: {unknown}"


def test_a_case_gives_rows_or_says_why_the_list_is_shared():
    wrong = [c.url_name for c in CASES if (c.rows is None) == (not c.shared)]
    assert not wrong, f"Give exactly one of rows= and shared=: {wrong}"


# --- behaviour --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in CASES if c.shared], ids=lambda c: c.id)
def test_a_shared_list_is_the_same_for_every_organization(case):
    world = build_world()
    ours = items_of(token_client(world.admin), case, None)
    theirs = items_of(token_client(world.outsider), case, None)
    assert ours == theirs


@pytest.mark.django_db
@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.id)
def test_an_api_list_shows_none_of_another_organizations_rows(case):
    world = build_world()
    parent = case.obj(world) if case.obj else None
    ours = {case.row_id(r) for r in case.rows(world, world.org, parent, 2)}
    theirs = {case.row_id(r) for r in case.rows(world, world.other, None, 2)}
    assert len(ours) == 2 and len(theirs) == 2 and not ours & theirs

    seen = {case.item_id(item) for item in items_of(token_client(world.admin), case, parent)}
    assert ours <= seen, f"own rows missing: {ours - seen}"
    assert not theirs & seen, f"another organization's rows: {theirs & seen}"

    if parent is None:  # the same list, asked by the other organization
        seen = {case.item_id(i) for i in items_of(token_client(world.outsider), case, None)}
        assert theirs <= seen, f"own rows missing: {theirs - seen}"
        assert not ours & seen, f"another organization's rows: {ours & seen}"


def _query_cases() -> list[Any]:
    """Every list with rows; a declared known N+1 (``queries_grow``) is a strict xfail."""
    return [
        pytest.param(
            c,
            id=c.id,
            marks=[pytest.mark.xfail(strict=True, reason=c.queries_grow)] if c.queries_grow else [],
        )
        for c in ROW_CASES
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("case", _query_cases())
def test_an_api_list_runs_the_same_queries_for_more_rows(case):
    world = build_world()
    parent = case.obj(world) if case.obj else None
    client = token_client(world.admin)
    case.rows(world, world.org, parent, 2)
    items_of(client, case, parent)  # warm caches (token use, content types)
    with CaptureQueriesContext(connection) as few:
        items_of(client, case, parent)
    case.rows(world, world.org, parent, 4)
    with CaptureQueriesContext(connection) as more:
        assert len(items_of(client, case, parent)) >= 6
    assert len(more) == len(few), (
        f"{len(few)} queries with 2 rows, {len(more)} with 6:\n"
        + "\n".join(q["sql"] for q in more.captured_queries)
    )
