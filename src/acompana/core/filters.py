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
        raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    return form
