"""The one filter definition of the plan list, used by the page and the API.

A Django form over the query string (``?q=&fiscal_year=3&unit=5&status=submitted``): the
page binds ``request.GET`` (an invalid filter shows no plans and the form's error), the API
binds its query parameters with ``acompana.core.filters.bind`` (an invalid filter is a 400
with the same message). ``PlanFilterQuery`` only documents the API's parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from acompana.core.filters import query_schema
from acompana.core.models import FiscalYear, Unit
from acompana.planning.choices import PlanStatus
from acompana.planning.models import Plan


class PlanFilterForm(forms.Form):
    """The filter of the plan list; its year and unit choices are the user's organization's."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"), required=False, coerce=int, empty_value=None
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *PlanStatus.choices]
    )

    def __init__(self, data: Mapping[str, Any] | None = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        years = FiscalYear.objects.for_user(user).order_by("-year")
        units = Unit.objects.for_user(user).order_by("name")
        self.fields["fiscal_year"].choices = [("", _("All years"))] + [  # type: ignore[attr-defined]
            (str(y.pk), str(y.year)) for y in years
        ]
        self.fields["unit"].choices = [("", _("All units"))] + [  # type: ignore[attr-defined]
            (str(u.pk), u.name) for u in units
        ]

    def apply(self, queryset: QuerySet[Plan]) -> QuerySet[Plan]:
        """The plans matching the (valid) form. Call ``is_valid()`` first."""
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(
                Q(title__icontains=data["q"]) | Q(unit__name__icontains=data["q"])
            )
        if data.get("fiscal_year"):
            queryset = queryset.filter(fiscal_year_id=data["fiscal_year"])
        if data.get("unit"):
            queryset = queryset.filter(unit_id=data["unit"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset

    def is_filtered(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())


PlanFilterQuery = query_schema(PlanFilterForm, name="PlanFilterQuery")
