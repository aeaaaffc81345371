"""Errors raised by services. Views turn them into form errors; the API into its JSON shape.

Both refusals of a conditional update are 409 for the API (DESIGN section 9) and are told
apart: ``StaleObjectError`` (someone changed the object since it was opened) and
``TransitionError`` (the object's state does not allow the step). ``last_change`` names who
changed the object last and when («Last change: Ana Pérez, 02/12/2026 10:15.»), read by
``core.concurrency`` from the object's latest event.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _with(message: str, last_change: str) -> str:
    return f"{message} {last_change}" if last_change else message


class StaleObjectError(ValidationError):
    """Someone else changed the object since the form was opened: the edit is refused."""

    def __init__(self, message: str | None = None, *, last_change: str = "") -> None:
        super().__init__(
            _with(
                message
                or _(
                    "Someone else changed this record while you were editing it. Reload the "
                    "page to see the changes and try again."
                ),
                last_change,
            ),
            code="stale",
        )


class TransitionError(ValidationError):
    """A workflow transition was asked from a state that does not allow it."""

    def __init__(self, message: str, *, last_change: str = "") -> None:
        super().__init__(_with(message, last_change), code="transition")
