"""Writes of the api app: personal API tokens.

The raw token (``acp_`` + 43 URL-safe characters) exists only in the return value of
``api_token_create``; the database keeps its SHA-256 hash and a short prefix that lets the
user recognise it in the list.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from acompana.api.auth import TOKEN_PREFIX, hash_token
from acompana.api.models import ApiToken
from acompana.api.selectors import api_tokens_active_for_user
from acompana.core.events import event_record, snapshot
from acompana.core.models import Organization, User
from acompana.core.scoping import active_membership

#: At most this many tokens that still authenticate, per user.
MAX_ACTIVE_TOKENS = 20
MAX_EXPIRY_DAYS = 365
#: Characters of the raw token kept in clear to recognise it (``acp_`` + 8).
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
TOKEN_FIELDS = ["name", "prefix", "expires_at"]


@dataclass(frozen=True)
class CreatedToken:
    """A new token and its raw value, to be shown to its owner once and then forgotten."""

    token: ApiToken
    raw: str


def _organization_of(user: User) -> Organization | None:
    membership = active_membership(user)
    return membership.organization if membership is not None else None


def api_token_create(*, actor: User, name: str, expires_in_days: int | None) -> CreatedToken:
    """Create a personal token for ``actor`` (at most ``MAX_ACTIVE_TOKENS`` active ones).

    ``expires_in_days`` is 1 to 365, or ``None`` for a token that does not expire.
    """
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name that says where it is used.")]
    elif len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        errors["name"] = [_("The name is too long (at most 100 characters).")]
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors["expires_in_days"] = [
            _("The expiry must be between 1 and %(max)d days.") % {"max": MAX_EXPIRY_DAYS}
        ]
    if errors:
        raise ValidationError(errors)

    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # Lock the user's row so two simultaneous requests cannot both pass the limit.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        if api_tokens_active_for_user(user=actor).count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                _(
                    "You already have %(max)d active tokens. Revoke one you no longer use "
                    "before creating another."
                )
                % {"max": MAX_ACTIVE_TOKENS},
                code="too_many_tokens",
            )
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            prefix=raw[:PREFIX_LENGTH],
            key_hash=hash_token(raw),
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        with translation.override(settings.LANGUAGE_CODE):
            summary = _("%(email)s created the API token “%(name)s”") % {
                "email": actor.email,
                "name": token.name,
            }
        event_record(
            actor=actor,
            organization=_organization_of(actor),
            step_key="api_token.created",
            obj=token,
            summary=summary,
            after=snapshot(token, TOKEN_FIELDS),
        )
    return CreatedToken(token=token, raw=raw)


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of ``actor``'s own tokens; it stops authenticating at once.

    Another user's token raises ``ApiToken.DoesNotExist`` (a 404 for views and the API),
    an already revoked one a ``ValidationError``.
    """
    if token.user_id != actor.pk:
        raise ApiToken.DoesNotExist("This token does not belong to the acting user.")
    now = timezone.now()
    with transaction.atomic():
        updated = ApiToken.objects.filter(
            pk=token.pk, user_id=actor.pk, revoked_at__isnull=True
        ).update(revoked_at=now)
        if updated != 1:
            raise ValidationError(_("This token was already revoked."), code="already_revoked")
        token.revoked_at = now
        with translation.override(settings.LANGUAGE_CODE):
            summary = _("%(email)s revoked the API token “%(name)s”") % {
                "email": actor.email,
                "name": token.name,
            }
        event_record(
            actor=actor,
            organization=_organization_of(actor),
            step_key="api_token.revoked",
            obj=token,
            summary=summary,
            before={"revoked_at": None},
            after={"revoked_at": now.isoformat()},
        )
    return token
