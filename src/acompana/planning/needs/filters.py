"""The one filter definition of the needs list, used by the page, the API and the export.

``NeedFilterForm`` is a Django form over the query string (``?q=&status=to_triage&topic=4``):
the page renders it, the export reads the same query string and the API binds its query
parameters to the same form (``NeedFilterQuery`` only documents them in OpenAPI; a test
checks both have the same names). ``apply`` narrows an already scoped queryset.

Stakeholder, department and municipality filter on the grupos de valor the need is about
(``EXISTS`` over the link table, so a need with several stakeholders appears once).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from acompana.catalog.models import Topic
from acompana.core.filters import query_schema
from acompana.core.models import FiscalYear, Unit
from acompana.core.validators import normalize_search
from acompana.geo.forms import PlaceFilterForm
from acompana.planning.choices import NeedOrigin, NeedSource, NeedStatus, Priority
from acompana.planning.models import Need, NeedStakeholder


def _all(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class NeedFilterForm(PlaceFilterForm):
    department_label = _("Department of the stakeholder")
    municipality_label = _("Municipality of the stakeholder")
    field_order = [
        "q",
        "status",
        "origin",
        "source",
        "priority",
        "topic",
        "unit",
        "fiscal_year",
        "stakeholder",
        "department",
        "municipality",
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Title, description, stakeholder or reference"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all(_("All statuses")) + NeedStatus.choices
    )
    origin = forms.ChoiceField(
        label=_("Origin"), required=False, choices=_all(_("All origins")) + NeedOrigin.choices
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=_all(_("All sources")) + NeedSource.choices
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=_all(_("All priorities")) + Priority.choices,
    )
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(
        label=_("Responsible unit"), required=False, coerce=int, empty_value=None
    )
    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"), required=False, coerce=int, empty_value=None
    )
    stakeholder = forms.IntegerField(label=_("Stakeholder"), required=False, min_value=1)

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, organization_id: int, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        topics = Topic.objects.filter(organization_id=organization_id).order_by(
            "sort_order", "name"
        )
        units = Unit.objects.filter(organization_id=organization_id).order_by("name")
        years = FiscalYear.objects.filter(organization_id=organization_id).order_by("-year")
        self.fields["topic"].choices = _all(_("All topics")) + [  # type: ignore[attr-defined]
            (t.pk, t.name) for t in topics.only("id", "name")
        ]
        self.fields["unit"].choices = _all(_("All units")) + [  # type: ignore[attr-defined]
            (u.pk, u.name) for u in units.only("id", "name")
        ]
        self.fields["fiscal_year"].choices = _all(_("All years")) + [  # type: ignore[attr-defined]
            (y, str(y)) for y in years.values_list("year", flat=True)
        ]

    def apply(self, queryset: QuerySet[Need]) -> QuerySet[Need]:
        """The needs matching the (valid) form. Call ``is_valid()`` first."""
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(need_search_q(data["q"]))
        for name in ("status", "origin", "source", "priority"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("topic"):
            queryset = queryset.filter(topic_id=data["topic"])
        if data.get("unit"):
            queryset = queryset.filter(unit_id=data["unit"])
        if data.get("fiscal_year"):
            queryset = queryset.filter(fiscal_year__year=data["fiscal_year"])
        links = NeedStakeholder.objects.filter(need=OuterRef("pk"))
        if data.get("stakeholder"):
            queryset = queryset.filter(Exists(links.filter(stakeholder_id=data["stakeholder"])))
        if data.get("municipality"):
            queryset = queryset.filter(
                Exists(links.filter(stakeholder__municipality__code=data["municipality"]))
            )
        elif data.get("department"):
            queryset = queryset.filter(
                Exists(links.filter(stakeholder__department__code=data["department"]))
            )
        return queryset

    def active_filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


def need_search_q(text: str) -> Q:
    """Title or description (case-insensitive), a stakeholder's name (accent-insensitive)
    or the reference of a public request."""
    text = text.strip()
    stakeholder_match = NeedStakeholder.objects.filter(
        need=OuterRef("pk"), stakeholder__search_name__contains=normalize_search(text)
    )
    return (
        Q(title__icontains=text)
        | Q(description__icontains=text)
        | Q(reference__iexact=text)
        | Q(Exists(stakeholder_match))
    )


NeedFilterQuery = query_schema(NeedFilterForm, name="NeedFilterQuery")
