"""Department and municipality choices, and the one department → municipality list filter.

Every list that filters by place (stakeholders, needs, and the lists of later stages)
subclasses ``PlaceFilterForm``: a department select, and a municipality select listing that
department's municipalities (filled by ``registry:municipality_options`` over htmx when the
department changes). The municipality is a DANE code field (any DIVIPOLA code is valid, so
a bookmarked URL with only ``?municipality=41001`` works and selects its department).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from acompana.geo import selectors


def department_choices() -> list[tuple[str, Any]]:
    return [("", _("All departments"))] + [(d.code, str(d)) for d in selectors.departments()]


def municipality_choices(department_code: str | None, *, empty: Any) -> list[tuple[str, Any]]:
    queryset = selectors.municipalities(department_code=department_code)
    label = (lambda m: m.name.title()) if department_code else str
    return [("", empty)] + [(m.code, label(m)) for m in queryset]


class PlaceFilterForm(forms.Form):
    """``department`` and ``municipality`` filter fields; subclasses narrow by them in ``apply``
    (``cleaned_data["municipality"]`` first, else ``cleaned_data["department"]``)."""

    department_label: Any = _("Department")
    municipality_label: Any = _("Municipality")

    department = forms.ChoiceField(label=_("Department"), required=False)
    municipality = forms.RegexField(
        label=_("Municipality"),
        required=False,
        regex=r"^\d{5}$",
        widget=forms.Select,
        error_messages={"invalid": _("The DANE code of a municipality has 5 digits.")},
    )

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["department"].label = self.department_label
        self.fields["municipality"].label = self.municipality_label
        department = (data or {}).get("department") or ""
        municipality = (data or {}).get("municipality") or ""
        if municipality and not department:
            department = selectors.department_code_of(municipality)
        self.fields["department"].choices = department_choices()  # type: ignore[attr-defined]
        self.fields["municipality"].widget.choices = (  # type: ignore[attr-defined]
            municipality_choices(department, empty=_("All municipalities"))
            if department
            else [("", _("Choose a department first"))]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        department, municipality = data.get("department"), data.get("municipality")
        if (
            department
            and municipality
            and not selectors.municipality_in_department(municipality, department)
        ):
            data["municipality"] = ""  # the department changed after choosing a municipality
        return data
