"""How people read an event: the one presentation of ``core.models.Event`` in Spanish.

The event table stores machine data (a generic step key, JSON ``before``/``after`` with raw
values, the actor's id). Every page that shows events — the procedure trail, the audit log,
an object's history, the home activity feed — goes through this module, so none prints a raw
key (``plan.submitted``), a Python value (``{'budget': '1000.00'}``, ``None``) or an English
field name:

* ``key_label(key)`` → the key's label (``keys.KEY_LABELS``, gettext);
* ``actor_label(event)`` → the person's name (e-mail when nameless), "Sistema Acompaña" for
  a write no person made;
* ``event_changes(event)`` → ``[Change(label, before, after)]``: the field's verbose name (from
  the event's model, else ``FIELD_LABELS``) and each value formatted: dates ``dd/mm/aaaa``,
  money ``$ 1.234.567``, booleans Sí/No, choices by their label, nothing as "—";
* ``format_value(value, field=...)`` → one value as above.

Templates use the filters of ``core.templatetags.acompana`` (``event_label``,
``event_actor``, ``event_changes``, ``display_value``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acompana.core.documents import money_text
from acompana.core.procedures.keys import KEY_LABELS

#: what an empty value reads as
EMPTY = "—"

#: field names whose numbers are money (pesos), wherever they appear in before/after
MONEY_FIELDS = frozenset(
    {"budget", "resources", "amount", "cost", "total_budget", "total_resources", "value_cop"}
)

#: labels of the names services put in before/after that are no model field
FIELD_LABELS: dict[str, Promise] = {
    "status": gettext_lazy("Status"),
    "round": gettext_lazy("Round"),
    "comments": gettext_lazy("Comments"),
    "acta": gettext_lazy("Acta"),
    "date": gettext_lazy("Date"),
    "decision": gettext_lazy("Decision"),
    "plans": gettext_lazy("Plans"),
    "units": gettext_lazy("Units"),
    "unit": gettext_lazy("Unit"),
    "fiscal_year": gettext_lazy("Fiscal year"),
    "title": gettext_lazy("Title"),
    "count": gettext_lazy("Quantity"),
    "created": gettext_lazy("Created"),
    "removed": gettext_lazy("Removed"),
    "mode": gettext_lazy("Mode"),
    "file": gettext_lazy("File"),
    "reason": gettext_lazy("Reason"),
    "roles": gettext_lazy("Roles"),
    "line": gettext_lazy("Line"),
    "lines": gettext_lazy("Lines"),
    "position": gettext_lazy("Position in the plan"),
    "copy_of": gettext_lazy("Copy of line"),
    "open": gettext_lazy("Open findings"),
    "accepted": gettext_lazy("Accepted findings"),
    "budget": gettext_lazy("Budget"),
    "resources": gettext_lazy("Resources"),
}

#: values of well-known names that appear outside their model (the committee's decision in
#: an event of the plan it decided on)
VALUE_LABELS: dict[str, dict[str, Promise]] = {
    "decision": {
        "approved": gettext_lazy("Approved"),
        "rejected": gettext_lazy("Returned with comments"),
    },
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class Change:
    """One field of an event's before/after, as people read it."""

    name: str
    label: str
    before: str
    after: str


def key_label(step_key: str) -> str:
    """The Spanish label of a step or audit key (never the key itself)."""
    label = KEY_LABELS.get(step_key)
    return str(label) if label is not None else _("Recorded event")


def actor_label(event: Any) -> str:
    """Who did it: the person's name (or e-mail), or "Sistema Acompaña"."""
    from acompana.core.actors import SYSTEM_NAME, is_system_actor

    actor = getattr(event, "actor", None)
    if actor is None or is_system_actor(actor):
        return SYSTEM_NAME
    return str(getattr(actor, "full_name", "") or getattr(actor, "email", "") or SYSTEM_NAME)


def _model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return field if isinstance(field, models.Field) else None


def field_label(name: str, *, model: type[models.Model] | None = None) -> str:
    """The field's verbose name on ``model``; else ``FIELD_LABELS``; else the name in words."""
    field = _model_field(model, name)
    if field is not None and field.verbose_name and str(field.verbose_name) != name:
        return str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:]
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    if field is not None:
        return str(field.verbose_name).capitalize()
    return name.replace("_", " ").capitalize()


def _choice_label(name: str, value: Any, field: models.Field | None) -> str | None:
    if field is not None and field.choices:
        labels = {str(k): v for k, v in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if name in {"roles", "role"}:
        from acompana.core.choices import Role

        return str(dict(Role.choices).get(str(value), value))
    if name in VALUE_LABELS and str(value) in VALUE_LABELS[name]:
        return str(VALUE_LABELS[name][str(value)])
    return None


def _date_text(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def format_value(value: Any, *, name: str = "", model: type[models.Model] | None = None) -> str:
    """One value of before/after (or of a page) as people read it (see the module doc)."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    field = _model_field(model, name) if name else None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple | set):
        return ", ".join(format_value(v, name=name, model=model) for v in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(str(k), model=model)}: {format_value(v, name=str(k), model=model)}"
            for k, v in value.items()
        )
    choice = _choice_label(name, value, field)
    if choice is not None:
        return choice
    if isinstance(value, datetime.datetime | datetime.date):
        return _date_text(value)
    if isinstance(value, str):
        if _DATE.match(value):
            try:
                return _date_text(datetime.date.fromisoformat(value))
            except ValueError:
                return value
        if _DATETIME.match(value):
            try:
                return _date_text(datetime.datetime.fromisoformat(value))
            except ValueError:
                return value
    is_money = name in MONEY_FIELDS
    if isinstance(value, int | float | Decimal) or (
        is_money or isinstance(field, models.DecimalField | models.FloatField)
    ):
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return str(value)
        if is_money:
            return money_text(number)
        if number == number.to_integral_value():
            return formats.number_format(int(number), force_grouping=abs(number) >= 10000)
        return formats.number_format(number.normalize(), force_grouping=abs(number) >= 10000)
    return str(value)


def event_model(event: Any) -> type[models.Model] | None:
    content_type = getattr(event, "content_type", None)
    return content_type.model_class() if content_type is not None else None


def event_changes(event: Any) -> list[Change]:
    """Every field of the event's before/after, labelled and formatted, in their order;
    ``before`` is "" for a field the event has no previous value of (a creation)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    model = event_model(event)
    names = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [
        Change(
            name=name,
            label=field_label(name, model=model),
            before=format_value(before[name], name=name, model=model) if name in before else "",
            after=format_value(after.get(name), name=name, model=model),
        )
        for name in names
    ]


def object_label(event: Any) -> str:
    """What the event is about, as people read it: the object's name when it was recorded
    (a membership's is "person @ organization id": only the person is shown)."""
    text = event.object_repr or ""
    content_type = getattr(event, "content_type", None)
    if content_type is not None and content_type.model == "membership":
        text = text.split(" @ ")[0]
    return text


def event_value(event: Any, name: str) -> Any:
    """A raw value of the event's ``after`` (else ``before``); None when absent."""
    for data in (event.after, event.before):
        if isinstance(data, dict) and name in data:
            return data[name]
    return None
