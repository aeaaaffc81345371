"""Filters of generated documents (PDF): es-CO money and dates whatever the active locale.

``{% load documents %}`` then ``{{ plan.budget|money }}`` → ``$ 1.234.567`` and
``{{ decision.date|dmy }}`` → ``02/12/2026`` (a moment adds the local time).
"""

from __future__ import annotations

from typing import Any

from django import template

from acompana.core.documents import date_text, money_text

register = template.Library()


@register.filter
def money(value: Any, decimals: int = 0) -> str:
    return money_text(value, decimals=int(decimals))


@register.filter
def dmy(value: Any) -> str:
    return date_text(value)
