"""Writing the append-only event table (audit + procedure trail).

Services call ``event_record`` inside their transaction, so the event exists exactly when
the change does. Reading is in ``core.selectors``.

The step key of an event is one of a closed set (``core.procedures.keys``: the official
``STEP_KEYS`` and the audit-only ``AUDIT_KEYS``): an undeclared key is a programming error,
refused here before anything is written, so a typo never hides a step from the trail.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from acompana.core.models import Event, Organization, User
from acompana.core.procedures.keys import is_declared


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """A JSON-safe summary of some fields of ``obj`` for the before/after columns."""
    result: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            related = getattr(obj, name)
            result[name] = str(related) if related is not None else None
        else:
            result[name] = _plain(getattr(obj, name))
    return result


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose value changed, for a compact audit row."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def event_record(
    *,
    actor: User | None,
    organization: Organization | None,
    step_key: str,
    obj: models.Model | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    record: str = "",
) -> Event:
    """Append one event row. Call inside the service's ``transaction.atomic`` block.

    ``actor`` is the acting user; a write no person makes passes
    ``core.actors.system_actor()`` so the trail names the system. ``None`` (or an anonymous
    user) is still stored as "no actor" for older callers. ``summary`` is already
    translated text (``gettext`` with named placeholders). ``ValueError`` for a
    ``step_key`` declared in neither ``STEP_KEYS`` nor ``AUDIT_KEYS``.
    """
    if not is_declared(step_key):
        raise ValueError(
            f"Undeclared step key {step_key!r}: declare it in acompana/core/procedures/keys.py "
            "(STEP_KEYS for an official step, AUDIT_KEYS for an audit-only event)."
        )
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    return Event.objects.create(
        organization=organization,
        actor=actor if actor is not None and actor.is_authenticated else None,
        content_type=content_type,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        step_key=step_key,
        summary=summary[:500],
        before=before,
        after=after,
        record=record[:200],
    )
