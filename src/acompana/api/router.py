"""The versioned REST API (django-ninja). Each app contributes a router from its api.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from acompana.api.auth import api_auth
from acompana.core.errors import StaleObjectError, TransitionError

api = NinjaAPI(
    title="Acompaña API",
    version="1",
    description=(
        "API de Acompaña. Autenticación con token personal (`Authorization: Bearer acp_…`, "
        "creado en Cuenta → Tokens de API) o con la sesión del navegador. Todo resultado se "
        "limita a la entidad activa del usuario."
    ),
    auth=api_auth,
    urls_namespace="api",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if isinstance(exc, StaleObjectError):
        return _error(request, 409, "stale", " ".join(exc.messages))
    if isinstance(exc, TransitionError):
        return _error(request, 409, "transition", " ".join(exc.messages))
    if hasattr(exc, "error_dict"):
        fields = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
        return _error(request, 400, "validation_error", message, fields)
    return _error(request, 400, "validation_error", " ".join(exc.messages))


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", [])[1:]) or "body"
        fields.setdefault(loc, []).append(str(err.get("msg", "")))
    return _error(request, 422, "invalid_request", "La solicitud no es válida.", fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "Se requiere autenticación (token o sesión).")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "Su rol no permite esta acción.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "No encontrado.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict"}
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


def _register_routers() -> None:
    from acompana.api.core_api import router as core_router

    api.add_router("/", core_router)
    for module_name, prefix in (
        ("acompana.registry.api", "/registro"),
        ("acompana.catalog.api", "/catalogo"),
    ):
        import importlib

        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        api.add_router(prefix, module.router)


_register_routers()
