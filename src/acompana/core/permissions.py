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
    # planning cycle (issue: needs → published plan)
    "planning.view": ALL_ROLES,
    "planning.change_needs": frozenset(
        {Role.ADMIN, Role.LEADERSHIP, Role.UNIT_HEAD, Role.PLANNER, Role.PROFESSIONAL}
    ),
    "planning.import": frozenset({Role.ADMIN, Role.PLANNER, Role.UNIT_HEAD}),
    "planning.export": frozenset(
        {Role.ADMIN, Role.LEADERSHIP, Role.UNIT_HEAD, Role.PLANNER, Role.PROFESSIONAL, Role.AUDITOR}
    ),
    # indicators and the prioritisation model (FP-1, DNP-1)
    "planning.prioritise": frozenset({Role.ADMIN, Role.PLANNER, Role.LEADERSHIP}),
    # the units' strategy proposals (FP-2) and their consolidation (FP-3)
    "planning.propose_strategy": frozenset({Role.UNIT_HEAD, Role.PLANNER, Role.ADMIN}),
    "planning.consolidate": frozenset({Role.PLANNER, Role.ADMIN}),
    # recording the Comité Directivo's decision (acta): committee members or its secretary
    "planning.committee": frozenset({Role.COMMITTEE, Role.PLANNER}),
    # plans: write lines and submit (unit), review (unit head), verify and publish (planning)
    "planning.edit_plan": frozenset({Role.UNIT_HEAD, Role.PROFESSIONAL, Role.PLANNER, Role.ADMIN}),
    "planning.review_plan": frozenset({Role.UNIT_HEAD}),
    "planning.verify": frozenset({Role.PLANNER}),
    "planning.publish": frozenset({Role.PLANNER, Role.ADMIN}),
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
