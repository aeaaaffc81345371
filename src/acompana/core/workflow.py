"""The workflow primitive: a transition table row, and the one way to apply it.

A stage declares its workflow as a small table of ``Transition`` rows next to its model
(``planning/plans/workflow.py``, ``planning/strategy/workflow.py``,
``planning/needs/workflow.py``): from which states, to which state, with which permission,
which step keys the events carry, and which switches of the organization's procedure
profile must be on (``on``) or off (``off``) for the row to exist (DESIGN sections 3-4).

``transition_apply`` is the only code that moves a state. In one transaction it

1. checks the actor's role (``check_perm`` → ``PermissionDenied``, 403) and organization:
   who may act is who the organization's procedure names for the steps the row's keys
   complete (``core.permissions.roles_in``), the permission table where no step maps them;
2. checks the row belongs to the organization's procedure (``TransitionError``);
3. does ONE conditional UPDATE from the expected state (and version) through
   ``core.concurrency.versioned_update``: nobody's move is lost, and a refusal says whether
   the state no longer allows it (``TransitionError``) or someone changed the object since
   it was opened (``StaleObjectError``) — both 409;
4. records one event per step key of the row (the procedure trail).

Nothing is written when any check refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from acompana.core.concurrency import state_label, versioned_update
from acompana.core.errors import TransitionError
from acompana.core.events import event_record
from acompana.core.models import User
from acompana.core.permissions import check_perm, has_perm
from acompana.core.procedures import get_profile
from acompana.core.scoping import active_membership

#: comments on a transition: none asked, optional, or required (a return says why)
NO_COMMENTS, OPTIONAL, REQUIRED = "none", "optional", "required"


@dataclass(frozen=True)
class Transition:
    """One allowed move of an object of some model, in the procedures whose switches fit."""

    action: str
    sources: frozenset[str]
    target: str
    perm: str
    #: keys of the events recorded, one event each (empty: the caller's own service records
    #: the event, e.g. the committee's acta)
    step_keys: tuple[str, ...] = ()
    #: profile switches that must be on / off for this row to be part of the procedure
    on: frozenset[str] = frozenset()
    off: frozenset[str] = frozenset()
    comments: str = OPTIONAL
    #: applied only as part of the move of the object that contains this one (a unit plan
    #: moved by its consolidated plan), never on its own
    cascaded: bool = False
    #: what users read for the action (buttons, refusals); the action name when empty
    label: str | Promise = field(default="", compare=False)

    @classmethod
    def build(
        cls,
        action: str,
        sources: Iterable[str],
        target: str,
        perm: str,
        step_keys: Iterable[str] = (),
        *,
        on: Iterable[str] = (),
        off: Iterable[str] = (),
        comments: str = OPTIONAL,
        cascaded: bool = False,
        label: str | Promise = "",
    ) -> Transition:
        """A row from plain iterables (the tables read better with set literals)."""
        return cls(
            action=action,
            sources=frozenset(sources),
            target=target,
            perm=perm,
            step_keys=tuple(step_keys),
            on=frozenset(on),
            off=frozenset(off),
            comments=comments,
            cascaded=cascaded,
            label=label,
        )

    @property
    def switches(self) -> frozenset[str]:
        """The profile switches this row depends on."""
        return self.on | self.off

    def applies(self, switches: Mapping[str, Any]) -> bool:
        """Whether the row is part of a procedure with these switch values."""
        return all(switches.get(name) for name in self.on) and not any(
            switches.get(name) for name in self.off
        )

    def display(self) -> str:
        return str(self.label or self.action)

    def allowed_for(self, user: Any) -> bool:
        """Whether ``user`` may apply this row (role per the procedure; UI buttons)."""
        return has_perm(user, self.perm, step_keys=self.step_keys or None)


def profile_switches(organization: Any, names: Iterable[str]) -> dict[str, bool]:
    """The values of some switches of the organization's procedure profile."""
    profile = get_profile(organization)
    return {name: bool(profile.switch(name)) for name in names}


def transition_check(
    *,
    actor: User,
    obj: models.Model,
    transition: Transition,
    switches: Mapping[str, Any] | None = None,
) -> None:
    """Role, organization and procedure checks of ``transition_apply`` (nothing written).

    ``switches``: the organization's switch values when the caller already read them.
    """
    check_perm(actor, transition.perm, step_keys=transition.step_keys or None)
    organization_id = getattr(obj, "organization_id", None)
    if organization_id is not None:
        membership = active_membership(actor)
        if membership is None or membership.organization_id != organization_id:
            raise PermissionDenied(_("The record is not of your organization."))
    if transition.switches:
        values = (
            switches
            if switches is not None
            else profile_switches(obj.organization, transition.switches)  # type: ignore[attr-defined]
        )
        if not transition.applies(values):
            raise TransitionError(
                _("This step is not part of your organization's procedure: «%(action)s».")
                % {"action": transition.display()}
            )


def transition_apply(
    *,
    actor: User,
    obj: models.Model,
    transition: Transition,
    expected_version: int | None = None,
    fields: Mapping[str, Any] | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    record: str = "",
    switches: Mapping[str, Any] | None = None,
    refused: str | Callable[[Any], str] | None = None,
    stale_message: str | None = None,
    state_field: str = "status",
) -> None:
    """Move ``obj`` along ``transition`` (see the module docstring), updating it in memory.

    ``fields``: more columns set by the same UPDATE (expressions allowed). ``summary``,
    ``before``, ``after`` and ``record`` go to every event (``before``/``after`` default to
    the states). ``refused``: the wrong-state message, or a function of the current state
    that builds it (default: the action and the current state).
    """
    transition_check(actor=actor, obj=obj, transition=transition, switches=switches)
    previous = getattr(obj, state_field)

    def wrong_state(current: Any) -> str:
        if callable(refused):
            return refused(current)
        if refused:
            return refused
        return _("«%(action)s» is not possible now: the state is «%(state)s».") % {
            "action": transition.display(),
            "state": state_label(obj, current, state_field=state_field),
        }

    with transaction.atomic():
        versioned_update(
            obj,
            expected_version=expected_version,
            fields={**(fields or {}), state_field: transition.target},
            states=transition.sources,
            state_field=state_field,
            wrong_state=wrong_state,
            stale_message=stale_message,
        )
        organization = getattr(obj, "organization", None)
        for key in transition.step_keys:
            event_record(
                actor=actor,
                organization=organization,
                step_key=key,
                obj=obj,
                summary=summary,
                before=before if before is not None else {state_field: previous},
                after=after if after is not None else {state_field: transition.target},
                record=record,
            )
