"""The plan workflow (SAL-2, FP-5, FP-6, EDU-2..EDU-8, DNP-3) as declarative transition tables.

A unit plan (``Plan``) and the organization's consolidated plan (``ConsolidatedPlan``) move
through the states of ``PlanStatus`` / ``ConsolidatedStatus``. Every row below says: from
which states, to which state, with which permission (``core.permissions``), which step keys
the events carry, and which profile switches must be on (``on``) or off (``off``) for the
row to exist in an organization's procedure. A stage whose switch is off is skipped.

The full path (every switch on, the EDU procedure MI-GE-PR-16)::

    draft ─submit─► submitted ─approve (EDU-3)─► unit_approved ─consolidate (EDU-4)─► consolidated
      ▲                │                                                               │
      │            return (EDU-3: "¿requiere ajustes?")            verify (EDU-5) ◄─────┘
      │                ▼                                                 │
      └─submit── returned ◄──── return_to_units (EDU-5 "no") / committee_return ─┤
                                                                          ▼
                  published ◄─publish (EDU-8)─ committee_approved ◄─committee_approve
                                                (EDU-7, acta AP-AI-RG-111)

The consolidated plan, once verified (EDU-5), is sent to the committee (``in_committee``);
the committee reviews its coverage — every service of the catalogue's value chain × the
plan lines covering it — and records that review (EDU-6, ``committee_reviewed``) apart from
its approval in the acta (EDU-7). The unit plans wait ``verified`` meanwhile.

How each shipped procedure uses it (``core/procedures/data/*.yaml`` switches):

* **EDU** (all five switches on): the professional writes the plan (EDU-2, MI-GE-RG-217) and
  submits it; the group leader approves it or returns it with comments (EDU-3; every round
  kept, the plan's ``round`` grows at each resubmission); planning gathers the approved plans
  in the consolidated plan (EDU-4), verifies it with the consistency checks (EDU-5: with
  unjustified blocking findings it cannot pass; "no" returns the plans to the units with the
  findings as comments, back to EDU-2); the Comité Directivo approves it in an acta (EDU-6..7)
  or returns it; planning publishes it and every unit gets an e-mail (EDU-8).
* **FP** (no review by the unit head, no verification): each technical directorate fills
  its plan and submits it (FP-5); the Subdirección gathers the submitted plans
  (consolidation, FP-5's control "las direcciones técnicas diligencien el formato") or returns
  them; the Comité Directivo decides (FP-4 applied to the plan); publishing registers the
  approved plan in the system and tells the units (FP-6).
* **SAL** and **DNP** (all five switches off: no review stage, no consolidation, no committee,
  no publication stage): whoever the step names (SAL-2: the director/coordinator and the
  professionals; DNP-3: the professional) draws up the plan (SAL-2 "Plan de Asistencia
  Técnica MI-GS-RG-869"; DNP-3 "Plan de trabajo") and finalises it in one action
  (``finalise``: draft/returned → ``published``, events ``plan.submitted`` and
  ``plan.published``). There is no review: nothing stands between the unit and the
  published plan, as in their texts (SAL-3 schedules from it; DNP-4 executes it). Plans
  submitted before this rule can still be approved or published.

Who may apply a row is who the organization's procedure names for the steps its keys
complete (``core.permissions.roles_in``), within the row's permission.

Transitions marked ``via`` (``Transition.cascaded``) are applied to the unit plans only by the
consolidated plan's services (``consolidated_plan_*``), together with the matching row of
``CONSOLIDATED_TRANSITIONS``; a single unit plan cannot be "verified" on its own.

The rows are ``core.workflow.Transition``; services apply them with
``core.workflow.transition_apply``: a conditional UPDATE from the expected state (and
version), so two people acting at once never both succeed, plus an event per step key. A
wrong state or a stage the procedure does not have raises ``TransitionError``, a stale
version ``StaleObjectError``; a role without the permission raises ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acompana.core.errors import TransitionError
from acompana.core.permissions import check_perm
from acompana.core.workflow import NO_COMMENTS, OPTIONAL, REQUIRED, Transition, profile_switches
from acompana.planning.choices import ConsolidatedStatus, PlanStatus

__all__ = ["NO_COMMENTS", "OPTIONAL", "REQUIRED", "Transition"]

# profile switches (DESIGN section 3) that shape the plan workflow
REVIEW = "plan_review_by_unit_head"
CONSOLIDATION = "plan_consolidation_by_planning"
VERIFICATION = "plan_verification"
COMMITTEE = "committee_approves_plan"
PUBLICATION = "plan_publication"
SWITCHES = (REVIEW, CONSOLIDATION, VERIFICATION, COMMITTEE, PUBLICATION)

EDIT, REVIEW_PERM, CONSOLIDATE, VERIFY, COMMITTEE_PERM, PUBLISH = (
    "planning.edit_plan",
    "planning.review_plan",
    "planning.consolidate",
    "planning.verify",
    "planning.committee",
    "planning.publish",
)

#: states in which the unit writes its lines (EDU-2 and its returns)
EDITABLE = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED})

P, C = PlanStatus, ConsolidatedStatus

ACTION_LABELS = {
    "submit": gettext_lazy("Submit for review"),
    "finalise": gettext_lazy("Finalise the plan"),
    "return": gettext_lazy("Return with comments"),
    "approve": gettext_lazy("Approve"),
    "publish": gettext_lazy("Publish"),
    "consolidate": gettext_lazy("Consolidate"),
    "gather": gettext_lazy("Gather the approved plans"),
    "return_to_units": gettext_lazy("Return to the units"),
    "reopen": gettext_lazy("Reopen"),
    "verify": gettext_lazy("Verify"),
    "send_to_committee": gettext_lazy("Send to the committee"),
    "committee_review": gettext_lazy("Record the committee's coverage review"),
    "committee_approve": gettext_lazy("Committee approval"),
    "committee_return": gettext_lazy("Returned by the committee"),
}


def _t(
    action: str,
    sources: Iterable[str],
    target: str,
    perm: str,
    keys: tuple[str, ...],
    *,
    on: Iterable[str] = (),
    off: Iterable[str] = (),
    comments: str = OPTIONAL,
    via: bool = False,
) -> Transition:
    """A row of the tables below (``via``: applied to unit plans only through the
    consolidated plan's services; ``plan.returned`` and ``plan.reopened`` are audit-only)."""
    return Transition.build(
        action,
        sources,
        target,
        perm,
        keys,
        on=on,
        off=off,
        comments=comments,
        cascaded=via,
        label=ACTION_LABELS.get(action, ""),
    )


PLAN_TRANSITIONS: tuple[Transition, ...] = (
    # EDU-2, FP-5: the unit writes the plan and submits it (again after a return)
    _t("submit", {P.DRAFT, P.RETURNED}, P.SUBMITTED, EDIT, ("plan.submitted",), on={REVIEW}),
    _t(
        "submit",
        {P.DRAFT, P.RETURNED},
        P.SUBMITTED,
        EDIT,
        ("plan.submitted",),
        on={CONSOLIDATION},
        off={REVIEW},
    ),
    # SAL-2, DNP-3: no review, no later stage: one action finalises the plan
    _t(
        "finalise",
        {P.DRAFT, P.RETURNED},
        P.PUBLISHED,
        EDIT,
        ("plan.submitted", "plan.published"),
        off={REVIEW, CONSOLIDATION},
    ),
    # EDU-3 "¿requiere ajustes? sí": back to the professional with the comments (every procedure:
    # the unit head is the first control of the unit's plan)
    _t(
        "return",
        {P.SUBMITTED},
        P.RETURNED,
        REVIEW_PERM,
        ("plan.returned",),
        comments=REQUIRED,
    ),
    # EDU-3 "no": the leader approves; the plan goes to planning
    _t(
        "approve", {P.SUBMITTED}, P.UNIT_APPROVED, REVIEW_PERM, ("plan.unit_approved",), on={REVIEW}
    ),
    # SAL-2, DNP-3 plans submitted before ``finalise``: approved and published at once
    _t(
        "approve",
        {P.SUBMITTED},
        P.PUBLISHED,
        REVIEW_PERM,
        ("plan.unit_approved", "plan.published"),
        off={REVIEW, CONSOLIDATION},
    ),
    # SAL, DNP: planning may publish such a submitted plan too
    _t(
        "publish",
        {P.SUBMITTED},
        P.PUBLISHED,
        PUBLISH,
        ("plan.published",),
        off={REVIEW, CONSOLIDATION},
    ),
    # a review stage without consolidation: the approved plan is published by planning
    _t(
        "publish",
        {P.UNIT_APPROVED},
        P.PUBLISHED,
        PUBLISH,
        ("plan.published",),
        on={REVIEW},
        off={CONSOLIDATION},
    ),
    # EDU-4, FP-5: planning gathers the plans approved by their units (or just submitted)
    _t(
        "consolidate",
        {P.UNIT_APPROVED},
        P.CONSOLIDATED,
        CONSOLIDATE,
        ("plan.consolidated",),
        on={REVIEW, CONSOLIDATION},
        via=True,
    ),
    _t(
        "consolidate",
        {P.SUBMITTED},
        P.CONSOLIDATED,
        CONSOLIDATE,
        ("plan.consolidated",),
        on={CONSOLIDATION},
        off={REVIEW},
        via=True,
    ),
    # EDU-5 "no": back to EDU-2 with the findings as comments
    _t(
        "return_to_units",
        {P.CONSOLIDATED, P.VERIFIED},
        P.RETURNED,
        CONSOLIDATE,
        ("plan.returned",),
        on={CONSOLIDATION},
        comments=REQUIRED,
        via=True,
    ),
    # the plans left in a consolidated plan partly returned must be verified again
    _t(
        "reopen",
        {P.VERIFIED},
        P.CONSOLIDATED,
        CONSOLIDATE,
        ("plan.reopened",),
        on={CONSOLIDATION},
        via=True,
    ),
    # EDU-5 "sí"
    _t(
        "verify",
        {P.CONSOLIDATED},
        P.VERIFIED,
        VERIFY,
        ("plan.verified",),
        on={VERIFICATION},
        via=True,
    ),
    # EDU-6..7, FP-4: the Comité Directivo approves in an acta, or returns with its comments
    _t(
        "committee_approve",
        {P.VERIFIED},
        P.COMMITTEE_APPROVED,
        COMMITTEE_PERM,
        ("plan.committee_approved",),
        on={COMMITTEE, VERIFICATION},
        via=True,
    ),
    _t(
        "committee_approve",
        {P.CONSOLIDATED},
        P.COMMITTEE_APPROVED,
        COMMITTEE_PERM,
        ("plan.committee_approved",),
        on={COMMITTEE, CONSOLIDATION},
        off={VERIFICATION},
        via=True,
    ),
    _t(
        "committee_return",
        {P.VERIFIED, P.CONSOLIDATED},
        P.RETURNED,
        COMMITTEE_PERM,
        ("plan.returned",),
        on={COMMITTEE},
        comments=REQUIRED,
        via=True,
    ),
    # EDU-8, FP-6: planning publishes the approved plan and sends it to the units
    _t(
        "publish",
        {P.COMMITTEE_APPROVED},
        P.PUBLISHED,
        PUBLISH,
        ("plan.published",),
        on={PUBLICATION, COMMITTEE},
        via=True,
    ),
    _t(
        "publish",
        {P.VERIFIED},
        P.PUBLISHED,
        PUBLISH,
        ("plan.published",),
        on={PUBLICATION, VERIFICATION},
        off={COMMITTEE},
        via=True,
    ),
    _t(
        "publish",
        {P.CONSOLIDATED},
        P.PUBLISHED,
        PUBLISH,
        ("plan.published",),
        on={PUBLICATION, CONSOLIDATION},
        off={COMMITTEE, VERIFICATION},
        via=True,
    ),
)

CONSOLIDATED_TRANSITIONS: tuple[Transition, ...] = (
    # EDU-4: gather the plans approved by their units (again after a return: round + 1)
    _t(
        "gather",
        {C.DRAFT, C.RETURNED},
        C.DRAFT,
        CONSOLIDATE,
        ("plan.consolidated",),
        on={CONSOLIDATION},
    ),
    # EDU-5
    _t("verify", {C.DRAFT}, C.VERIFIED, VERIFY, ("plan.verified",), on={VERIFICATION}),
    _t(
        "return_to_units",
        {C.DRAFT, C.VERIFIED},
        C.RETURNED,
        CONSOLIDATE,
        ("plan.returned",),
        on={CONSOLIDATION},
        comments=REQUIRED,
    ),
    # EDU-5 → EDU-6: planning sends the verified plan to the Comité Directivo
    _t(
        "send_to_committee",
        {C.VERIFIED},
        C.IN_COMMITTEE,
        CONSOLIDATE,
        ("plan.sent_to_committee",),
        on={COMMITTEE, VERIFICATION},
    ),
    # EDU-6: the committee reviews the coverage (value chain × plan lines), apart from EDU-7
    _t(
        "committee_review",
        {C.IN_COMMITTEE},
        C.COMMITTEE_REVIEWED,
        COMMITTEE_PERM,
        ("plan.committee_reviewed",),
        on={COMMITTEE, VERIFICATION},
    ),
    # EDU-7, FP-4 (the acta's event is recorded by ``committee_decision_record``)
    _t(
        "committee_approve",
        {C.COMMITTEE_REVIEWED},
        C.COMMITTEE_APPROVED,
        COMMITTEE_PERM,
        (),
        on={COMMITTEE, VERIFICATION},
    ),
    _t(
        "committee_approve",
        {C.DRAFT},
        C.COMMITTEE_APPROVED,
        COMMITTEE_PERM,
        (),
        on={COMMITTEE, CONSOLIDATION},
        off={VERIFICATION},
    ),
    _t(
        "committee_return",
        {C.IN_COMMITTEE, C.COMMITTEE_REVIEWED},
        C.RETURNED,
        COMMITTEE_PERM,
        (),
        on={COMMITTEE, VERIFICATION},
        comments=REQUIRED,
    ),
    _t(
        "committee_return",
        {C.DRAFT},
        C.RETURNED,
        COMMITTEE_PERM,
        (),
        on={COMMITTEE, CONSOLIDATION},
        off={VERIFICATION},
        comments=REQUIRED,
    ),
    # EDU-8, FP-6
    _t(
        "publish",
        {C.COMMITTEE_APPROVED},
        C.PUBLISHED,
        PUBLISH,
        ("plan.published",),
        on={PUBLICATION, COMMITTEE},
    ),
    _t(
        "publish",
        {C.VERIFIED},
        C.PUBLISHED,
        PUBLISH,
        ("plan.published",),
        on={PUBLICATION, VERIFICATION},
        off={COMMITTEE},
    ),
    _t(
        "publish",
        {C.DRAFT},
        C.PUBLISHED,
        PUBLISH,
        ("plan.published",),
        on={PUBLICATION, CONSOLIDATION},
        off={COMMITTEE, VERIFICATION},
    ),
)

# --- reading the organization's procedure ----------------------------------------------------


def plan_switches(organization: Any) -> dict[str, bool]:
    """The five switches of the organization's procedure that shape the plan workflow."""
    return profile_switches(organization, SWITCHES)


def has_consolidation(organization: Any) -> bool:
    return plan_switches(organization)[CONSOLIDATION]


def consolidation_source(organization: Any) -> str:
    """The state a unit plan must reach before planning can gather it (EDU-4, FP-5)."""
    return P.UNIT_APPROVED if plan_switches(organization)[REVIEW] else P.SUBMITTED


def plan_path(organization: Any) -> list[str]:
    """The states a plan goes through in this procedure, in order (for the progress bar)."""
    switches = plan_switches(organization)
    path = [P.DRAFT, P.SUBMITTED]
    if switches[REVIEW]:
        path.append(P.UNIT_APPROVED)
    if switches[CONSOLIDATION]:
        path.append(P.CONSOLIDATED)
        if switches[VERIFICATION]:
            path.append(P.VERIFIED)
        if switches[COMMITTEE]:
            path.append(P.COMMITTEE_APPROVED)
        if switches[PUBLICATION]:
            path.append(P.PUBLISHED)
    else:
        path.append(P.PUBLISHED)
    return [str(state) for state in path]


def _plan_status_label(value: str) -> str:
    return str(dict(PlanStatus.choices).get(value, value))


def _consolidated_status_label(value: str) -> str:
    return str(dict(ConsolidatedStatus.choices).get(value, value))


def _find(
    table: tuple[Transition, ...],
    *,
    switches: Mapping[str, bool],
    action: str,
    status: str,
    via_consolidated: bool | None,
    state_label: str,
) -> Transition:
    rows = [
        t
        for t in table
        if t.action == action
        and t.applies(switches)
        and (via_consolidated is None or t.cascaded == via_consolidated)
    ]
    if not rows:
        raise TransitionError(
            _("This step is not part of your organization's procedure: «%(action)s».")
            % {"action": ACTION_LABELS.get(action, action)}
        )
    for row in rows:
        if status in row.sources:
            return row
    raise TransitionError(
        _("«%(action)s» is not possible now: the state is «%(state)s».")
        % {"action": rows[0].display(), "state": state_label}
    )


def plan_transition(
    *, organization: Any, action: str, status: str, via_consolidated: bool
) -> Transition:
    """The row of ``PLAN_TRANSITIONS`` for ``action`` from ``status`` (``TransitionError``)."""
    return _find(
        PLAN_TRANSITIONS,
        switches=plan_switches(organization),
        action=action,
        status=status,
        via_consolidated=via_consolidated,
        state_label=_plan_status_label(status),
    )


def consolidated_transition(*, organization: Any, action: str, status: str) -> Transition:
    """The row of ``CONSOLIDATED_TRANSITIONS`` for ``action`` from ``status``."""
    return _find(
        CONSOLIDATED_TRANSITIONS,
        switches=plan_switches(organization),
        action=action,
        status=status,
        via_consolidated=None,
        state_label=_consolidated_status_label(status),
    )


def require_perm(actor: Any, transition: Transition) -> None:
    """403 before any validation (``transition_apply`` checks it again): the role the
    organization's procedure names for the row's steps."""
    check_perm(actor, transition.perm, step_keys=transition.step_keys or None)


def plan_actions(*, user: Any, organization: Any, status: str) -> list[Transition]:
    """The direct transitions ``user`` may apply to a unit plan in ``status`` (UI buttons)."""
    switches = plan_switches(organization)
    seen: set[str] = set()
    result = []
    for row in PLAN_TRANSITIONS:
        if row.cascaded or row.action in seen or status not in row.sources:
            continue
        if row.applies(switches) and row.allowed_for(user):
            seen.add(row.action)
            result.append(row)
    return result


def consolidated_actions(*, user: Any, organization: Any, status: str) -> list[Transition]:
    """The transitions ``user`` may apply to a consolidated plan in ``status``."""
    switches = plan_switches(organization)
    seen: set[str] = set()
    result = []
    for row in CONSOLIDATED_TRANSITIONS:
        if row.action in seen or status not in row.sources:
            continue
        if row.applies(switches) and row.allowed_for(user):
            seen.add(row.action)
            result.append(row)
    return result


def action_label(transition: Transition) -> str:
    """The button text of a transition (SAL/DNP: "Approve and publish")."""
    if transition.action == "approve" and transition.target == P.PUBLISHED:
        return str(_("Approve and publish"))
    return str(ACTION_LABELS.get(transition.action, transition.action))
