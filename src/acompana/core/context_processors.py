from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from acompana.core.permissions import PERMISSIONS, has_perm
from acompana.core.plugins import apps_with
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


@dataclass
class _MenuLink:
    label: str
    url: str


@dataclass
class _AppMenu:
    id: str
    title: str
    items: list[_MenuLink]


def _app_menus(user: Any) -> list[_AppMenu]:
    """Every installed app's ``menu``, with the links the user's role may open."""
    menus = []
    for app in apps_with("menu"):
        menu = app.menu
        assert menu is not None
        links = [
            _MenuLink(str(item.label), reverse(item.url_name))
            for item in menu.items
            if item.perm is None or has_perm(user, item.perm)
        ]
        if links:
            menus.append(_AppMenu(app.label, str(menu.title), links))
    return menus


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
        "app_menus": _app_menus(user) if membership is not None else [],
    }
