"""The user's personal API tokens: list, create (the raw token is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from acompana.api import selectors, services
from acompana.api.forms import ApiTokenForm
from acompana.core.access import member_view
from acompana.core.views.utils import apply_service_errors


def _list_page(request: HttpRequest, form: ApiTokenForm, status: int = 200) -> HttpResponse:
    user = request.user
    tokens = selectors.api_tokens_for_user(user=user)  # type: ignore[arg-type]
    return render(
        request,
        "api/token_list.html",
        {
            "tokens": tokens,
            "form": form,
            "active_count": selectors.api_tokens_active_for_user(user=user).count(),  # type: ignore[arg-type]
            "max_active": services.MAX_ACTIVE_TOKENS,
        },
        status=status,
    )


@member_view
def token_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, ApiTokenForm())


@member_view
@require_POST
@never_cache
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            created = services.api_token_create(
                actor=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # Rendered, not redirected: the raw token must not travel through the session.
            return render(
                request,
                "api/token_created.html",
                {"token": created.token, "raw_token": created.raw},
            )
    return _list_page(request, form)


@member_view
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.api_tokens_for_user(user=request.user), pk=pk)  # type: ignore[arg-type]
    try:
        services.api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Token “%(name)s” revoked. Programs that used it can no longer call the API.")
            % {"name": token.name},
        )
    return redirect("apitokens:list")
