"""The one filter definition of each registry list, used by the page, the API and the export.

A filter is a Django form over the query string (``?q=&department=41&kind=school``): the
page renders it, the export reads the same query string, and the API binds its query
parameters to the same form (``StakeholderFilterQuery`` only documents them in OpenAPI and
is checked against the form by a test). ``apply`` narrows an already scoped queryset.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from acompana.core.filters import query_schema
from acompana.core.validators import normalize_search, only_digits
from acompana.geo.forms import PlaceFilterForm
from acompana.registry.choices import ActiveFilter, StakeholderKind
from acompana.registry.models import Person, Stakeholder


class StakeholderFilterForm(PlaceFilterForm):
    field_order = ["q", "department", "municipality", "kind", "active"]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, NIT, DANE or REPS code"),
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


StakeholderFilterQuery = query_schema(StakeholderFilterForm, name="StakeholderFilterQuery")
PersonFilterQuery = query_schema(PersonFilterForm, name="PersonFilterQuery")
