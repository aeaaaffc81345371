"""Declarations for the generic permission/tenancy tests (tests/test_permissions_generic.py).

Every app lists one ``ViewCase`` per URL name in ``acompana/<app>/tests/permission_cases.py``
(``CASES = [...]``). The generic test then checks, for each case:

* anonymous → redirect to the login page;
* every role the view's permission does not grant → 403;
* the outsider (every role, in another organization) → 404, and nothing changed;
* a role it grants → neither 403 nor 404.

The permission itself is read from the view (``core.access``), so the declaration only
says how to build an object of the organization and the request to send.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from acompana.core.tests.factories import World


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

    @property
    def id(self) -> str:
        return f"{self.url_name}[{self.method}]"

    def url_kwargs(self, obj: Any) -> dict[str, Any]:
        if obj is None:
            return {}
        if self.kwargs is not None:
            return self.kwargs(obj)
        return {"pk": obj.pk}
