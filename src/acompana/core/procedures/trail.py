"""The procedure trail: every official step of the organization's procedure, done or pending,
for one object (a plan, an assistance, a stakeholder...) and its related objects.

Services record events with generic step keys (``keys.STEP_KEYS``); the profile maps keys to
official steps. A step is done when at least one event of the object (or of a related
object) carries one of its keys; it shows who did it first and when, the official record
formats of the step (name, code, version from the profile) and the ``record`` each event
names (a document number, a file).

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

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q

from acompana.core.models import Event
from acompana.core.procedures.profiles import Profile, Record, Step, get_profile
from acompana.core.scoping import active_membership


@dataclass
class TrailStep:
    """One official step in an object's trail."""

    step: Step
    #: events that completed the step, oldest first
    events: list[Event] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.step.id

    @property
    def done(self) -> bool:
        return bool(self.events)

    @property
    def first_event(self) -> Event | None:
        return self.events[0] if self.events else None

    @property
    def last_event(self) -> Event | None:
        return self.events[-1] if self.events else None

    @property
    def actor(self) -> Any:
        """Who completed the step (first event); None when pending or done by the system."""
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
        .filter(condition, step_key__in=sorted(profile.mapped_keys))
        .select_related("actor")
        .order_by("created_at", "id")
    )
    for event in events:
        for step in profile.steps_for_key(event.step_key):
            by_id[step.id].events.append(event)
    return trail
