"""Home page: the user's organization, its procedure, pending work, lifecycle navigation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from acompana.core import selectors, services
from acompana.core.access import member_view


@member_view
def home(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    context = {
        "stages": selectors.lifecycle_stages(user=request.user),
        "pending": selectors.pending_work(user=request.user),
        "recent_events": selectors.events_for_user(user=request.user)[:8],
        "procedure": selectors.procedure_summary(organization=membership.organization),
    }
    return render(request, "core/home.html", context)


@member_view
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    try:
        organization = services.user_switch_organization(
            user=request.user,  # type: ignore[arg-type]
            organization_id=int(request.POST.get("organization", "0") or 0),
        )
    except (ValidationError, ValueError):
        messages.error(request, _("You do not belong to that organization."))
    else:
        messages.success(request, _("You are now working in %(org)s.") % {"org": organization.name})
    return redirect("core:home")
