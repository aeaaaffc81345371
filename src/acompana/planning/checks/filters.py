"""The one filter definition of the findings list, used by the page, the API and the export.

``FindingFilterForm`` is a Django form over the query string (``?severity=blocking&unit=4``);
``FindingFilterQuery`` documents the same names for the API (a test checks they match).

* ``status``: empty means the current findings (open and accepted); ``all`` includes fixed.
* ``unit``: findings of that unit, including those between several units whose lines
  include one of its lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from acompana.core.filters import query_schema
from acompana.core.models import Unit
from acompana.planning.checks.rules import RULES
from acompana.planning.choices import FindingSeverity, FindingStatus
from acompana.planning.models import Finding, PlanLine

ALL_STATUSES = "all"


class FindingFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Words of the message: a stakeholder, an activity..."),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("All severities")), *FindingSeverity.choices],
    )
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Current (open and accepted)")),
            *FindingStatus.choices,
            (ALL_STATUSES, _("All, fixed included")),
        ],
    )

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, organization_id: int, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.organization_id = organization_id
        self.fields["rule"].choices = [("", _("All rules"))] + [  # type: ignore[attr-defined]
            (rule.code, rule.label) for rule in RULES.values()
        ]
        self.fields["unit"].choices = [("", _("All units"))] + [  # type: ignore[attr-defined]
            (str(pk), name)
            for pk, name in Unit.objects.filter(organization_id=organization_id)
            .order_by("name")
            .values_list("id", "name")
        ]

    def active_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def apply(self, queryset: QuerySet[Finding]) -> QuerySet[Finding]:
        """Narrow an already scoped queryset (call after ``is_valid``)."""
        data = self.cleaned_data
        status = data.get("status") or ""
        if status == "":
            queryset = queryset.exclude(status=FindingStatus.FIXED)
        elif status != ALL_STATUSES:
            queryset = queryset.filter(status=status)
        if data.get("severity"):
            queryset = queryset.filter(severity=data["severity"])
        if data.get("rule"):
            queryset = queryset.filter(rule=data["rule"])
        if data.get("unit"):
            unit_lines = PlanLine.objects.filter(
                organization_id=self.organization_id, plan__unit_id=data["unit"]
            ).values("id")
            queryset = queryset.filter(
                Q(unit_id=data["unit"]) | Q(line_ids__overlap=ArraySubquery(unit_lines))
            )
        if data.get("q"):
            queryset = queryset.filter(message__icontains=data["q"].strip())
        return queryset


def bound_filter_form(params: Mapping[str, Any], *, organization_id: int) -> FindingFilterForm:
    """The form bound to query parameters; ``ValidationError`` (→ 400 in the API) if invalid."""
    form = FindingFilterForm(
        {k: v for k, v in params.items() if v is not None}, organization_id=organization_id
    )
    if not form.is_valid():
        raise ValidationError(
            {field: [str(e) for e in errors] for field, errors in form.errors.items()}
        )
    return form


FindingFilterQuery = query_schema(FindingFilterForm, name="FindingFilterQuery")
