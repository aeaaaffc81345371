"""Log in (e-mail + password, django-axes lockout, TOTP for staff who enabled it), log out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from acompana.core.access import public_view
from acompana.core.forms import LoginForm, OTPForm
from acompana.core.services import user_totp_device

OTP_PENDING_KEY = "acompana_otp_pending_user"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@public_view
@never_cache
@csrf_protect
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        device = user_totp_device(user)
        if device is not None:
            request.session[OTP_PENDING_KEY] = user.pk
            request.session["acompana_otp_next"] = _next_url(request)
            return redirect("core:login_otp")
        login(request, user)
        return redirect(_next_url(request))
    return render(request, "core/auth/login.html", {"form": form, "next": _next_url(request)})


@public_view
@never_cache
@csrf_protect
def login_otp_view(request: HttpRequest) -> HttpResponse:
    from acompana.core.models import User

    user_pk = request.session.get(OTP_PENDING_KEY)
    user = User.objects.filter(pk=user_pk, is_active=True).first() if user_pk else None
    if user is None:
        return redirect("core:login")
    device = user_totp_device(user)
    form = OTPForm(device=device, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        next_url = request.session.pop("acompana_otp_next", "/")
        request.session.pop(OTP_PENDING_KEY, None)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        otp_login(request, device)
        return redirect(next_url)
    return render(request, "core/auth/login_otp.html", {"form": form})


@public_view
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("core:login")
