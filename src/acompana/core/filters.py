"""List filters: one Django form per list over the query string, shared by page, API, export.

Each list defines its filter form once in its app's ``filters.py`` (``apply(queryset)``
narrows an already scoped queryset). The page binds ``request.GET``; the export reads the
same query string; the API binds its query parameters with ``bind`` (a bad value is a 400
with the field's message, the same text the page shows).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def bind(form_class: type[forms.Form], params: Mapping[str, Any], **kwargs: Any) -> Any:
    """A bound, valid filter form, or ``ValidationError`` with the field errors (API: 400).

    ``params`` are the API's query parameters (``None`` for absent ones); ``kwargs`` go to
    the form (``organization_id=`` for forms whose choices depend on the organization).
    """
    data = {k: ("" if v is None else str(v)) for k, v in params.items()}
    form = form_class(data, **kwargs)
    if not form.is_valid():
        errors = {k: [str(e) for e in v] for k, v in form.errors.items()}
        unknown_reference = all(
            name in form.fields
            and _dynamic_choice(form_class.base_fields.get(name, form.fields[name]))
            and all(e.code == "invalid_choice" for e in form.errors.as_data()[name])
            for name in form.errors
        )
        if unknown_reference:
            raise FilterReferenceNotFound(errors)
        raise ValidationError(errors)
    return form


class FilterReferenceNotFound(ValidationError):
    """A filter names an object that does not exist in the user's organization (a unit,
    a topic, a fiscal year, a department...): the API answers 404, as for the object itself.

    The value is well formed (the OpenAPI describes it) but its choices are the
    organization's data, which no static description can list.
    """


#: Text that a query parameter may carry: anything but NUL (refused by Django's forms).
TEXT_PATTERN = r"^[^\x00]*$"


def _choice_values(field: forms.Field) -> list[Any]:
    """The values of a choice field as its class declares them (no empty choice)."""
    choices: Any = getattr(field, "choices", ())
    return [value for value, _label in choices if value != ""]


def _dynamic_choice(field: forms.Field) -> bool:
    """Whether the field's choices are set per organization (empty in the class)."""
    return isinstance(field, forms.ChoiceField) and not _choice_values(field)


def _annotation(field: forms.Field) -> tuple[Any, Any]:
    """(type, pydantic ``Field``) of one filter field in the API's query schema."""
    from typing import Literal

    from pydantic import Field

    description = None  # labels are lazy translations: not read at import time
    if isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        values: list[Any] = [int(v) for v in _choice_values(field)]
        if values:
            return Literal[tuple(values)] | None, Field(None, description=description)  # type: ignore[valid-type]
        return int | None, Field(None, ge=1, description=description)
    if isinstance(field, forms.ChoiceField):
        values = [str(v) for v in _choice_values(field)]
        if values:
            return Literal[tuple(values)] | None, Field(None, description=description)  # type: ignore[valid-type]
        return str | None, Field(
            None, pattern=TEXT_PATTERN, max_length=100, description=description
        )
    if isinstance(field, forms.IntegerField):
        low = field.min_value if field.min_value is not None else 1
        return int | None, Field(None, ge=low, le=field.max_value, description=description)
    if isinstance(field, forms.BooleanField):
        return bool | None, Field(None, description=description)
    if isinstance(field, forms.RegexField):
        return str | None, Field(None, pattern=field.regex.pattern, description=description)
    max_length = getattr(field, "max_length", None)
    return str | None, Field(
        None, pattern=TEXT_PATTERN, max_length=max_length, description=description
    )


def query_schema(form_class: type[forms.Form], *, name: str, exclude: tuple[str, ...] = ()) -> Any:
    """The API's query-parameter schema of a list, read from its filter form.

    The OpenAPI then tells the truth (issue 11): the allowed values of a choice, the
    minimum of an id, the length and pattern of a text, as the form validates them; a
    request the description allows is not refused. Choices that are the organization's
    data (units, years, departments) are described by type; an unknown one is a 404
    (``FilterReferenceNotFound``).
    """
    from ninja import Schema
    from pydantic import create_model

    fields = {
        field_name: _annotation(field)
        for field_name, field in form_class.base_fields.items()
        if field_name not in exclude
    }
    return create_model(name, __base__=Schema, __doc__=form_class.__doc__, **fields)  # type: ignore[call-overload]
