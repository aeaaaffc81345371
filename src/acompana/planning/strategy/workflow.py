"""The strategy workflow (FP-2 → FP-3 → FP-4) as a small declarative transition table.

States of a ``Strategy`` (``StrategyStatus``)::

    draft ──consolidate──► consolidated ──present──► submitted ──approve──► approved
      ▲  │                    │                          │
      │  └─consolidate_and_approve (no committee stage) ─┼─────────────────► approved
      │                       │                          │
      └──────── reopen ───────┘                          └──return──► returned
                                                                         │
    returned ──consolidate──► consolidated ...   (round + 1, every round kept)
    returned ──consolidate_and_approve──► approved

* FP-2: while the strategy is ``draft`` or ``returned`` every unit fills and submits its
  proposal (``PROPOSAL_TRANSITIONS``); planning may return a submitted proposal before
  consolidating (FP-2's control: "validar priorización y recursos") or exclude a unit.
* FP-3: planning consolidates (offer and demand) once every proposal is submitted or
  excluded, then presents the strategy to the Comité Directivo.
* FP-4: the committee approves (→ ``approved``: the plans follow it) or returns it with its
  comments (→ ``returned``: the proposals go back to the units, the round increases).

Profile switch ``committee_approves_strategy``: where it is off (the SAL, EDU and DNP
procedures have no committee decision on the strategy), the planner's consolidation
approves the strategy directly (``consolidate_and_approve``) and there is no committee
stage; where it is on (FP), only the committee's decision approves it.

The rows are ``core.workflow.Transition``; ``strategy.services`` applies them with
``core.workflow.transition_apply``: a conditional UPDATE from the expected state (``WHERE
status IN sources``, and the version when given), so two people acting at once never both
succeed, plus an event per step key. A wrong state raises ``TransitionError`` (Spanish
message), a stale version ``StaleObjectError``; a role without the transition's permission
raises ``PermissionDenied`` (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from acompana.core.errors import TransitionError
from acompana.core.permissions import check_perm
from acompana.core.scoping import active_membership
from acompana.core.workflow import Transition, profile_switches
from acompana.planning.choices import ProposalStatus, StrategyStatus

COMMITTEE_SWITCH = "committee_approves_strategy"

#: states in which the units write and submit their proposals (FP-2)
PROPOSING = frozenset({StrategyStatus.DRAFT, StrategyStatus.RETURNED})
#: proposal states in which its unit may still change it
EDITABLE_PROPOSAL = frozenset({ProposalStatus.DRAFT, ProposalStatus.RETURNED})

S = StrategyStatus
CONSOLIDATE, COMMITTEE, PROPOSE = (
    "planning.consolidate",
    "planning.committee",
    "planning.propose_strategy",
)
# Rows with ``on={COMMITTEE_SWITCH}`` exist only with the committee stage (FP), ``off`` only
# without it (SAL, EDU, DNP). The committee's decision (``approve``/``return``) has no step
# key here: its event is recorded with the acta by ``committee_decision_record``
# (``strategy.committee_decided``).
STRATEGY_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition.build(
            "consolidate",
            PROPOSING,
            S.CONSOLIDATED,
            CONSOLIDATE,
            ("strategy.consolidated",),
            on={COMMITTEE_SWITCH},
        ),
        Transition.build(
            "consolidate_and_approve",
            PROPOSING,
            S.APPROVED,
            CONSOLIDATE,
            ("strategy.consolidated",),
            off={COMMITTEE_SWITCH},
        ),
        Transition.build(
            "reopen",
            {S.CONSOLIDATED},
            S.DRAFT,
            CONSOLIDATE,
            ("strategy.reopened",),
            on={COMMITTEE_SWITCH},
        ),
        Transition.build(
            "present",
            {S.CONSOLIDATED},
            S.SUBMITTED,
            CONSOLIDATE,
            ("strategy.presented",),
            on={COMMITTEE_SWITCH},
        ),
        Transition.build(
            "approve", {S.SUBMITTED}, S.APPROVED, COMMITTEE, (), on={COMMITTEE_SWITCH}
        ),
        Transition.build("return", {S.SUBMITTED}, S.RETURNED, COMMITTEE, (), on={COMMITTEE_SWITCH}),
    )
}

PROPOSAL_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition.build(
            "submit",
            EDITABLE_PROPOSAL,
            ProposalStatus.SUBMITTED,
            PROPOSE,
            ("strategy.proposed",),
        ),
        Transition.build(
            "return",
            {ProposalStatus.SUBMITTED},
            ProposalStatus.RETURNED,
            CONSOLIDATE,
            ("strategy.proposal_returned",),
        ),
    )
}


def check_actor(
    actor: Any,
    perm: str,
    organization_id: int | None = None,
    step_keys: tuple[str, ...] = (),
) -> None:
    """403 (``PermissionDenied``) unless the actor's role grants ``perm`` in the organization
    of the object (``organization_id``): the roles its procedure names for the steps of
    ``step_keys`` (FP-2 unit heads and the Subdirección, FP-4 the committee), the permission
    table where no step maps them."""
    check_perm(actor, perm, step_keys=step_keys or None)
    if organization_id is not None:
        membership = active_membership(actor)
        if membership is None or membership.organization_id != organization_id:
            raise PermissionDenied(_("The record is not of your organization."))


def committee_stage(organization: Any) -> bool:
    """Whether the organization's procedure has the committee decide on the strategy."""
    return profile_switches(organization, [COMMITTEE_SWITCH])[COMMITTEE_SWITCH]


def strategy_status_label(strategy: Any, committee: bool | None = None) -> str:
    """The status as users read it: without a committee stage, «approved» is not «approved
    by the committee» (the shared choice label says so) but approved by the consolidation."""
    if committee is None:
        committee = committee_stage(strategy.organization)
    if strategy.status == StrategyStatus.APPROVED and not committee:
        return str(_("Approved with the consolidation"))
    return _state_label(strategy.status)


def _state_label(value: str) -> str:
    labels = dict(StrategyStatus.choices)
    return str(labels.get(value, value))


def _proposal_state_label(value: str) -> str:
    labels = dict(ProposalStatus.choices)
    return str(labels.get(value, value))


def strategy_transition_check(*, actor: Any, strategy: Any, name: str) -> Transition:
    """The transition ``name`` if ``actor`` may apply it to ``strategy`` now.

    Raises ``PermissionDenied`` (wrong role) or ``TransitionError`` (wrong state, or a stage
    the organization's procedure does not have). The state is checked again by the
    conditional UPDATE that applies the transition.
    """
    transition = STRATEGY_TRANSITIONS[name]
    check_actor(actor, transition.perm, strategy.organization_id, transition.step_keys)
    if transition.switches:
        has_committee = committee_stage(strategy.organization)
        if COMMITTEE_SWITCH in transition.on and not has_committee:
            raise TransitionError(
                _(
                    "Your organization's procedure has no committee decision on the "
                    "strategy: the consolidation approves it."
                )
            )
        if COMMITTEE_SWITCH in transition.off and has_committee:
            raise TransitionError(
                _("Your organization's procedure requires the committee to approve the strategy.")
            )
    if strategy.status not in transition.sources:
        raise TransitionError(strategy_state_message(strategy.status, name))
    return transition


def strategy_state_message(status: str, name: str) -> str:
    """Why transition ``name`` is refused while the strategy is in ``status``."""
    messages = {
        "consolidate": _("Only a strategy whose proposals are in preparation can be consolidated."),
        "consolidate_and_approve": _(
            "Only a strategy whose proposals are in preparation can be consolidated."
        ),
        "reopen": _("Only a consolidated strategy that was not presented yet can be reopened."),
        "present": _("Only a consolidated strategy can be presented to the committee."),
        "approve": _("The committee can only decide on a strategy presented to it."),
        "return": _("The committee can only decide on a strategy presented to it."),
    }
    now = _("The strategy is now «%(state)s».") % {"state": _state_label(status)}
    return f"{messages[name]} {now}"


def proposals_open_check(strategy: Any) -> None:
    """FP-2 happens while the strategy is in preparation or returned: refuse otherwise."""
    if strategy.status not in PROPOSING:
        raise TransitionError(
            _(
                "The proposals can only change while the strategy is in preparation or "
                "returned by the committee. The strategy is now «%(state)s»."
            )
            % {"state": _state_label(strategy.status)}
        )


def proposal_transition_check(*, actor: Any, proposal: Any, strategy: Any, name: str) -> Transition:
    """The proposal transition ``name`` if allowed now (see ``strategy_transition_check``)."""
    transition = PROPOSAL_TRANSITIONS[name]
    check_actor(actor, transition.perm, proposal.organization_id, transition.step_keys)
    proposals_open_check(strategy)
    if proposal.excluded:
        raise TransitionError(
            _("This unit is excluded from the strategy: include it again to change its proposal.")
        )
    if proposal.status not in transition.sources:
        messages = {
            "submit": _("Only a proposal in draft or returned with comments can be submitted."),
            "return": _("Only a submitted proposal can be returned to its unit."),
        }
        now = _("The proposal is now «%(state)s».") % {
            "state": _proposal_state_label(proposal.status)
        }
        raise TransitionError(f"{messages[name]} {now}")
    return transition


def available_strategy_transitions(*, user: Any, strategy: Any) -> list[str]:
    """Names of the transitions ``user`` may apply to ``strategy`` in its current state."""
    names = []
    for name in STRATEGY_TRANSITIONS:
        try:
            strategy_transition_check(actor=user, strategy=strategy, name=name)
        except (PermissionDenied, TransitionError):
            continue
        names.append(name)
    return names
