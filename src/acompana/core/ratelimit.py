"""The one rate limit of the public pages: a fixed window per client address and scope.

Public pages have no login (the request form, and the pages reached by signed links:
agenda, check-in, surveys, commitments), so they are limited per client address and per
``scope`` (one scope per page or purpose; by default 5 attempts per 10 minutes). The counter
lives in ``settings.CACHES["default"]`` (Redis or the database cache in production), shared
by every web process. A stage never writes its own limiter: it calls ``is_limited`` before
the work and ``record_attempt`` after it.

The client address is ``REMOTE_ADDR``. Behind reverse proxies set
``ACOMPANA_TRUSTED_PROXIES`` to how many of them append to ``X-Forwarded-For``; the address
is then taken that many hops from the right (the part a client cannot forge).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

REQUEST_LIMIT = 5
REQUEST_WINDOW_SECONDS = 10 * 60


def client_ip(request: HttpRequest) -> str:
    proxies = int(getattr(settings, "ACOMPANA_TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def _key(scope: str, request: HttpRequest) -> str:
    # the address is personal data: only its hash is kept, and only for the window
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()
    return f"ratelimit:{scope}:{digest[:32]}"


def is_limited(request: HttpRequest, scope: str, *, limit: int = REQUEST_LIMIT) -> bool:
    """Whether the client already used its ``limit`` attempts of the current window."""
    return int(cache.get(_key(scope, request), 0)) >= limit


def record_attempt(
    request: HttpRequest, scope: str, *, window: int = REQUEST_WINDOW_SECONDS
) -> int:
    """Count one attempt of the client in the window (the window starts at the first)."""
    key = _key(scope, request)
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1
