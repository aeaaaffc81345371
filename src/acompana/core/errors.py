"""Errors raised by services. Views turn them into form errors; the API into its JSON shape."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class StaleObjectError(ValidationError):
    """Someone else changed the object since the form was opened: the edit is refused."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "Someone else changed this record while you were editing it. Reload the page "
                "to see the changes and try again."
            ),
            code="stale",
        )


class TransitionError(ValidationError):
    """A workflow transition was asked from a state that does not allow it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="transition")
