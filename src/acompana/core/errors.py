"""Errors raised by services. Views turn them into form errors; the API into its JSON shape."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class StaleObjectError(ValidationError):
    """Someone else changed the object since the form was opened: the edit is refused."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Otra persona modificó este registro mientras usted lo editaba. "
            "Recargue la página para ver los cambios y vuelva a intentarlo.",
            code="stale",
        )


class TransitionError(ValidationError):
    """A workflow transition was asked from a state that does not allow it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="transition")
