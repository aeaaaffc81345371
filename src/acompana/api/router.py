"""The versioned REST API (django-ninja). Each app contributes a router from its api.py.

Every error leaves the API in one JSON shape (``acompana.core.api``), including the ones
ninja produces itself: a method the path does not have (405), a body that is not JSON
(400), a body that does not match the schema (422), and a path under ``/api/v1/`` that
does not exist (404).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path, reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.router import BoundRouter

from acompana.api.auth import api_auth
from acompana.core.api import ApiError, guard_operation
from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.filters import FilterReferenceNotFound
from acompana.core.tabular import ImportRejected

logger = logging.getLogger("django.request")


class AcompanaAPI(NinjaAPI):
    """NinjaAPI with JSON errors for ninja's own responses, ``url_name`` operation ids, and
    the access each handler declares (``core.api.api_permission``) checked before validation.
    """

    def _get_bound_routers(self) -> list[BoundRouter]:
        # ninja binds (clones) every operation once, on first use; guard the bound copies
        first_binding = self._bound_routers_cache is None
        bound_routers = super()._get_bound_routers()
        if first_binding:
            for bound_router in bound_routers:
                for path_view in bound_router.path_operations.values():
                    for operation in path_view.operations:
                        guard_operation(operation)
        return bound_routers

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The description, with what ninja cannot say from type hints: an id in a path is
        a positive integer (``minimum: 1``)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                for parameter in (
                    operation.get("parameters", ()) if isinstance(operation, dict) else ()
                ):
                    if (
                        parameter.get("in") == "path"
                        and parameter["schema"].get("type") == "integer"
                    ):
                        parameter["schema"].setdefault("minimum", 1)
        return schema

    def get_openapi_operation_id(self, operation: Operation) -> str:
        url_name = getattr(operation, "url_name", None)
        return url_name or super().get_openapi_operation_id(operation)

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                if pattern.name == "api-root":  # ninja's answers 404 (HTML) outside DEBUG
                    pattern.callback = _api_root
                pattern.callback = _json_method_not_allowed(pattern.callback)
        patterns.append(re_path(r"^.*$", _json_not_found, name="not_found"))
        return patterns


api = AcompanaAPI(
    title="Acompaña API",
    version="1",
    description=(
        "API de Acompaña. Autenticación con token personal (`Authorization: Bearer acp_…`, "
        "creado en Cuenta → Tokens de API) o con la sesión del navegador (con el encabezado "
        "`X-CSRFToken` en POST, PUT, PATCH y DELETE). Todo resultado se limita a la entidad "
        "activa del usuario (`GET /api/v1/yo`; se cambia con `POST /api/v1/yo/entidad`).\n\n"
        'Todo error tiene la forma `{"error": {"code", "message", "fields"}}`: 400 datos no '
        "válidos, 401 sin autenticación, 403 rol sin permiso, 404 no existe o es de otra "
        "entidad, 405 método no admitido, 409 registro modificado por otra persona o estado "
        "que no permite la acción, 422 solicitud que no corresponde al esquema.\n\n"
        "Las listas se paginan por cursor: `?limit=50` y luego `?cursor=<next_cursor>`."
    ),
    auth=api_auth,
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


def _json_method_not_allowed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Ninja answers an unknown method with a plain-text 405; give it the JSON shape."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = _error(
                request,
                405,
                "method_not_allowed",
                _("Method %(method)s is not allowed here. Allowed: %(allowed)s.")
                % {"method": request.method, "allowed": allowed},
            )
            response["Allow"] = allowed
        return response

    return wrapper


def _api_root(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Where to start: the description and the docs page."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return api.create_response(
        request,
        {
            "title": api.title,
            "version": api.version,
            "openapi": reverse("api:openapi-json"),
            "docs": reverse("api:openapi-view"),
        },
        status=200,
    )


_api_root.csrf_exempt = True  # type: ignore[attr-defined]


def _json_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return _error(request, 404, "not_found", _("This API path does not exist."))


_json_not_found.csrf_exempt = True  # type: ignore[attr-defined]


# Pydantic's messages are English; these are the ones a client meets in practice.
_SCHEMA_MESSAGES = {
    "missing": "This field is required.",
    "int_parsing": "Enter a whole number.",
    "int_type": "Enter a whole number.",
    "float_parsing": "Enter a number.",
    "bool_parsing": "Enter true or false.",
    "string_type": "Enter a text.",
    "string_too_long": "The text is too long.",
    "string_too_short": "The text is too short.",
    "string_pattern_mismatch": "Enter a value in the expected format.",
    "greater_than_equal": "The value is too small.",
    "less_than_equal": "The value is too large.",
    "date_from_datetime_parsing": "Enter a valid date (YYYY-MM-DD).",
    "date_parsing": "Enter a valid date (YYYY-MM-DD).",
    "datetime_parsing": "Enter a valid date and time (ISO 8601).",
    "enum": "Choose one of the allowed values.",
    "literal_error": "Choose one of the allowed values.",
    "json_invalid": "The body is not valid JSON.",
    "model_attributes_type": "The body must be a JSON object.",
    "dict_type": "The body must be a JSON object.",
    "list_type": "Enter a list.",
    "uuid_parsing": "Enter a valid identifier.",
}


def _field_name(loc: Any) -> str:
    """``("body", "payload", "unit_id")`` → ``unit_id``; ``("query", "limit")`` → ``limit``.

    ninja puts the operation's parameter name after ``body``; clients know the fields only.
    """
    parts = [str(p) for p in loc]
    parts = parts[2:] if parts[:1] == ["body"] else parts[1:]
    return ".".join(parts) or "body"


def _schema_message(err: dict[str, Any]) -> str:
    msgid = _SCHEMA_MESSAGES.get(str(err.get("type", "")))
    return _(msgid) if msgid else str(err.get("msg", ""))


# Marked for makemessages: the dictionary above holds the msgids.
_MARKED = [
    _("This field is required."),
    _("Enter a whole number."),
    _("Enter a number."),
    _("Enter true or false."),
    _("Enter a text."),
    _("The text is too long."),
    _("The text is too short."),
    _("Enter a value in the expected format."),
    _("The value is too small."),
    _("The value is too large."),
    _("Enter a valid date (YYYY-MM-DD)."),
    _("Enter a valid date and time (ISO 8601)."),
    _("Choose one of the allowed values."),
    _("The body is not valid JSON."),
    _("The body must be a JSON object."),
    _("Enter a list."),
    _("Enter a valid identifier."),
]


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if isinstance(exc, StaleObjectError):
        return _error(request, 409, "stale", " ".join(exc.messages))
    if isinstance(exc, TransitionError):
        return _error(request, 409, "transition", " ".join(exc.messages))
    if isinstance(exc, ImportRejected):
        return _error(request, 400, "import_rejected", " ".join(exc.messages), exc.as_fields())
    if isinstance(exc, FilterReferenceNotFound):
        fields = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        return _error(
            request, 404, "not_found", _("A filter names something that does not exist."), fields
        )
    if hasattr(exc, "error_dict"):
        fields = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        general = fields.pop("__all__", [])
        message = " ".join(general) or _("The data is not valid: check the fields.")
        if general:
            fields.setdefault("__all__", general)
        return _error(request, 400, "validation_error", message, fields)
    return _error(request, 400, "validation_error", " ".join(exc.messages))


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        fields.setdefault(_field_name(err.get("loc") or ()), []).append(_schema_message(err))
    return _error(request, 422, "invalid_request", _("The request is not valid."), fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "unauthenticated",
        _("Authentication required: send a personal API token or log in."),
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or _("Your role does not allow this action."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(ObjectDoesNotExist)
def on_does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, ApiError):
        return _error(request, exc.status_code, exc.code, str(exc), exc.fields)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # ninja could not parse the body (JSONDecodeError and UnicodeDecodeError are ValueErrors)
        return _error(request, 400, "malformed_body", _("The body is not valid JSON."))
    if str(exc) not in _NINJA_MESSAGES:
        return _error(request, exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), str(exc))
    # ninja's own HttpErrors carry English text: answer in Spanish
    messages = {
        400: _("The request is not valid."),
        401: _("Authentication required: send a personal API token or log in."),
        403: _("Your role does not allow this action."),
        404: _("Not found."),
        429: _("Too many requests: wait a moment and try again."),
    }
    return _error(
        request,
        exc.status_code,
        _HTTP_CODES.get(exc.status_code, "error"),
        messages.get(exc.status_code, _("The request failed.")),
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "throttled",
}
#: Messages of the HttpErrors ninja raises itself (ninja/errors.py, security/apikey.py).
_NINJA_MESSAGES = frozenset(
    {"Unauthorized", "Forbidden", "Too many requests.", "CSRF check Failed", "Not Found"}
)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: logged and signalled like Django's own 500, answered in the JSON shape."""
    if settings.DEBUG:
        raise exc
    got_request_exception.send(sender=None, request=request)
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return _error(
        request,
        500,
        "server_error",
        _("Internal error. It was recorded; try again later or contact the administrator."),
    )


def _register_routers() -> None:
    """Every product app's router at the prefix its ``AppConfig`` declares; then accounts."""
    from acompana.api.account_api import router as account_router
    from acompana.core.plugins import apps_with

    for app in apps_with("api_prefix"):
        api.add_router(app.api_prefix or "/", app.api_router)
    api.add_router("/", account_router)


_register_routers()
