"""Shared pieces of every app's API router: scoping, permissions, errors, pagination.

Error shape (every error, every endpoint):
``{"error": {"code": "validation_error", "message": "...", "fields": {"field": ["..."]}}}``
with HTTP 400 (validation), 401 (no credentials), 403 (role), 404 (absent or other
organization), 409 (stale edit / wrong workflow state), 422 (malformed request body).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.http import Http404, HttpRequest
from ninja import Schema
from ninja.errors import HttpError

from acompana.core.permissions import has_perm
from acompana.core.scoping import active_membership

T = TypeVar("T")


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorDetail


class Page(Schema, Generic[T]):
    count: int
    next_cursor: str | None = None
    results: list[T]


ERROR_RESPONSES: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
}


def require_perm(request: HttpRequest, perm: str) -> None:
    """403 unless the user's role grants ``perm`` in its active organization."""
    if active_membership(request.user) is None:
        raise HttpError(403, "Su cuenta no pertenece a ninguna entidad activa.")
    if not has_perm(request.user, perm):
        raise HttpError(403, "Su rol no permite esta acción.")


def get_scoped_or_404(queryset: Any, **lookup: Any) -> Any:
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj
