"""The one filter definition of each registry list, used by the page, the API and the export.

A filter is a Django form over the query string (``?q=&department=41&kind=school``): the
page renders it, the export reads the same query string, and the API binds its query
parameters to the same form (``StakeholderFilterQuery`` only documents them in OpenAPI and
is checked against the form by a test). ``apply`` narrows an already scoped queryset.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from acompana.registry.choices import ActiveFilter, StakeholderKind
from acompana.registry.models import Department, Municipality, Person, Stakeholder
from acompana.registry.validators import normalize_search, only_digits


def department_choices() -> list[tuple[str, Any]]:
    return [("", _("All departments"))] + [(d.code, str(d)) for d in Department.objects.all()]


def municipality_choices(department_code: str | None, *, empty: Any) -> list[tuple[str, Any]]:
    queryset = Municipality.objects.order_by("name")
    if department_code:
        queryset = queryset.filter(department__code=department_code)
    else:
        queryset = queryset.select_related("department").order_by("department__name", "name")
    label = (lambda m: m.name.title()) if department_code else str
    return [("", empty)] + [(m.code, label(m)) for m in queryset]


class StakeholderFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, NIT, DANE or REPS code"),
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    # a code field (any DIVIPOLA municipality is valid); the select lists the department's
    municipality = forms.RegexField(
        label=_("Municipality"),
        required=False,
        regex=r"^\d{5}$",
        widget=forms.Select,
        error_messages={"invalid": _("The DANE code of a municipality has 5 digits.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *StakeholderKind.choices],
    )
    active = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Active and inactive")), *ActiveFilter.choices],
    )

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        department = (data or {}).get("department") or ""
        municipality = (data or {}).get("municipality") or ""
        if municipality and not department:
            department = (
                Municipality.objects.filter(code=municipality)
                .values_list("department__code", flat=True)
                .first()
                or ""
            )
        self.fields["department"].choices = department_choices()  # type: ignore[attr-defined]
        self.fields["municipality"].widget.choices = (  # type: ignore[attr-defined]
            municipality_choices(department, empty=_("All municipalities"))
            if department
            else [("", _("Choose a department first"))]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        department, municipality = data.get("department"), data.get("municipality")
        if department and municipality:
            # the department changed after a municipality of another one was chosen
            inside = Municipality.objects.filter(
                code=municipality, department__code=department
            ).exists()
            if not inside:
                data["municipality"] = ""
        return data

    def apply(self, queryset: QuerySet[Stakeholder]) -> QuerySet[Stakeholder]:
        """The stakeholders matching the (valid) form. Call ``is_valid()`` first."""
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(stakeholder_search_q(data["q"]))
        if data.get("department"):
            queryset = queryset.filter(department__code=data["department"])
        if data.get("municipality"):
            queryset = queryset.filter(municipality__code=data["municipality"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("active") == ActiveFilter.ACTIVE:
            queryset = queryset.filter(is_active=True)
        elif data.get("active") == ActiveFilter.INACTIVE:
            queryset = queryset.filter(is_active=False)
        return queryset

    def active_filters(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


def stakeholder_search_q(text: str) -> Q:
    """Accent-insensitive name search, or an identifier (NIT without check digit too)."""
    query = Q(search_name__contains=normalize_search(text))
    digits = only_digits(text)
    if digits and len(digits) >= 2:
        nit_body = digits.split("-")[0]
        query |= (
            Q(nit__startswith=nit_body)
            | Q(dane_code=digits)
            | Q(school_code__startswith=digits)
            | Q(reps_code__startswith=digits)
        )
    return query


class PersonFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Names, document number or e-mail"),
    )
    stakeholder = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def apply(self, queryset: QuerySet[Person]) -> QuerySet[Person]:
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"].strip()
            digits = only_digits(text)
            query = Q(search_name__contains=normalize_search(text)) | Q(email__iexact=text.lower())
            if digits:
                query |= Q(document_number__startswith=digits)
            if text.isalnum():
                query |= Q(document_number=text.upper())
            queryset = queryset.filter(query)
        if data.get("stakeholder"):
            queryset = queryset.filter(stakeholder_id=data["stakeholder"])
        return queryset

    def active_filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


def bind(form_class: type[forms.Form], params: Mapping[str, Any]) -> Any:
    """A bound, valid filter form, or ``ValidationError`` with the field errors (API: 400)."""
    data = {k: ("" if v is None else str(v)) for k, v in params.items()}
    form = form_class(data)
    if not form.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    return form


class StakeholderFilterQuery(Schema):
    """Query parameters of the API list (documentation; validation is the form above)."""

    q: str | None = None
    department: str | None = None
    municipality: str | None = None
    kind: str | None = None
    active: str | None = None


class PersonFilterQuery(Schema):
    q: str | None = None
    stakeholder: int | None = None
