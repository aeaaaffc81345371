"""Declarations for the generic API permission/tenancy test (tests/test_api_permissions_generic.py).

Every app lists one ``ApiCase`` per API operation in ``acompana/<app>/tests/api_cases.py``
(``API_CASES = [...]``); an operation is identified by its ``url_name`` and HTTP method.
The generic test then checks, for each case:

* anonymous → 401 in the JSON error shape, nothing changed;
* a token of every role the operation's permission does not grant → 403, nothing changed,
  also with an invalid body (the permission is checked before the body is read);
* a user without an active organization → 403 ``no_organization`` (member operations);
* the outsider (every role, in another organization) on ``obj`` → 404, nothing changed;
* a token of a role the permission grants (the admin when it can) → 2xx, or one of
  ``expected_status`` when the case sends a deliberately invalid payload.

The permission is not part of the case: it is read from the operation itself, which
declares it on its handler (``acompana.core.api.api_permission``, ``api_member`` or
``api_authenticated``), so a case cannot weaken the 403 test.

The URL is ``path(obj)`` when given, else ``reverse("api:<url_name>", kwargs=kwargs(obj))``
when ``kwargs`` is given, else ``reverse`` with ``{"pk": obj.pk}`` when the route has a
``pk`` parameter (and no kwargs otherwise). The test reads these attributes by name, so
any object that has them works (apps may declare their own dataclass). Also accepted:
``name`` for ``url_name``, and ``multipart=True`` to send the whole ``payload`` (files
included) as a multipart form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from acompana.core.tests.factories import World


@dataclass
class ApiCase:
    #: the operation's ``url_name`` (without the ``api:`` namespace)
    url_name: str
    #: HTTP method, any case
    method: str = "get"
    #: builds an object of ``world.org`` the request is about (None: no object)
    obj: Callable[[World], models.Model] | None = None
    #: URL kwargs from the object (default ``{"pk": obj.pk}`` when the route has ``pk``)
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    #: the whole path from the object, instead of ``kwargs``
    path: Callable[[Any], str] | None = None
    #: JSON body (POST, PUT, PATCH)
    payload: Callable[[World, Any], dict[str, Any]] | None = None
    #: query string parameters
    query: Callable[[World, Any], dict[str, Any]] | None = None
    #: files to upload: the request is then multipart, with ``payload`` as plain form fields
    files: Callable[[World, Any], dict[str, Any]] | None = None
    #: statuses a granted role may get; empty means any 2xx
    expected_status: tuple[int, ...] = ()
    #: the role that gets through, when the organization's procedure gives the action to
    #: another role than the permission's first (``core.permissions.roles_in``)
    role: str | None = None

    @property
    def id(self) -> str:
        return f"{self.url_name}[{self.method.lower()}]"
