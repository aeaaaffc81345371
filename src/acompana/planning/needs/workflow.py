"""The life of a need (SAL-1, EDU-1, FP-1's demand) as a declarative transition table.

States of a ``Need`` (``NeedStatus``) and the moves between them::

    to_triage ──accept──► open            to_triage ──discard──► discarded
    open ──plan──► planned                open, planned ──address──► addressed
    open, planned ──discard──► discarded  planned, addressed, discarded ──reopen──► open

* A request of the public form waits ``to_triage``; whoever triages it accepts it (→ open,
  completing its unit, topic, priority and grupos de valor) or discards it with a reason.
* A need taken by a plan line is ``planned``; once delivered it is ``addressed``; it may be
  discarded with a reason (a duplicate, out of competence) and reopened.

``needs.services`` applies the rows with ``core.workflow.transition_apply`` (a conditional
UPDATE from the expected state and version, plus the event). The moves need the role that
changes needs (``planning.change_needs``); no profile switch shapes them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acompana.core.errors import TransitionError
from acompana.core.workflow import REQUIRED, Transition
from acompana.planning.choices import NeedStatus

CHANGE = "planning.change_needs"
TRIAGED = "need.triaged"
STATUS_CHANGED = "need.status_changed"

N = NeedStatus

#: triage of a request of the public form (``need_triage``)
TRIAGE_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition.build(
            "accept", {N.TO_TRIAGE}, N.OPEN, CHANGE, (TRIAGED,), label=gettext_lazy("Accept")
        ),
        Transition.build(
            "discard",
            {N.TO_TRIAGE},
            N.DISCARDED,
            CHANGE,
            (TRIAGED,),
            comments=REQUIRED,
            label=gettext_lazy("Discard"),
        ),
    )
}

#: the moves of an accepted need (``need_set_status``), one per target state
STATUS_TRANSITIONS: dict[str, Transition] = {
    t.target: t
    for t in (
        Transition.build(
            "plan",
            {N.OPEN},
            N.PLANNED,
            CHANGE,
            (STATUS_CHANGED,),
            label=gettext_lazy("Mark as planned"),
        ),
        Transition.build(
            "address",
            {N.OPEN, N.PLANNED},
            N.ADDRESSED,
            CHANGE,
            (STATUS_CHANGED,),
            label=gettext_lazy("Mark as addressed"),
        ),
        Transition.build(
            "discard",
            {N.OPEN, N.PLANNED},
            N.DISCARDED,
            CHANGE,
            (STATUS_CHANGED,),
            comments=REQUIRED,
            label=gettext_lazy("Discard"),
        ),
        Transition.build(
            "reopen",
            {N.PLANNED, N.ADDRESSED, N.DISCARDED},
            N.OPEN,
            CHANGE,
            (STATUS_CHANGED,),
            label=gettext_lazy("Reopen"),
        ),
    )
}


def status_transition(*, current: str, target: str) -> Transition:
    """The row that moves a need from ``current`` to ``target`` (``TransitionError``)."""
    if current == N.TO_TRIAGE or target == N.TO_TRIAGE:
        raise TransitionError(_("A request waiting to be triaged is accepted or discarded."))
    transition = STATUS_TRANSITIONS.get(target)
    if transition is None or current not in transition.sources:
        raise TransitionError(cannot_become(current, target))
    return transition


def cannot_become(current: str, target: str) -> str:
    """Why a need in ``current`` cannot move to ``target``."""
    return _("A need «%(current)s» cannot become «%(target)s».") % {
        "current": NeedStatus(current).label,
        "target": NeedStatus(target).label,
    }


def next_statuses(current: str) -> frozenset[str]:
    """The states a need in ``current`` may move to with ``need_set_status`` (the form's
    choices; empty while it waits to be triaged)."""
    return frozenset(t.target for t in STATUS_TRANSITIONS.values() if current in t.sources)
