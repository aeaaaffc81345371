"""Reads of the api app: a user's own personal tokens (never anybody else's)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from acompana.api.models import ApiToken
from acompana.core.models import User


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first. Another user's token is simply not there (404)."""
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")


def api_tokens_active_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still authenticate: not revoked and not expired."""
    return api_tokens_for_user(user=user).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
        revoked_at__isnull=True,
    )
