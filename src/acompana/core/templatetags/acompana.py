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
