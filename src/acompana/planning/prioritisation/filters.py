"""The one filter definition of each prioritisation list, used by the page, the API and the export.

Same pattern as ``registry.filters``: a Django form over the query string; the API binds
its query parameters to the same form (``registry.filters.bind``), and the ``*Query``
schemas only document them in OpenAPI. The ranking filter reuses the registry's stakeholder
filter (department, municipality, kind, search) so a stakeholder is found the same way
everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from acompana.core.filters import query_schema
from acompana.planning.choices import IndicatorSource
from acompana.planning.models import Indicator, IndicatorValue
from acompana.registry.filters import StakeholderFilterForm, stakeholder_search_q
from acompana.registry.models import Stakeholder


class IndicatorFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    source = forms.ChoiceField(
        label=_("Source"),
        required=False,
        choices=[("", _("All sources")), *IndicatorSource.choices],
    )
    active = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Active and inactive")),
            ("yes", pgettext_lazy("indicator", "Active")),
            ("no", pgettext_lazy("indicator", "Inactive")),
        ],
    )

    def apply(self, queryset: QuerySet[Indicator]) -> QuerySet[Indicator]:
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"].strip()
            queryset = queryset.filter(Q(code__icontains=text) | Q(name__icontains=text))
        if data.get("source"):
            queryset = queryset.filter(source=data["source"])
        if data.get("active") == "yes":
            queryset = queryset.filter(is_active=True)
        elif data.get("active") == "no":
            queryset = queryset.filter(is_active=False)
        return queryset

    def active_filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class IndicatorValueFilterForm(forms.Form):
    """Values of indicators: by indicator, year and stakeholder (search or id)."""

    indicator = forms.IntegerField(label=_("Indicator"), required=False, min_value=1)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2200)
    q = forms.CharField(
        label=_("Stakeholder"),
        required=False,
        max_length=100,
        help_text=_("Name, NIT, DANE or REPS code"),
    )
    stakeholder = forms.IntegerField(label=_("Stakeholder"), required=False, min_value=1)

    def apply(self, queryset: QuerySet[IndicatorValue]) -> QuerySet[IndicatorValue]:
        data = self.cleaned_data
        if data.get("indicator"):
            queryset = queryset.filter(indicator_id=data["indicator"])
        if data.get("year"):
            queryset = queryset.filter(year=data["year"])
        if data.get("stakeholder"):
            queryset = queryset.filter(stakeholder_id=data["stakeholder"])
        if data.get("q"):
            matching = Stakeholder.objects.filter(stakeholder_search_q(data["q"])).values("pk")
            queryset = queryset.filter(stakeholder_id__in=matching)
        return queryset

    def active_filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


#: sort keys of the ranking (``crit<position>`` sorts by the points of one criterion)
RANKING_SORTS = ("rank", "-rank", "name", "-name", "municipality", "-municipality")
PER_PAGE_CHOICES = (50, 100, 250, 500)


class RankingFilterForm(StakeholderFilterForm):
    """The registry's stakeholder filter (without the state: only active ones are scored),
    plus the order and the page size of the ranking."""

    sort = forms.CharField(label=_("Order"), required=False, max_length=20)
    per_page = forms.TypedChoiceField(
        label=_("Rows per page"),
        required=False,
        coerce=int,
        empty_value=PER_PAGE_CHOICES[0],  # type: ignore[arg-type]
        choices=[(str(n), str(n)) for n in PER_PAGE_CHOICES],
    )

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        del self.fields["active"]

    def clean_sort(self) -> str:
        value = (self.cleaned_data.get("sort") or "rank").strip()
        bare = value.removeprefix("-")
        if value in RANKING_SORTS or (bare.startswith("crit") and bare[4:].isdigit()):
            return value
        return "rank"

    def stakeholder_filters(self) -> dict[str, Any]:
        """The filters that narrow the stakeholders (not the order or page size)."""
        if not self.is_bound or not self.is_valid():
            return {}
        keys = ("q", "department", "municipality", "kind")
        return {k: self.cleaned_data[k] for k in keys if self.cleaned_data.get(k)}


IndicatorFilterQuery = query_schema(IndicatorFilterForm, name="IndicatorFilterQuery")
IndicatorValueFilterQuery = query_schema(IndicatorValueFilterForm, name="IndicatorValueFilterQuery")
RankingFilterQuery = query_schema(
    RankingFilterForm, name="RankingFilterQuery", exclude=("per_page",)
)
