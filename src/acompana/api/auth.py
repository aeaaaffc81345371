"""API authentication: personal tokens (``Authorization: Bearer acp_...``) or the session.

Tokens are created on the "API tokens" page (``apitokens:list``); only their SHA-256 hash is
stored (``ApiToken.key_hash``), so a leaked database does not leak usable tokens. The
session lets the browser (and the local docs page) call the API; unsafe methods then need
the CSRF token, exactly as a form would.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from acompana.api.models import ApiToken
from acompana.core.api import ApiError

TOKEN_PREFIX = "acp_"
#: How often ``last_used_at`` is written at most (a write per request would be wasteful).
LAST_USED_RESOLUTION_SECONDS = 60


def hash_token(raw: str) -> str:
    """The stored form of a token: its SHA-256 hex digest."""
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenAuth(HttpBearer):
    """A personal token of an active user, neither revoked nor expired."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.startswith(TOKEN_PREFIX):
            return None
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.expires_at is not None and api_token.expires_at <= now:
            return None
        if (
            api_token.last_used_at is None
            or (now - api_token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The browser session, CSRF-checked for unsafe methods, so the UI can call the API.

    The CSRF check only runs when the session authenticates someone: an anonymous request
    gets the usual 401 rather than a CSRF error it could do nothing about.
    """

    def __init__(self) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        user = getattr(request, "user", None)
        if key is None or user is None or not user.is_authenticated:
            return None
        csrf_needed = self.csrf and not getattr(request, "_ninja_csrf_exempt", False)
        if csrf_needed and check_csrf(request) is not None:
            raise ApiError(
                403,
                "csrf_failed",
                _(
                    "The CSRF check failed. Send the X-CSRFToken header with the token of "
                    "the page, or use a personal API token."
                ),
            )
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api_auth = [TokenAuth(), SessionAuth()]
