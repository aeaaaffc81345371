"""The procedure trail: every official step of the organization's procedure, done, returned
or pending, for one object (a plan, an assistance, a stakeholder...) and its related objects.

Services record events with generic step keys (``keys.STEP_KEYS``); the profile maps keys to
official steps. A step is done when an event of the object (or of a related object) carries
one of its keys — the key of the step's control point (a plan *submitted*, not a draft
opened) — and shows who met it and when, the official record formats of the step (name,
code, version from the profile) and the ``record`` each event names (a document number).

Returns are part of the trail: a "no" at a control point (the unit head returns the plan,
EDU-3 ↩; planning returns it to the units, EDU-5 ↩; the committee returns it with its acta,
FP-4 / EDU-7 ↩) is an audit-only event (``plan.returned``, ``committee.returned``,
``strategy.proposal_returned``) that ``RETURNS`` attributes to the step whose key it
refused. Each step lists its ``rounds`` oldest first — done (✓) and returned (↩), with the
actor, the date, the comments and the acta — so a redone step shows every round; a step whose
last round is a return is ``returned`` until it is done again.

Usage in a later app's view::

    from acompana.core.procedures.trail import procedure_trail

    trail = procedure_trail(user=request.user, obj=plan, related=[*plan.lines.all(), acta])
    return render(request, "planning/plan_detail.html", {"plan": plan, "trail": trail})

and in its template::

    {% include "core/procedures/trail.html" with trail=trail %}

or link to the stand-alone page ``{% url 'core:procedure_trail' app_label model object_id %}``.
Events are read in one query whatever their number, through the user's scope
(``Event.objects.for_user``): events of another organization never appear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q

from acompana.core.events_display import actor_label, event_value, key_label
from acompana.core.models import Event
from acompana.core.procedures.profiles import Profile, Record, Step, get_profile
from acompana.core.scoping import active_membership

DONE, RETURNED, PENDING = "done", "returned", "pending"

#: events of one act (a consolidated plan and its unit plans moved together, the committee's
#: acta and the plans it returned) are recorded in one transaction: one round
_SAME_ACT = timedelta(seconds=5)


def _status_before(event: Event) -> Any:
    return event.before.get("status") if isinstance(event.before, dict) else None


def _plan_returned(event: Event) -> tuple[str, ...]:
    """Which control point said no to a unit plan: the unit head's review (the plan was
    submitted), the committee (the return names its acta in ``record``), else planning's
    verification (EDU-5 "no"; FP: the Subdirección's consolidation)."""
    if _status_before(event) == "submitted":
        return ("plan.unit_approved", "plan.submitted")
    if event.record:
        return ("plan.committee_approved",)
    return ("plan.verified", "plan.consolidated")


def _committee_returned(event: Event) -> tuple[str, ...]:
    model = event.content_type.model if event.content_type is not None else ""
    if model == "strategy":
        return ("strategy.committee_decided",)
    return ("plan.committee_approved", "strategy.committee_decided")


def _proposal_returned(event: Event) -> tuple[str, ...]:
    if event_value(event, "acta"):  # returned with the committee's acta (FP-4 "no")
        return ("strategy.committee_decided",)
    return ("strategy.consolidated",)


#: audit-only key of a "no" at a control point → the step keys it refused, in order of
#: preference (the first one the organization's procedure maps takes the return)
RETURNS: dict[str, Callable[[Event], tuple[str, ...]]] = {
    "plan.returned": _plan_returned,
    "committee.returned": _committee_returned,
    "strategy.proposal_returned": _proposal_returned,
}


@dataclass
class TrailRound:
    """One pass through a step: done (✓) or returned (↩), by one person at one moment;
    ``events`` are the events of that act (one per object it touched)."""

    kind: str
    events: list[Event] = field(default_factory=list)

    @property
    def event(self) -> Event:
        return self.events[0]

    @property
    def returned(self) -> bool:
        return self.kind == RETURNED

    @property
    def actor(self) -> Any:
        return self.event.actor

    @property
    def actor_name(self) -> str:
        return actor_label(self.event)

    @property
    def when(self) -> Any:
        return self.event.created_at

    @property
    def label(self) -> str:
        return key_label(self.event.step_key)

    @property
    def number(self) -> Any:
        """The round of the object it belongs to (``round`` in the event), when recorded."""
        for event in self.events:
            value = event_value(event, "round")
            if value not in (None, ""):
                return value
        return None

    @property
    def comments(self) -> str:
        for event in self.events:
            value = event_value(event, "comments")
            if value:
                return str(value)
        return ""

    @property
    def acta(self) -> str:
        """The committee's acta number, when the round is the committee's."""
        for event in self.events:
            value = event_value(event, "acta")
            if value:
                return str(value)
        return ""

    @property
    def acta_date(self) -> Any:
        from acompana.core.events_display import format_value

        for event in self.events:
            if event_value(event, "acta") and event_value(event, "date"):
                return format_value(event_value(event, "date"), name="date")
        return ""

    @property
    def summary(self) -> str:
        return self.event.summary

    @property
    def records(self) -> list[str]:
        return list(dict.fromkeys(e.record for e in self.events if e.record))


@dataclass
class TrailStep:
    """One official step in an object's trail."""

    step: Step
    #: events that completed the step, oldest first
    events: list[Event] = field(default_factory=list)
    #: events that returned the step's work (a "no" at its control point), oldest first
    returns: list[Event] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.step.id

    @cached_property
    def rounds(self) -> list[TrailRound]:
        """Every pass, done or returned, oldest first (the events of one act together); read
        once the trail is built (``procedure_trail``)."""
        tagged = sorted(
            [(e, DONE) for e in self.events] + [(e, RETURNED) for e in self.returns],
            key=lambda pair: (pair[0].created_at, pair[0].pk),
        )
        rounds: list[TrailRound] = []
        for event, kind in tagged:
            current = rounds[-1] if rounds else None
            if (
                current is not None
                and current.kind == kind
                and current.event.actor_id == event.actor_id
                and (kind == RETURNED or current.event.step_key == event.step_key)
                and event.created_at - current.event.created_at <= _SAME_ACT
                and all(
                    (e.content_type_id, e.object_id) != (event.content_type_id, event.object_id)
                    for e in current.events
                )
            ):
                current.events.append(event)
            else:
                rounds.append(TrailRound(kind=kind, events=[event]))
        return rounds

    @property
    def status(self) -> str:
        """``done``, ``returned`` (its last round is a return) or ``pending``."""
        rounds = self.rounds
        if not rounds:
            return PENDING
        if rounds[-1].kind == RETURNED:
            return RETURNED
        return DONE

    @property
    def done(self) -> bool:
        return bool(self.events) and self.status == DONE

    @property
    def first_event(self) -> Event | None:
        return self.events[0] if self.events else None

    @property
    def last_event(self) -> Event | None:
        return self.events[-1] if self.events else None

    @property
    def actor(self) -> Any:
        """Who met the step's control point first; None when pending."""
        return self.events[0].actor if self.events else None

    @property
    def when(self) -> Any:
        return self.events[0].created_at if self.events else None

    @property
    def records(self) -> tuple[Record, ...]:
        """The official formats of the step (from the profile, with adjustments)."""
        return self.step.records

    @property
    def event_records(self) -> list[str]:
        """The records the events name (``Event.record``), without repeats."""
        return list(dict.fromkeys(e.record for e in self.events if e.record))


class Trail(list[TrailStep]):
    """A list of ``TrailStep`` with the profile it follows (iterates like a plain list)."""

    def __init__(self, steps: Iterable[TrailStep] = (), profile: Profile | None = None) -> None:
        super().__init__(steps)
        self.profile = profile

    @property
    def done_count(self) -> int:
        return sum(1 for step in self if step.done)


def _object_filter(objects: Iterable[Model]) -> Q | None:
    condition: Q | None = None
    for obj in objects:
        if obj is None or obj.pk is None:
            continue
        clause = Q(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        condition = clause if condition is None else condition | clause
    return condition


def returned_step_key(event: Event, profile: Profile) -> str | None:
    """The key (mapped by ``profile``) whose control point ``event`` said no to; None when
    the event is no return or its step is not part of this procedure."""
    classify = RETURNS.get(event.step_key)
    if classify is None:
        return None
    mapped = profile.mapped_keys
    return next((key for key in classify(event) if key in mapped), None)


def procedure_trail(*, user: Any, obj: Model, related: Iterable[Model] = ()) -> Trail:
    """Every official step of the user's organization's procedure for ``obj`` (+ ``related``).

    Returns an empty trail for a user without an active organization.
    """
    membership = active_membership(user)
    if membership is None:
        return Trail()
    profile = get_profile(membership.organization)
    trail = Trail((TrailStep(step=step) for step in profile.steps), profile=profile)
    condition = _object_filter([obj, *related])
    if condition is None:
        return trail
    by_id = {item.step.id: item for item in trail}
    events = (
        Event.objects.for_user(user)
        .filter(condition, step_key__in=sorted(profile.mapped_keys | set(RETURNS)))
        .select_related("actor", "content_type")
        .order_by("created_at", "id")
    )
    for event in events:
        if event.step_key in RETURNS:
            refused = returned_step_key(event, profile)
            for step in profile.steps_for_key(refused) if refused else ():
                by_id[step.id].returns.append(event)
            continue
        for step in profile.steps_for_key(event.step_key):
            by_id[step.id].events.append(event)
    return trail
