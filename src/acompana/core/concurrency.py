"""The one conditional UPDATE: an edit or a state move applies only to the row the actor saw.

Every editable model has ``version = PositiveIntegerField(default=1)``; forms and API
payloads carry the version they were built from. ``versioned_update`` is one conditional
UPDATE ``WHERE pk = … [AND version = expected] [AND status IN states]`` that sets the fields
and bumps the version. When nothing matched, nothing is written and the row is read again
to say why (DESIGN section 9: a stale edit and a wrong state are refused, and told apart):

* the state no longer allows the move → ``TransitionError`` (someone acted on it first);
* the version moved → ``StaleObjectError`` (someone changed it since the form was opened).

Workflow transitions go through ``core.workflow.transition_apply``, which uses this helper;
a service never writes its own conditional UPDATE.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.models import Event


def state_label(obj: models.Model, value: Any, *, state_field: str = "status") -> str:
    """The label users read for ``value`` of the state field (its choice label)."""
    field = obj._meta.get_field(state_field)
    choices = dict(getattr(field, "flatchoices", None) or ())
    return str(choices.get(value, value))


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def versioned_update(
    obj: Any,
    *,
    expected_version: int | None,
    fields: Mapping[str, Any],
    states: Iterable[str] | None = None,
    state_field: str = "status",
    wrong_state: str | Callable[[Any], str] | None = None,
    stale_message: str | None = None,
) -> None:
    """UPDATE ``fields`` of ``obj``'s row if it is still at ``expected_version`` (None: any)
    and, when ``states`` is given, still in one of them; else refuse and write nothing.

    The version goes up by one (models without ``version`` are only state-checked) and
    ``auto_now`` fields are touched, as ``save()`` would. Values may be expressions
    (``F("round") + 1``): those fields are read back. ``wrong_state`` is the refusal message,
    or a function of the current state that builds it. ``obj`` is updated in memory.
    """
    model: type[models.Model] = type(obj)
    versioned = _has_field(model, "version")
    changes: dict[str, Any] = {
        f.name: timezone.now()
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) and f.name not in fields
    }
    changes.update(fields)
    if versioned:
        changes["version"] = F("version") + 1
    queryset = model._base_manager.filter(pk=obj.pk)
    if expected_version is not None:
        queryset = queryset.filter(version=expected_version)
    allowed = None if states is None else [str(s) for s in states]
    if allowed is not None:
        queryset = queryset.filter(**{f"{state_field}__in": allowed})
    if queryset.update(**changes) != 1:
        _refuse(
            obj,
            allowed=allowed,
            state_field=state_field,
            wrong_state=wrong_state,
            stale_message=stale_message,
        )
    computed = [name for name, value in changes.items() if hasattr(value, "resolve_expression")]
    for name, value in changes.items():
        if name not in computed:
            setattr(obj, name, value)
    if versioned and expected_version is not None:
        obj.version = expected_version + 1
        computed.remove("version")
    if computed:
        obj.refresh_from_db(fields=computed)


def _refuse(
    obj: Any,
    *,
    allowed: list[str] | None,
    state_field: str,
    wrong_state: str | Callable[[Any], str] | None,
    stale_message: str | None,
) -> NoReturn:
    """Nothing matched: read the row again and raise the error that says why (and who
    changed it last, and when)."""
    last = last_change(obj)
    if allowed is None:
        raise StaleObjectError(stale_message, last_change=last)
    model: type[models.Model] = type(obj)
    current = model._base_manager.filter(pk=obj.pk).values_list(state_field, flat=True)
    state = current.first()
    if state is not None and state not in allowed:
        if callable(wrong_state):
            message = wrong_state(state)
        elif wrong_state:
            message = wrong_state
        else:
            message = _("This is not possible now: the state is «%(state)s».") % {
                "state": state_label(obj, state, state_field=state_field)
            }
        raise TransitionError(message, last_change=last)
    raise StaleObjectError(stale_message, last_change=last)


def last_change(obj: models.Model) -> str:
    """«Last change: Ana Pérez, 02/12/2026 10:15.» from the object's latest event, so a
    refusal names who changed the object and when (empty when nothing was recorded)."""
    event = (
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None:
        return ""
    actor = event.actor
    who = (actor.full_name or actor.email) if actor is not None else _("the system")
    return _("Last change: %(who)s, %(when)s.") % {
        "who": who,
        "when": date_format(timezone.localtime(event.created_at), "d/m/Y H:i"),
    }


def versioned_delete(obj: Any, *, expected_version: int, stale_message: str | None = None) -> None:
    """DELETE ``obj``'s row only if it is still at ``expected_version``, else refuse: nobody
    deletes what someone else changed after they looked at it."""
    deleted, _detail = type(obj)._base_manager.filter(pk=obj.pk, version=expected_version).delete()
    if not deleted:
        raise StaleObjectError(stale_message, last_change=last_change(obj))
