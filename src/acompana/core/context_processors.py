from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from acompana.core.permissions import PERMISSIONS, has_perm
from acompana.core.scoping import active_membership


class _Perms:
    """Template access to permissions: ``{% if perms_acompana.registry__change %}``."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def __getattr__(self, name: str) -> bool:
        perm = name.replace("__", ".")
        if perm not in PERMISSIONS:
            raise AttributeError(name)
        return has_perm(self.user, perm)


def organization(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    membership = active_membership(user) if user is not None else None
    other = []
    if membership is not None:
        other = list(
            user.memberships.filter(is_active=True, organization__is_active=True)  # type: ignore[union-attr]
            .exclude(pk=membership.pk)
            .select_related("organization")
            .order_by("organization__name")
        )
    return {
        "membership": membership,
        "current_organization": membership.organization if membership else None,
        "other_memberships": other,
        "perms_acompana": _Perms(user),
    }
