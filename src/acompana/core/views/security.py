"""The user's own security page: second factor (TOTP) set-up and removal."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from acompana.core import services
from acompana.core.access import member_view
from acompana.core.forms import TOTPConfirmForm
from acompana.core.views.utils import apply_service_errors


@member_view
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = services.user_totp_device(user)  # type: ignore[arg-type]
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    form = TOTPConfirmForm(request.POST or None)
    if request.method == "POST" and pending is not None and form.is_valid():
        try:
            services.user_totp_confirm(user=user, device=pending, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Second factor enabled. It will be asked at log in."))
            return redirect("core:security")
    qr_svg = None
    if pending is not None:
        qr_svg = segno.make(pending.config_url, micro=False).svg_inline(scale=4)
    return render(
        request,
        "core/security.html",
        {"device": device, "pending": pending, "qr_svg": qr_svg, "form": form},
    )


@member_view
@require_POST
def security_totp_start(request: HttpRequest) -> HttpResponse:
    services.user_totp_start(user=request.user)  # type: ignore[arg-type]
    return redirect("core:security")


@member_view
@require_POST
def security_totp_disable(request: HttpRequest) -> HttpResponse:
    services.user_totp_disable(user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Second factor disabled."))
    return redirect("core:security")
