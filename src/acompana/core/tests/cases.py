"""Declarations for the generic permission/tenancy tests (tests/test_permissions_generic.py).

Every app lists one ``ViewCase`` per URL name in ``acompana/<app>/tests/permission_cases.py``
(``CASES = [...]``). The generic test then checks, for each case:

* anonymous → redirect to the login page;
* every role the view's permission does not grant → 403;
* the outsider (every role, in another organization) → 404, and nothing changed;
* a role it grants → the real outcome: ``status`` (a GET: 200 unless declared) and, for a
  302, the page it leads to (``redirect``: a URL name, ``redirect_kwargs`` when the exact
  object matters). A POST declares its outcome; "any 302" proves nothing.

A list page (its URL name ends in ``list``/``index``, or its view paginates) also declares
``rows``: ``rows(world, organization, parent, n)`` creates ``n`` rows of the list in
``organization`` (``parent`` is the case's object for ``world.org``, ``None`` for the other
organization: the builder makes its own there) and returns them. The generic tests then
check that a user sees their organization's rows (``marker(row)``, default ``str(row)``, is
on the page) and none of the other organization's, and that the number of queries does not
grow with the rows.

The permission itself is read from the view (``core.access``), so the declaration only
says how to build an object of the organization and the request to send.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from acompana.core.tests.factories import World

_SEQUENCE = itertools.count(1)


def unique_text(prefix: str) -> str:
    """A name no other row has, and no other name contains (fixed-width number): a row
    builder's marker, so "Grupo N000001" is never found inside "Grupo N000012"."""
    return f"{prefix} N{next(_SEQUENCE):06d}"


def unique_number() -> int:
    """A number no other row of the test session has (years, codes)."""
    return next(_SEQUENCE)


@dataclass
class ViewCase:
    url_name: str
    #: builds an object of ``world.org`` the URL points at (None: the URL has no object)
    obj: Callable[[World], models.Model] | None = None
    #: URL kwargs from the object (default ``{"pk": obj.pk}``)
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    method: str = "get"
    #: form data for POST requests
    data: Callable[[World, Any], dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: the status a granted role gets (None: 200 for a GET; a POST must declare it or
    #: ``redirect``, which implies 302)
    status: int | None = None
    #: URL name a 302 must lead to
    redirect: str | None = None
    #: the exact kwargs of that URL, from the world and the object (optional)
    redirect_kwargs: Callable[[World, Any], dict[str, Any]] | None = None
    #: list pages: ``rows(world, organization, parent, n)`` creates ``n`` rows, returns them
    rows: Callable[[World, Any, Any, int], list[Any]] | None = None
    #: the text the list shows for a row
    marker: Callable[[Any], str] = str
    #: the role that gets the outcome, when the organization's procedure gives the action to
    #: another role than the permission's first (``core.permissions.roles_in``)
    role: str | None = None

    @property
    def id(self) -> str:
        return f"{self.url_name}[{self.method}]"

    @property
    def expected_status(self) -> int | None:
        """What a granted role gets; None when a POST declares nothing (the test fails)."""
        if self.status is not None:
            return self.status
        if self.redirect is not None:
            return 302
        return 200 if self.method == "get" else None

    def url_kwargs(self, obj: Any) -> dict[str, Any]:
        if obj is None:
            return {}
        if self.kwargs is not None:
            return self.kwargs(obj)
        return {"pk": obj.pk}


def _item_id(item: dict[str, Any]) -> Any:
    return item["id"]


def _row_pk(row: Any) -> Any:
    return row.pk


@dataclass
class ApiListCase:
    """An API list for the generic tenancy and query-count tests (tests/test_api_lists_generic.py).

    Declared next to the page cases (``API_LISTS`` of ``<app>/tests/permission_cases.py``):
    ``rows`` has the same contract as ``ViewCase.rows``; ``obj`` builds the parent of a nested
    list (``kwargs`` its URL kwargs, default ``{"pk": obj.pk}``). The test compares the ids of
    the items (``item_id``) with those of the rows (``row_id``). A list of reference data that
    is the same for every organization says why in ``shared`` instead of giving rows.
    """

    url_name: str
    rows: Callable[[World, Any, Any, int], list[Any]] | None = None
    obj: Callable[[World], Any] | None = None
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    query: dict[str, Any] = field(default_factory=dict)
    item_id: Callable[[dict[str, Any]], Any] = _item_id
    row_id: Callable[[Any], Any] = _row_pk
    shared: str = ""
    #: a known N+1 still to fix: the query-count test is then an expected (strict) failure,
    #: so the declaration must go when the list is fixed
    queries_grow: str = ""

    @property
    def id(self) -> str:
        return self.url_name

    def url_kwargs(self, obj: Any) -> dict[str, Any]:
        if obj is None:
            return {}
        if self.kwargs is not None:
            return self.kwargs(obj)
        return {"pk": obj.pk}
