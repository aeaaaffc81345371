"""Who may do what: permission names mapped to roles (DESIGN section 1).

One table for the UI, the API and the generic permission tests. A permission check is a
403; scoping (``for_user``) is a 404. ``auditor`` appears only in read permissions.

Who does a step comes from the organization's procedure (issue 11): a permission that is
the action of official steps is declared in its app's ``STEP_PERMISSIONS`` (permission →
step keys, next to ``PERMISSIONS``). For it, the roles are those of the steps of the
organization's profile that those keys complete (``Profile.roles_for_keys``); keys no step
maps fall back to the static table. ``roles_in`` is the one answer for the UI (views and
templates), the API and the services; a workflow transition narrows it further with its own
step keys (``core.workflow.transition_check``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
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
        self._step_keys: dict[str, tuple[str, ...]] = {}

    def _load(self) -> dict[str, frozenset[str]]:
        if self._table is None:
            from django.utils.module_loading import import_string

            from acompana.core.plugins import apps_with

            table = dict(CORE_PERMISSIONS)
            step_keys: dict[str, tuple[str, ...]] = {}
            for app in apps_with("permissions"):
                declared: dict[str, frozenset[str]] = app.hook("permissions")  # type: ignore[assignment]
                clash = set(table) & set(declared)
                if clash:
                    raise ImproperlyConfigured(f"Permissions declared twice: {sorted(clash)}")
                table.update(declared)
                module = str(app.permissions).rsplit(".", 1)[0]
                try:
                    steps = import_string(f"{app.name}.{module}.STEP_PERMISSIONS")
                except ImportError:
                    steps = {}
                unknown = set(steps) - set(declared)
                if unknown:
                    raise ImproperlyConfigured(f"STEP_PERMISSIONS not declared: {sorted(unknown)}")
                step_keys.update({perm: tuple(keys) for perm, keys in steps.items()})
            self._step_keys = step_keys
            self._table = table
        return self._table

    def step_keys(self, perm: str) -> tuple[str, ...]:
        """The step keys whose steps say who holds ``perm`` (empty: the static table)."""
        self._load()
        return self._step_keys.get(perm, ())

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


def step_permission_keys(perm: str) -> tuple[str, ...]:
    """The step keys ``perm`` is the action of (``STEP_PERMISSIONS``; empty when none)."""
    roles_for(perm)
    return PERMISSIONS.step_keys(perm)  # type: ignore[attr-defined,no-any-return]


def step_roles(organization: Any, step_keys: Iterable[str]) -> frozenset[str] | None:
    """Roles of the steps of ``organization``'s procedure that ``step_keys`` complete.

    ``None`` when no step maps any of them (or the organization has no profile).
    """
    keys = tuple(step_keys)
    if not keys or organization is None:
        return None
    from acompana.core.procedures import get_profile
    from acompana.core.procedures.profiles import ProfileError

    try:
        profile = get_profile(organization)
    except ProfileError:
        return None
    return profile.roles_for_keys(keys)


def roles_in(
    perm: str, *, organization: Any, step_keys: Iterable[str] | None = None
) -> frozenset[str]:
    """The roles that hold ``perm`` in ``organization``: its procedure's, else the table's.

    ``step_keys``: the keys of the concrete action (a transition); by default the keys
    ``perm`` is declared with in ``STEP_PERMISSIONS``. An action whose keys the procedure
    maps is limited to the roles of those steps, and still needs the perm's roles when the
    perm itself is not a step permission (the static table is then the outer bound). When
    that leaves nobody (FP-6's delegated professionals "register" the plan, but publishing
    the organization's plan is planning's), the static table holds.
    """
    static = roles_for(perm)
    declared = step_permission_keys(perm)
    by_perm = step_roles(organization, declared) if declared else None
    allowed = by_perm if by_perm is not None else static
    if step_keys is not None:
        by_action = step_roles(organization, step_keys)
        if by_action is not None:
            if by_perm is not None:
                allowed = by_action
            elif allowed & by_action:
                allowed = allowed & by_action
    return frozenset(allowed)


def has_perm(user: Any, perm: str, *, step_keys: Iterable[str] | None = None) -> bool:
    """Whether the user's roles in its active organization grant ``perm`` (``roles_in``)."""
    membership = active_membership(user)
    if membership is None:
        roles_for(perm)
        return False
    allowed = roles_in(perm, organization=membership.organization, step_keys=step_keys)
    return any(role in allowed for role in membership.roles)


def check_perm(
    actor: Any,
    perm: str,
    *,
    organization_id: int | None = None,
    step_keys: Iterable[str] | None = None,
) -> None:
    """Services call this first: ``PermissionDenied`` unless the actor's role grants ``perm``.

    Views and the API refuse earlier (403 before validation); the service check makes the
    rule hold for every caller (imports, jobs, commands, tests). A role is held in the
    actor's active organization: with ``organization_id`` (the organization written in),
    an actor working in another organization is refused too.
    """
    if not has_perm(actor, perm, step_keys=step_keys):
        raise PermissionDenied(_("Your role does not allow this action."))
    if organization_id is not None:
        membership = active_membership(actor)
        if membership is None or membership.organization_id != organization_id:
            raise PermissionDenied(_("The record is not of your organization."))
