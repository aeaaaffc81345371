"""The one filter definition of the services list, used by the page, the API and the export.

A Django form over the query string (``?q=&unit=3&active=1``): the page and the export
bind ``request.GET`` and ignore a malformed value (the other filters still apply); the API
binds its query parameters with ``acompana.core.filters.bind`` (a malformed value is a 400
with the field's message). ``apply`` narrows an already scoped queryset.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from acompana.catalog.choices import ActiveFilter, ServiceOrigin
from acompana.catalog.models import Service, ServiceMechanism, ServiceModality, ServiceTopic

#: longest search text kept (longer text is cut, not refused)
SEARCH_MAX_LENGTH = 200


class ServiceFilterForm(forms.Form):
    """Filters of the services list; only active services unless ``active`` says otherwise."""

    q = forms.CharField(label=_("Search"), required=False, strip=True)
    unit = forms.IntegerField(label=_("Unit"), required=False)
    service_type = forms.IntegerField(label=_("Service type"), required=False)
    topic = forms.IntegerField(label=_("Topic"), required=False)
    mechanism = forms.IntegerField(label=_("Mechanism"), required=False)
    modality = forms.IntegerField(label=_("Modality"), required=False)
    origin = forms.ChoiceField(
        label=_("Origin"), required=False, choices=[("", _("All")), *ServiceOrigin.choices]
    )
    active = forms.ChoiceField(label=_("State"), required=False, choices=ActiveFilter.choices)

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "")[:SEARCH_MAX_LENGTH]

    def clean_active(self) -> str:
        return str(self.cleaned_data.get("active") or ActiveFilter.ACTIVE)

    def values(self) -> dict[str, Any]:
        """Every filter's value: the valid ones given, the defaults for the rest."""
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the valid fields only
        cleaned = getattr(self, "cleaned_data", {})
        values: dict[str, Any] = dict.fromkeys(self.fields)
        values.update(q="", origin="", active=ActiveFilter.ACTIVE)
        values.update({k: v for k, v in cleaned.items() if v not in (None, "")})
        return values

    def as_query(self) -> dict[str, str]:
        """Non-empty filters as query-string parameters (for links and the export)."""
        return {k: str(v) for k, v in self.values().items() if v not in (None, "")}

    def is_filtered(self) -> bool:
        return self.as_query() != {"active": ActiveFilter.ACTIVE}

    def apply(self, qs: QuerySet[Service]) -> QuerySet[Service]:
        """The services matching the filters (a malformed one is left out)."""
        v = self.values()
        if v["q"]:
            qs = qs.filter(
                Q(name__icontains=v["q"])
                | Q(description__icontains=v["q"])
                | Q(code__iexact=v["q"])
            )
        if v["unit"]:
            qs = qs.filter(unit_id=v["unit"])
        if v["service_type"]:
            qs = qs.filter(service_type_id=v["service_type"])
        # a sub-topic's services count for its parent topic too
        if v["topic"]:
            topic_links = ServiceTopic.objects.filter(
                Q(topic_id=v["topic"]) | Q(topic__parent_id=v["topic"])
            )
            qs = qs.filter(pk__in=topic_links.values("service_id"))
        if v["mechanism"]:
            links = ServiceMechanism.objects.filter(mechanism_id=v["mechanism"])
            qs = qs.filter(pk__in=links.values("service_id"))
        if v["modality"]:
            links_m = ServiceModality.objects.filter(modality_id=v["modality"])
            qs = qs.filter(pk__in=links_m.values("service_id"))
        if v["origin"]:
            # a service offered "both" ways answers both an offer and a demand
            qs = qs.filter(origin__in=[v["origin"], ServiceOrigin.BOTH])
        if v["active"] == ActiveFilter.ACTIVE:
            qs = qs.filter(is_active=True)
        elif v["active"] == ActiveFilter.INACTIVE:
            qs = qs.filter(is_active=False)
        return qs
