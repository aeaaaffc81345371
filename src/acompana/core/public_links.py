"""Signed public links: the one way a public page reaches an object (DESIGN section 7).

The published agenda, check-in, surveys and a stakeholder's commitments are pages without
login, opened from a link that was sent or printed (a QR code). A stage never writes its own
token scheme; it calls these:

* ``public_link_issue(actor=, obj=, purpose=, expires_at=)`` returns the raw token once;
* ``public_link_revoke(actor=, link=)`` closes a link before it expires;
* ``public_link_resolve(token, purpose)`` gives the target, or ``None`` for a token that is
  unknown, of another purpose, expired or revoked (all alike: the page answers 404 and says
  nothing about why);
* ``public_link_view(purpose)`` wraps a public page ``view(request, target, ...)`` whose URL
  carries ``<str:token>``: it resolves the token, answers 404 for a bad one and 429 once an
  address has sent too many bad tokens (``core.ratelimit``, the one limiter of public pages).

Why a random token and not a payload signed with ``SECRET_KEY``: the token must carry
nothing (no id, no document number, no name: it ends up in browser histories, proxy logs
and printed QR codes), and revocation needs a row anyway. The token is 256 random bits;
only its SHA-256 is stored, so neither a database copy nor a log of the table gives a
working link. Only failed look-ups count towards the rate limit: a valid check-in link used
by forty attendees behind one connection must keep working.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from acompana.core import ratelimit
from acompana.core.access import ViewFunc, public_view
from acompana.core.events import event_record
from acompana.core.models import Membership, PublicLink, User

#: bytes of randomness of a token (``token_urlsafe`` gives 43 URL-safe characters)
TOKEN_BYTES = 32
#: the longest link anyone may ask for; a stage passes a shorter ``expires_at`` for its use
MAX_LIFETIME = datetime.timedelta(days=400)
#: failed look-ups an address may make per window before public links answer 429
FAILED_LOOKUP_LIMIT = 20

PURPOSE_RE = re.compile(r"[a-z][a-z0-9_]{1,39}")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _organization_of(obj: models.Model) -> int:
    organization_id = getattr(obj, "organization_id", None)
    if organization_id is None:
        raise ValueError(f"{type(obj).__name__} is not a tenant model: it cannot be linked.")
    return int(organization_id)


def public_link_issue(
    *, actor: User, obj: models.Model, purpose: str, expires_at: datetime.datetime
) -> str:
    """Create a link to ``obj`` for ``purpose`` and return its raw token (shown only now).

    The stage checks its own permission first (who may publish an agenda, open a check-in);
    here the actor must be an active member of the object's organization, the purpose a
    short code and the expiry in the future and within ``MAX_LIFETIME``.
    """
    organization_id = _organization_of(obj)
    if not Membership.objects.filter(
        user=actor, organization_id=organization_id, is_active=True
    ).exists():
        raise PermissionDenied(_("Your account does not belong to this organization."))
    if not PURPOSE_RE.fullmatch(purpose):
        raise ValueError(f"Invalid public link purpose {purpose!r}.")
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": _("The link must expire in the future.")})
    if expires_at > now + MAX_LIFETIME:
        raise ValidationError(
            {
                "expires_at": _("A link may last at most %(days)s days.")
                % {"days": MAX_LIFETIME.days}
            }
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        link = PublicLink.objects.create(
            organization_id=organization_id,
            purpose=purpose,
            token_hash=_hash(token),
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            created_by=actor,
            expires_at=expires_at,
        )
        event_record(
            actor=actor,
            organization=link.organization,
            step_key="public_link.issued",
            obj=obj,
            summary=_("Public link issued, valid until %(date)s.")
            % {"date": timezone.localtime(expires_at).strftime("%d/%m/%Y")},
        )
    return token


def public_link_revoke(*, actor: User, link: PublicLink) -> PublicLink:
    """Close ``link`` now: its token then resolves to nothing. Revoking twice is harmless."""
    if not Membership.objects.filter(
        user=actor, organization_id=link.organization_id, is_active=True
    ).exists():
        raise PermissionDenied(_("Your account does not belong to this organization."))
    with transaction.atomic():
        now = timezone.now()
        updated = PublicLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor
        )
        link.refresh_from_db()
        if updated:
            model = link.content_type.model_class()
            target = model._default_manager.filter(pk=link.object_id).first() if model else None
            event_record(
                actor=actor,
                organization=link.organization,
                step_key="public_link.revoked",
                obj=target or link,
                summary=_("Public link revoked."),
            )
    return link


def public_links_of(
    obj: models.Model, *, purpose: str | None = None
) -> models.QuerySet[PublicLink]:
    """The links issued for ``obj`` (newest first), for the page that manages them."""
    links = PublicLink.objects.filter(
        organization_id=_organization_of(obj),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
    )
    return links.filter(purpose=purpose) if purpose else links


def public_link_resolve(token: str, purpose: str) -> Any | None:
    """The object the token opens for ``purpose``, or ``None`` (unknown, other purpose,
    expired, revoked, or the object is gone or moved to another organization)."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    link = (
        PublicLink.objects.select_related("content_type")
        .filter(
            token_hash=_hash(token),
            purpose=purpose,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if link is None:
        return None
    model = link.content_type.model_class()
    if model is None:
        return None
    return (
        model._default_manager.filter(pk=link.object_id, organization_id=link.organization_id)
        .select_related("organization")
        .first()
    )


def _limited(request: HttpRequest) -> HttpResponseBase:
    response = render(
        request,
        "core/errors/429.html",
        {"minutes": ratelimit.REQUEST_WINDOW_SECONDS // 60},
        status=429,
    )
    response["Retry-After"] = str(ratelimit.REQUEST_WINDOW_SECONDS)
    return response


def public_link_view(purpose: str) -> Callable[[ViewFunc], ViewFunc]:
    """Declare a public page opened by a link of ``purpose``: ``view(request, target, ...)``.

    The URL has a ``token`` parameter; the view receives the resolved target instead. The
    page is a ``public_view`` whose access records the purpose (the generic tests list it).
    """
    if not PURPOSE_RE.fullmatch(purpose):
        raise ValueError(f"Invalid public link purpose {purpose!r}.")
    scope = f"public_link:{purpose}"

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(
            request: HttpRequest, token: str, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            if ratelimit.is_limited(request, scope, limit=FAILED_LOOKUP_LIMIT):
                return _limited(request)
            target = public_link_resolve(token, purpose)
            if target is None:
                ratelimit.record_attempt(request, scope)
                raise Http404
            return view(request, target, *args, **kwargs)

        wrapped = public_view(wrapper)
        wrapped.acompana_access = ("public", purpose)  # type: ignore[attr-defined]
        return wrapped

    return decorator
