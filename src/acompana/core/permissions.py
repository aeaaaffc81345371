"""Who may do what: permission names mapped to roles (DESIGN section 1).

One table for the UI, the API and the generic permission tests. A permission check is a
403; scoping (``for_user``) is a 404. ``auditor`` appears only in read permissions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.translation import gettext as _

from acompana.core.choices import Role
from acompana.core.scoping import active_membership

ALL_ROLES = frozenset(Role)
STAFF_ROLES = ALL_ROLES  # every member reads its organization's registry and catalogue

#: the core's own permissions; each app adds its own (``ProductAppConfig.permissions``)
CORE_PERMISSIONS: dict[str, frozenset[str]] = {
    # organization administration
    "core.manage_organization": frozenset({Role.ADMIN}),
    "core.view_audit": frozenset({Role.ADMIN, Role.AUDITOR, Role.LEADERSHIP}),
    "core.view_procedure": ALL_ROLES,
    "core.change_procedure": frozenset({Role.ADMIN}),
}


class _PermissionTable(Mapping[str, frozenset[str]]):
    """Core's permissions and every installed app's, read once the apps are loaded."""

    def __init__(self) -> None:
        self._table: dict[str, frozenset[str]] | None = None

    def _load(self) -> dict[str, frozenset[str]]:
        if self._table is None:
            from acompana.core.plugins import apps_with

            table = dict(CORE_PERMISSIONS)
            for app in apps_with("permissions"):
                declared: dict[str, frozenset[str]] = app.hook("permissions")  # type: ignore[assignment]
                clash = set(table) & set(declared)
                if clash:
                    raise ImproperlyConfigured(f"Permissions declared twice: {sorted(clash)}")
                table.update(declared)
            self._table = table
        return self._table

    def __getitem__(self, perm: str) -> frozenset[str]:
        return self._load()[perm]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


#: permission name → roles that hold it, for the UI, the API and the generic tests
PERMISSIONS: Mapping[str, frozenset[str]] = _PermissionTable()


def roles_for(perm: str) -> frozenset[str]:
    try:
        return PERMISSIONS[perm]
    except KeyError:
        raise KeyError(f"Unknown permission {perm!r}: declare it in its app's permissions.py")


def has_perm(user: Any, perm: str) -> bool:
    """Whether the user's roles in its active organization grant ``perm``."""
    allowed = roles_for(perm)
    membership = active_membership(user)
    if membership is None:
        return False
    return any(role in allowed for role in membership.roles)


def check_perm(actor: Any, perm: str, *, organization_id: int | None = None) -> None:
    """Services call this first: ``PermissionDenied`` unless the actor's role grants ``perm``.

    Views and the API refuse earlier (403 before validation); the service check makes the
    rule hold for every caller (imports, jobs, commands, tests). A role is held in the
    actor's active organization: with ``organization_id`` (the organization written in),
    an actor working in another organization is refused too.
    """
    if not has_perm(actor, perm):
        raise PermissionDenied(_("Your role does not allow this action."))
    if organization_id is not None:
        membership = active_membership(actor)
        if membership is None or membership.organization_id != organization_id:
            raise PermissionDenied(_("The record is not of your organization."))
