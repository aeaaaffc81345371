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

Each transition is applied by ``strategy.services`` as a conditional UPDATE from the
expected state (``WHERE status IN sources``), so two people acting at once never both
succeed, plus an event row. A wrong state raises ``TransitionError`` (Spanish message);
a role without the transition's permission raises ``PermissionDenied`` (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from acompana.core.errors import TransitionError
from acompana.core.permissions import has_perm
from acompana.core.procedures import profile_switch
from acompana.core.scoping import active_membership
from acompana.planning.choices import ProposalStatus, StrategyStatus

COMMITTEE_SWITCH = "committee_approves_strategy"

#: states in which the units write and submit their proposals (FP-2)
PROPOSING = frozenset({StrategyStatus.DRAFT, StrategyStatus.RETURNED})
#: proposal states in which its unit may still change it
EDITABLE_PROPOSAL = frozenset({ProposalStatus.DRAFT, ProposalStatus.RETURNED})


@dataclass(frozen=True)
class Transition:
    """One allowed move: from any of ``sources`` to ``target``, by ``perm``."""

    name: str
    sources: frozenset[str]
    target: str
    perm: str
    #: None: always; True/False: only when the profile switch ``committee_approves_strategy``
    #: has that value
    committee: bool | None = None
    #: step key of the event (None: an audit-only key ``strategy.<name>``)
    step_key: str | None = None


STRATEGY_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "consolidate",
            PROPOSING,
            StrategyStatus.CONSOLIDATED,
            "planning.consolidate",
            committee=True,
            step_key="strategy.consolidated",
        ),
        Transition(
            "consolidate_and_approve",
            PROPOSING,
            StrategyStatus.APPROVED,
            "planning.consolidate",
            committee=False,
            step_key="strategy.consolidated",
        ),
        Transition(
            "reopen",
            frozenset({StrategyStatus.CONSOLIDATED}),
            StrategyStatus.DRAFT,
            "planning.consolidate",
            committee=True,
        ),
        Transition(
            "present",
            frozenset({StrategyStatus.CONSOLIDATED}),
            StrategyStatus.SUBMITTED,
            "planning.consolidate",
            committee=True,
        ),
        Transition(
            "approve",
            frozenset({StrategyStatus.SUBMITTED}),
            StrategyStatus.APPROVED,
            "planning.committee",
            committee=True,
            step_key="strategy.committee_decided",
        ),
        Transition(
            "return",
            frozenset({StrategyStatus.SUBMITTED}),
            StrategyStatus.RETURNED,
            "planning.committee",
            committee=True,
            step_key="strategy.committee_decided",
        ),
    )
}

PROPOSAL_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit",
            EDITABLE_PROPOSAL,
            ProposalStatus.SUBMITTED,
            "planning.propose_strategy",
            step_key="strategy.proposed",
        ),
        Transition(
            "return",
            frozenset({ProposalStatus.SUBMITTED}),
            ProposalStatus.RETURNED,
            "planning.consolidate",
        ),
    )
}


def check_actor(actor: Any, perm: str, organization_id: int | None = None) -> None:
    """403 (``PermissionDenied``) unless the actor's role grants ``perm`` in the organization
    of the object (``organization_id``). ``actor=None`` is the system."""
    if actor is None:
        return
    if not has_perm(actor, perm):
        raise PermissionDenied(_("Your role does not allow this action."))
    if organization_id is not None:
        membership = active_membership(actor)
        if membership is None or membership.organization_id != organization_id:
            raise PermissionDenied(_("The record is not of your organization."))


def committee_stage(organization: Any) -> bool:
    """Whether the organization's procedure has the committee decide on the strategy."""
    return bool(profile_switch(organization, COMMITTEE_SWITCH))


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
    check_actor(actor, transition.perm, strategy.organization_id)
    if transition.committee is not None:
        has_committee = committee_stage(strategy.organization)
        if transition.committee and not has_committee:
            raise TransitionError(
                _(
                    "Your organization's procedure has no committee decision on the "
                    "strategy: the consolidation approves it."
                )
            )
        if not transition.committee and has_committee:
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
    check_actor(actor, transition.perm, proposal.organization_id)
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
