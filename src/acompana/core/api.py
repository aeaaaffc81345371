"""The API kit every app's router uses: errors, access declarations, scoping, list pages.

Conventions for a router in ``acompana/<app>/api.py`` (mounted by ``acompana.api.router``):

* Every operation has a ``url_name`` (it is also its OpenAPI ``operationId`` and the name
  the generic test ``tests/test_api_permissions_generic.py`` looks up in the app's
  ``tests/api_cases.py``), and declares ``response={200: Out, **ERROR_RESPONSES}``.
* Every operation declares who may call it with a decorator: ``@api_permission("registry.
  change")``, ``@api_member`` (any member of the active organization) or
  ``@api_authenticated`` (anyone signed in: the account endpoints). The API checks it right
  after authentication, before the path, query and body are read, so a user without the
  right gets 403 even for an invalid body (never 422), and the generic test reads the
  permission from the operation itself.
* Then the object through a selector (``get_scoped_or_404(selectors.x_for_user(user=...),
  pk=pk)`` → 404 for anything outside the active organization), then the service. Services
  raise Django's ``ValidationError``; the API turns it into 400 (409 for
  ``StaleObjectError`` and ``TransitionError``, 400 ``import_rejected`` for
  ``ImportRejected``). Raise ``ApiError`` for any other deliberate error.
* Lists paginate by key: ``Query[CursorParams]`` as query parameters, ``Page[Out]`` as the
  response and ``page_of(queryset, page, row_out)`` as the body. A list with filters binds
  the list's one filter form (``<app>/filters.py``) with ``acompana.core.filters.bind``.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError

from acompana.core.permissions import PERMISSIONS, has_perm
from acompana.core.scoping import active_membership

if TYPE_CHECKING:
    from ninja.operation import Operation

    from acompana.core.models import Organization

T = TypeVar("T")
M = TypeVar("M", bound=Model)
F = TypeVar("F", bound=Callable[..., Any])

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


# The exact form of a cursor, for the OpenAPI: base64url (no padding) of ``{"after":N}`` with
# N a non-negative integer of up to 17 digits and no leading zero. The prefix encodes
# ``{"after":``; each 4-character group encodes three digits; the last group encodes the
# remaining 0, 1 or 2 digits and ``}``. Any string it matches is a cursor ``decode_cursor``
# accepts, so a request the description allows is never refused.
_LEAD = "(?:M[Tjz]|N[DTjz]|O[DT])"  # a first digit 1-9 and a second digit
_PAIR = "(?:M[DTjz]|N[DTjz]|O[DT])"  # two digits
_DIGITS3 = _PAIR + "[AEIMQUYcgk][w-z0-5]"
_END = f"(?:fQ|(?:M[HXn3]|N[HXn3]|O[HX])0|{_PAIR}[BFJNRVZdhl]9)"
CURSOR_PATTERN = (
    "^eyJhZnRlciI6(?:"
    + f"{_LEAD}[AEIMQUYcgk][w-z0-5](?:{_DIGITS3}){{0,4}}{_END}"
    + "|(?:M[HXn3]|N[HXn3]|O[HX])0"
    + f"|{_LEAD}[BFJNRVZdhl]9"
    + ")$"
)


class CursorParams(Schema):
    """Query parameters of a paginated list: ``Query[CursorParams]`` in the operation."""

    cursor: str | None = Field(
        None,
        pattern=CURSOR_PATTERN,
        description=(
            "`next_cursor` de la página anterior, tal cual (base64url sin relleno de "
            '`{"after":<id>}`).'
        ),
    )
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


def organization_of(request: HttpRequest) -> Organization:
    """The caller's active organization; 403 ``no_organization`` when it has none."""
    membership = active_membership(request.user)
    if membership is None:
        raise ApiError(
            403, "no_organization", _("Your account does not belong to any active organization.")
        )
    return membership.organization


def require_member(request: HttpRequest) -> None:
    """403 unless the user belongs to an active organization (any role)."""
    organization_of(request)


def require_perm(request: HttpRequest, perm: str) -> None:
    """403 unless the user's role grants ``perm`` in its active organization."""
    require_member(request)
    if not has_perm(request.user, perm):
        raise ApiError(403, "forbidden", _("Your role does not allow this action."))


# --- who may call an operation ----------------------------------------------------------------


@dataclass(frozen=True)
class ApiAccess:
    """Who may call an operation, declared on its handler and checked before validation.

    ``perm`` is a name of ``core.permissions.PERMISSIONS``; without it any member of an
    active organization may call (``members_only``) or, for the account endpoints, anyone
    authenticated.
    """

    perm: str | None = None
    members_only: bool = True

    def check(self, request: HttpRequest) -> None:
        """``ApiError`` 403 (``no_organization`` or ``forbidden``) unless the caller may."""
        if self.perm is not None:
            require_perm(request, self.perm)
        elif self.members_only:
            require_member(request)


#: attribute of a handler holding its ``ApiAccess``
ACCESS_ATTRIBUTE = "api_access"


def _declare(access: ApiAccess) -> Callable[[F], F]:
    def decorator(handler: F) -> F:
        setattr(handler, ACCESS_ATTRIBUTE, access)
        return handler

    return decorator


def api_permission(perm: str) -> Callable[[F], F]:
    """Declare the permission an operation needs (403 before validation otherwise)::

    @router.patch("/personas/{pk}", response=..., url_name="person_update")
    @api_permission("registry.change")
    def person_update(request, pk: int, payload: PersonPatch): ...
    """
    return _declare(ApiAccess(perm=perm))


#: Any member of an active organization may call the operation (403 ``no_organization``).
api_member = _declare(ApiAccess())

#: Anyone authenticated may call the operation, with or without an organization (``/yo``).
api_authenticated = _declare(ApiAccess(members_only=False))


def operation_access(operation: Operation) -> ApiAccess | None:
    """The access an operation's handler declares (``None``: it declares none)."""
    return getattr(operation.view_func, ACCESS_ATTRIBUTE, None)


def guard_operation(operation: Operation) -> None:
    """Check the operation's declared access right after authentication, before its path,
    query and body are parsed (so a refused caller never learns the body was invalid).

    Called by the API for every operation once its routers are bound (ninja clones the
    operations when it binds them, so the check is installed on the bound copy).
    """
    access = operation_access(operation)
    if access is None or not operation.auth_callbacks:
        return
    if access.perm is not None and access.perm not in PERMISSIONS:
        raise ImproperlyConfigured(
            f"API operation {getattr(operation, 'url_name', operation.path)!r} declares an "
            f"unknown permission {access.perm!r}."
        )
    authenticate_and_throttle = operation._run_checks

    def run_checks(request: HttpRequest) -> HttpResponse | None:
        error = authenticate_and_throttle(request)
        if error is not None:
            return error
        try:
            access.check(request)
        except ApiError as exc:
            return operation.api.on_exception(request, exc)
        return None

    operation._run_checks = run_checks  # type: ignore[method-assign]


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


def page_of(queryset: QuerySet[M], page: CursorParams, row: Callable[[M], Any]) -> dict[str, Any]:
    """The body of a ``Page``: one page of ``queryset`` (keyset, see ``paginate_queryset``)
    with each row turned into its output by ``row``::

        @router.get("/personas", response={200: Page[PersonOut], **ERROR_RESPONSES},
                    url_name="person_list")
        @api_permission("registry.view")
        def person_list(request, page: Query[CursorParams]):
            return page_of(selectors.people_for_user(user=request.user), page, _person_out)
    """
    items, next_cursor, count = paginate_queryset(queryset, page.cursor, page.limit)
    return {"count": count, "next_cursor": next_cursor, "results": [row(i) for i in items]}


def paginate_queryset(
    queryset: QuerySet[M], cursor: str | None, limit: int = DEFAULT_PAGE_LIMIT
) -> tuple[Sequence[M], str | None, int]:
    """One page of ``queryset`` by primary key (keyset pagination, never OFFSET).

    Returns ``(items, next_cursor, count)``: at most ``limit`` rows (1 to ``MAX_PAGE_LIMIT``)
    with a primary key after the one ``cursor`` points at, in primary-key order; the opaque
    cursor of the next page (``None`` on the last page); and the number of rows of the
    whole queryset. The queryset's own ordering is replaced by ``pk``, so pages stay stable
    while rows are added. Pass an already scoped queryset (``Model.objects.for_user``);
    operations use ``page_of``, which builds the ``Page`` body from it.

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
