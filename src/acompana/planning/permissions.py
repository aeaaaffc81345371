"""Permissions of the planning app, merged into ``core.permissions`` (``PlanningConfig.permissions``)."""

from __future__ import annotations

from acompana.core.choices import Role
from acompana.core.permissions import ALL_ROLES

PERMISSIONS: dict[str, frozenset[str]] = {
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
    # recording the Comité Directivo's decision (acta): its members only (segregation of
    # duties); a profile may name its technical secretary (``committee_secretary_role``)
    "planning.committee": frozenset({Role.COMMITTEE}),
    # plans: write lines and submit (unit), review (unit head), verify and publish (planning)
    "planning.edit_plan": frozenset({Role.UNIT_HEAD, Role.PROFESSIONAL, Role.PLANNER, Role.ADMIN}),
    "planning.review_plan": frozenset({Role.UNIT_HEAD}),
    "planning.verify": frozenset({Role.PLANNER}),
    "planning.publish": frozenset({Role.PLANNER, Role.ADMIN}),
}

#: Permissions that are the action of official steps: who holds them in an organization is
#: who its procedure names for the steps these keys complete (``core.permissions.roles_in``);
#: keys no step of the procedure maps fall back to ``PERMISSIONS`` above.
STEP_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # FP-1, DNP-1, EDU-1, SAL-3: prioritisation models and the saved priority list
    "planning.prioritise": ("prioritisation.saved",),
    # FP-2: the units' (and the Subdirección's) strategy proposals
    "planning.propose_strategy": ("strategy.proposed",),
    # FP-4, EDU-6, EDU-7: the Comité Directivo's decisions
    "planning.committee": (
        "strategy.committee_decided",
        "plan.committee_reviewed",
        "plan.committee_approved",
    ),
}
