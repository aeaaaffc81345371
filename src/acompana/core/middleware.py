from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from acompana.core.scoping import active_membership


class ActiveOrganizationMiddleware:
    """Exposes ``request.membership`` and ``request.organization`` (lazily)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = SimpleLazyObject(lambda: active_membership(request.user))  # type: ignore[attr-defined]
        request.organization = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: m.organization if (m := active_membership(request.user)) else None
        )
        return self.get_response(request)
