"""The public request form (demanda): a grupo de valor asks for technical assistance.

No login, one form per organization (``/planificacion/necesidades/solicitar/<slug>/``),
linked from the organization's public page (``core:organization_public``, through
``PlanningConfig.public_pages``). Its pages extend core's public base (DESIGN section 7: the
organization's identity, a GOV.CO bar slot, the accessibility statement and the
data-processing policy); the notice is followed by the policy's address. No personal data
in URLs (the radicado is shown from the session after the redirect, and e-mailed to the
requester); light pages with local assets.

Abuse control: a honeypot field (bots fill it; they get the confirmation page and nothing
is stored) and the platform's rate limit per client address (``core.ratelimit``) answered
with HTTP 429.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from acompana.core import ratelimit
from acompana.core.access import public_view
from acompana.core.actors import system_actor
from acompana.core.models import Organization
from acompana.core.views.public import public_context
from acompana.core.views.utils import apply_service_errors
from acompana.geo import selectors as geo_selectors
from acompana.planning.needs import selectors, services
from acompana.planning.needs.forms import PublicRequestForm
from acompana.registry.notice import CURRENT_NOTICE_VERSION, notice_text

RATE_SCOPE = "need_request"
DONE_SESSION_KEY = "planning_need_request_done"


def _context(organization: Organization, **extra: object) -> dict[str, object]:
    return public_context(organization, **extra)


@public_view
@never_cache
def need_request(request: HttpRequest, slug: str) -> HttpResponse:
    organization = selectors.public_organization(slug=slug)
    form = PublicRequestForm(request.POST or None, organization=organization)
    notice = notice_text(organization=organization, version=CURRENT_NOTICE_VERSION)
    if request.method == "POST":
        if ratelimit.is_limited(request, RATE_SCOPE):
            response = render(
                request,
                "planning/needs/request_limited.html",
                _context(organization, minutes=ratelimit.REQUEST_WINDOW_SECONDS // 60),
                status=429,
            )
            response["Retry-After"] = str(ratelimit.REQUEST_WINDOW_SECONDS)
            return response
        if form.is_bot():
            ratelimit.record_attempt(request, RATE_SCOPE)
            request.session.pop(DONE_SESSION_KEY, None)
            return redirect("planning:need_request_done", slug=organization.slug)
        if form.is_valid():
            try:
                need = services.need_request_submit(
                    actor=system_actor(),
                    organization=organization,
                    data=form.service_data(),
                    consent=bool(form.cleaned_data.get("consent")),
                    notice_version=form.cleaned_data["notice_version"],
                    base_url=request.build_absolute_uri("/").rstrip("/"),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                ratelimit.record_attempt(request, RATE_SCOPE)
                request.session[DONE_SESSION_KEY] = {
                    "organization": organization.pk,
                    "reference": need.reference,
                }
                return redirect("planning:need_request_done", slug=organization.slug)
    return render(
        request,
        "planning/needs/request_form.html",
        _context(organization, form=form, notice=notice, notice_version=CURRENT_NOTICE_VERSION),
    )


@public_view
@never_cache
def need_request_done(request: HttpRequest, slug: str) -> HttpResponse:
    """The confirmation with the reference (kept in the session, never in the URL)."""
    organization = selectors.public_organization(slug=slug)
    entry = request.session.get(DONE_SESSION_KEY) or {}
    reference = entry.get("reference") if entry.get("organization") == organization.pk else None
    return render(
        request, "planning/needs/request_done.html", _context(organization, reference=reference)
    )


@public_view
def need_request_notice(request: HttpRequest, slug: str) -> HttpResponse:
    """The organization's data-processing notice (Ley 1581 de 2012), public and printable."""
    organization = selectors.public_organization(slug=slug)
    return render(
        request,
        "planning/needs/request_notice.html",
        _context(
            organization,
            notice=notice_text(organization=organization, version=CURRENT_NOTICE_VERSION),
            notice_version=CURRENT_NOTICE_VERSION,
        ),
    )


@public_view
def need_request_municipalities(request: HttpRequest) -> HttpResponse:
    """``<option>``s of a department's municipalities (DIVIPOLA, public reference data)."""
    department = request.GET.get("department", "")
    if department.isdigit() and len(department) == 2:
        choices = [("", _("— choose —"))] + [
            (m.code, m.name.title())
            for m in geo_selectors.municipalities(department_code=department)
        ]
    else:
        choices = [("", _("Choose a department first"))]
    response = render(request, "planning/needs/_municipality_options.html", {"choices": choices})
    response["Cache-Control"] = "public, max-age=86400"
    return response
