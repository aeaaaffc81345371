"""Who may do what: permission names mapped to roles (DESIGN section 1).

One table for the UI, the API and the generic permission tests. A permission check is a
403; scoping (``for_user``) is a 404. ``auditor`` appears only in read permissions.
"""

from __future__ import annotations

from typing import Any

from acompana.core.choices import Role
from acompana.core.scoping import active_membership

ALL_ROLES = frozenset(Role)
STAFF_ROLES = ALL_ROLES  # every member reads its organization's registry and catalogue

PERMISSIONS: dict[str, frozenset[str]] = {
    # organization administration
    "core.manage_organization": frozenset({Role.ADMIN}),
    "core.view_audit": frozenset({Role.ADMIN, Role.AUDITOR, Role.LEADERSHIP}),
    "core.view_procedure": ALL_ROLES,
    "core.change_procedure": frozenset({Role.ADMIN}),
    # registry of grupos de valor
    "registry.view": ALL_ROLES,
    "registry.change": frozenset(
        {Role.ADMIN, Role.LEADERSHIP, Role.UNIT_HEAD, Role.PLANNER, Role.PROFESSIONAL}
    ),
    "registry.import": frozenset({Role.ADMIN, Role.PLANNER, Role.UNIT_HEAD}),
    # differential-approach (sensitive) data of people: only who collects or analyses it
    "registry.view_personal_data": frozenset(
        {Role.LEADERSHIP, Role.UNIT_HEAD, Role.PLANNER, Role.PROFESSIONAL}
    ),
    "registry.export": frozenset(
        {
            Role.ADMIN,
            Role.LEADERSHIP,
            Role.UNIT_HEAD,
            Role.PLANNER,
            Role.PROFESSIONAL,
            Role.AUDITOR,
        }
    ),
    # catalogue (portafolio de servicios)
    "catalog.view": ALL_ROLES,
    "catalog.change": frozenset({Role.ADMIN, Role.UNIT_HEAD}),  # services of their unit
    "catalog.manage_values": frozenset({Role.ADMIN}),  # types, topics, mechanisms, modalities
}


def roles_for(perm: str) -> frozenset[str]:
    try:
        return PERMISSIONS[perm]
    except KeyError:
        raise KeyError(f"Unknown permission {perm!r}: add it to core.permissions.PERMISSIONS")


def has_perm(user: Any, perm: str) -> bool:
    """Whether the user's roles in its active organization grant ``perm``."""
    allowed = roles_for(perm)
    membership = active_membership(user)
    if membership is None:
        return False
    return any(role in allowed for role in membership.roles)
