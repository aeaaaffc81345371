"""Shared pieces of every app's API router: errors, permissions, scoping, pagination.

Conventions for a router in ``acompana/<app>/api.py`` (mounted by ``acompana.api.router``):

* Every operation has a ``url_name`` (it is also its OpenAPI ``operationId`` and the name
  the generic test ``tests/test_api_permissions_generic.py`` looks up in the app's
  ``tests/api_cases.py``), and declares ``response={200: Out, **ERROR_RESPONSES}``.
* Permission first (``require_perm(request, "registry.change")`` → 403), then the object
  through a selector (``get_scoped_or_404(selectors.x_for_user(user=...), pk=pk)`` → 404
  for anything outside the active organization), then the service. Services raise Django's
  ``ValidationError``; the API turns it into 400 (409 for ``StaleObjectError`` and
  ``TransitionError``). Raise ``ApiError`` for any other deliberate error.
* Lists paginate by key: ``paginate_queryset`` below, ``CursorParams`` as query parameters
  and ``Page[Out]`` as the response.

Error shape (every error of every endpoint, including ninja's own)::

    {"error": {"code": "validation_error", "message": "...", "fields": {"name": ["..."]}}}

with HTTP 400 (validation, malformed body, bad cursor), 401 (no or bad credentials),
403 (role, CSRF), 404 (absent or other organization), 405 (method), 409 (stale edit or
wrong workflow state), 422 (request does not match the schema). Messages are Spanish.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError

from acompana.core.permissions import has_perm
from acompana.core.scoping import active_membership

T = TypeVar("T")
M = TypeVar("M", bound=Model)

DEFAULT_PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 200


class ErrorDetail(Schema):
    code: str = Field(..., description="Código estable del error (p. ej. `not_found`).")
    message: str = Field(..., description="Mensaje para las personas, en español.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Errores por campo (400 y 422)."
    )


class ErrorOut(Schema):
    error: ErrorDetail


class Page(Schema, Generic[T]):
    """One page of a list: ``next_cursor`` is null on the last page."""

    count: int
    next_cursor: str | None = None
    results: list[T]


class CursorParams(Schema):
    """Query parameters of a paginated list: ``Query[CursorParams]`` in the operation."""

    cursor: str | None = Field(None, description="`next_cursor` de la página anterior.")
    limit: int = Field(
        DEFAULT_PAGE_LIMIT,
        ge=1,
        le=MAX_PAGE_LIMIT,
        description=f"Resultados por página (1 a {MAX_PAGE_LIMIT}).",
    )


#: Error responses every operation documents: ``response={200: Out, **ERROR_RESPONSES}``.
ERROR_RESPONSES: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class ApiError(HttpError):
    """A deliberate API error with its own stable ``code`` (and optional field errors)."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.fields = fields or {}


def require_perm(request: HttpRequest, perm: str) -> None:
    """403 unless the user's role grants ``perm`` in its active organization."""
    if active_membership(request.user) is None:
        raise ApiError(
            403, "no_organization", _("Your account does not belong to any active organization.")
        )
    if not has_perm(request.user, perm):
        raise ApiError(403, "forbidden", _("Your role does not allow this action."))


def require_member(request: HttpRequest) -> None:
    """403 unless the user belongs to an active organization (any role)."""
    if active_membership(request.user) is None:
        raise ApiError(
            403, "no_organization", _("Your account does not belong to any active organization.")
        )


def get_scoped_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """The object of a scoped queryset, or 404 (absent and other organizations alike)."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


# --- keyset pagination ----------------------------------------------------------------------


def encode_cursor(pk: Any) -> str:
    """An opaque cursor pointing after the row with primary key ``pk``."""
    raw = json.dumps({"after": pk}, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    """The primary key a cursor points after; ``ValidationError`` (→ 400) when malformed."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())["after"]
    except (binascii.Error, ValueError, UnicodeDecodeError, KeyError, TypeError):
        raise _invalid_cursor()
    if isinstance(after, bool) or not isinstance(after, int | str):
        raise _invalid_cursor()
    if isinstance(after, int) and not -(2**63) <= after < 2**63:
        raise _invalid_cursor()
    return after


def _invalid_cursor() -> ValidationError:
    return ValidationError({"cursor": [_("The cursor is not valid. Start from the first page.")]})


def paginate_queryset(
    queryset: QuerySet[M], cursor: str | None, limit: int = DEFAULT_PAGE_LIMIT
) -> tuple[Sequence[M], str | None, int]:
    """One page of ``queryset`` by primary key (keyset pagination, never OFFSET).

    Returns ``(items, next_cursor, count)``: at most ``limit`` rows (1 to ``MAX_PAGE_LIMIT``)
    with a primary key after the one ``cursor`` points at, in primary-key order; the opaque
    cursor of the next page (``None`` on the last page); and the number of rows of the
    whole queryset. The queryset's own ordering is replaced by ``pk``, so pages stay stable
    while rows are added. Pass an already scoped queryset (``Model.objects.for_user``)::

        @router.get("/personas", response={200: Page[PersonOut], **ERROR_RESPONSES},
                    url_name="person_list")
        def person_list(request, params: Query[CursorParams]):
            require_perm(request, "registry.view")
            items, next_cursor, count = paginate_queryset(
                selectors.people_for_user(user=request.user), params.cursor, params.limit
            )
            return {"count": count, "next_cursor": next_cursor,
                    "results": [PersonOut.from_orm(p) for p in items]}

    A malformed cursor or a limit out of range raises ``ValidationError`` (→ 400).
    """
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise ValidationError(
            {"limit": [_("The limit must be between 1 and %(max)d.") % {"max": MAX_PAGE_LIMIT}]}
        )
    page = queryset.order_by("pk")
    if cursor:
        after = decode_cursor(cursor)
        try:
            page = page.filter(pk__gt=after)
            items = list(page[: limit + 1])
        except (ValueError, TypeError, ValidationError):
            raise _invalid_cursor()
    else:
        items = list(page[: limit + 1])
    next_cursor = encode_cursor(items[limit - 1].pk) if len(items) > limit else None
    return items[:limit], next_cursor, queryset.count()
