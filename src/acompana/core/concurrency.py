"""Optimistic locking: an edit applies only to the version the editor saw.

Every editable model has ``version = PositiveIntegerField(default=1)``; forms and API
payloads carry the version they were built from; services call ``versioned_update`` which
is one conditional UPDATE. When someone else saved in between, nothing is written and
``StaleObjectError`` tells the user to reload (DESIGN: "a stale edit is refused").
"""

from __future__ import annotations

from typing import Any

from django.db.models import F

from acompana.core.errors import StaleObjectError


def versioned_update(obj: Any, *, expected_version: int, fields: dict[str, Any]) -> None:
    """UPDATE ``fields`` of ``obj`` if its row is still at ``expected_version``, else refuse."""
    updated = (
        type(obj)
        .objects.filter(pk=obj.pk, version=expected_version)
        .update(**fields, version=F("version") + 1)
    )
    if updated != 1:
        raise StaleObjectError()
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.version = expected_version + 1
