"""Permissions of the registry app, merged into ``core.permissions`` (``RegistryConfig.permissions``)."""

from __future__ import annotations

from acompana.core.choices import Role
from acompana.core.permissions import ALL_ROLES

PERMISSIONS: dict[str, frozenset[str]] = {
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
}
