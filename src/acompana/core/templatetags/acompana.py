"""Template helpers shared by every app."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

_SELECTS = {"select", "selectmultiple", "nullbooleanselect"}


@register.filter
def bootstrap_widget(field: BoundField) -> SafeString:
    """Render a widget with Bootstrap classes, the invalid state and its help/error id."""
    widget_type = field.widget_type
    css = "form-select" if widget_type in _SELECTS else "form-control"
    if widget_type in {"checkbox", "radioselect", "checkboxselectmultiple"}:
        css = "form-check-input"
    if widget_type == "clearablefile" or widget_type == "file":
        css = "form-control"
    attrs: dict[str, Any] = {"class": css + (" is-invalid" if field.errors else "")}
    if field.errors or field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def compact_number(value: Any, places: int = 4) -> str:
    """A number with at most ``places`` decimals and no trailing zeros, in the active
    locale's format (es-CO: 55,9 · 68,499 · 41)."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    from django.utils.formats import number_format

    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).quantize(
            Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP
        )
    except (InvalidOperation, ValueError):
        return str(value)
    normalized = number.normalize()
    decimals = max(0, -normalized.as_tuple().exponent)  # type: ignore[operator]
    return str(number_format(normalized, decimal_pos=decimals))


# --- events as people read them (core.events_display) ----------------------------------------


@register.filter
def event_label(value: Any) -> str:
    """The Spanish label of an event (or of a step key): never the key itself."""
    from acompana.core.events_display import key_label

    return key_label(getattr(value, "step_key", value) or "")


@register.filter
def event_actor(event: Any) -> str:
    """Who did it: a name, or "Sistema Acompaña"."""
    from acompana.core.events_display import actor_label

    return actor_label(event)


@register.filter
def event_changes(event: Any) -> list[Any]:
    """The event's before/after as ``Change(label, before, after)`` rows, formatted."""
    from acompana.core.events_display import event_changes as changes

    return changes(event)


@register.filter
def display_value(value: Any, name: str = "") -> str:
    """A value as people read it: dd/mm/aaaa, $ 1.234.567, Sí/No, "—" when empty."""
    from acompana.core.events_display import format_value

    return format_value(value, name=name)


@register.filter
def event_object(event: Any) -> str:
    """What the event is about (``core.events_display.object_label``)."""
    from acompana.core.events_display import object_label

    return object_label(event)


@register.simple_tag(takes_context=True)
def step_ids(context: template.Context, *step_keys: str) -> str:
    """``EDU-4, EDU-5``: the active organization's own steps that ``step_keys`` complete.

    Help texts cite step ids, but only the reader's procedure's (DESIGN section 9): an
    education secretariat must not read "FP-2". Empty when no step of its profile maps the
    keys (or nobody is signed in), so the sentence reads well without a reference.
    """
    from acompana.core.procedures.profiles import get_profile

    request = context.get("request")
    organization = getattr(request, "organization", None) if request is not None else None
    if not organization:
        return ""
    profile = get_profile(organization)
    ids: list[str] = []
    for key in step_keys:
        for step in profile.steps_for_key(key):
            if step.id not in ids:
                ids.append(step.id)
    return ", ".join(ids)


@register.simple_tag(takes_context=True)
def step_ref(context: template.Context, *step_keys: str) -> str:
    """`` (EDU-4, EDU-5)`` to close a sentence, or nothing (see ``step_ids``)."""
    ids = step_ids(context, *step_keys)
    return f" ({ids})" if ids else ""
