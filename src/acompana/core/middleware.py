from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme

from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.scoping import active_membership


class ProductLanguageMiddleware:
    """Activates ``LANGUAGE_CODE`` (es-CO) for every request, whatever the browser asks for.

    Replaces django's ``LocaleMiddleware``: public servants whose browser is set to English
    must still read the product (labels, dates, money) in Colombian Spanish, so neither
    ``Accept-Language`` nor a language cookie chooses the language. The language stays active
    after the response (as ``LocaleMiddleware`` leaves it) so streamed exports render in it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", settings.LANGUAGE_CODE)
        return response


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


class ConflictMiddleware:
    """Answers a refused workflow step or a stale edit with 409 and its message.

    A browser POST replayed in a wrong state (the back button, a second tab, a double
    click) is a conflict, not a success: redirecting with a flash message (302) hid that
    nothing happened (DESIGN section 9). Views let ``TransitionError`` and
    ``StaleObjectError`` from services propagate; this page shows the service's Spanish
    message (who changed the object and when) and a way back to the record.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, TransitionError | StaleObjectError):
            return None
        back = request.headers.get("referer", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("core:home")
        response = render(
            request,
            "core/errors/409.html",
            {"conflict_messages": exception.messages, "back_url": back},
            status=409,
        )
        if request.headers.get("HX-Request"):
            # htmx does not swap error responses by default: show the page in full.
            response["HX-Retarget"] = "body"
            response["HX-Reswap"] = "innerHTML"
        return response
