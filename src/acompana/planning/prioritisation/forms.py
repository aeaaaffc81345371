"""Forms of indicators and prioritisation. They only parse input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from acompana.core.forms import VersionedForm
from acompana.core.models import FiscalYear
from acompana.planning.choices import (
    CriterionKind,
    IndicatorScale,
    IndicatorSource,
    MissingRule,
    Normalisation,
)
from acompana.planning.models import Indicator, PrioritisationCriterion
from acompana.planning.prioritisation.services import MAX_CRITERIA, CriterionInput
from acompana.registry.choices import StakeholderKind

__all__ = [
    "CriterionForm",
    "IndicatorForm",
    "PrioritisationModelForm",
    "PriorityListSaveForm",
    "criterion_formset",
]


class IndicatorForm(VersionedForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short and unique, used in the import files (e.g. FURAG-IDI)."),
    )
    name = forms.CharField(label=_("Name"), max_length=250)
    source = forms.ChoiceField(label=_("Source"), choices=IndicatorSource.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit_label = forms.CharField(
        label=_("Unit of measure"),
        max_length=40,
        required=False,
        help_text=_("For example: points, %, index 0–100."),
    )
    scale = forms.ChoiceField(
        label=_("Scale"),
        choices=IndicatorScale.choices,
        initial=IndicatorScale.ANY,
        help_text=_(
            "The values the indicator can take. An import with a value outside the scale "
            "is refused, with its line and the reason."
        ),
    )
    higher_is_better = forms.BooleanField(
        label=_("A higher value is better performance"),
        required=False,
        initial=True,
        help_text=_(
            "Checked: the stakeholders with the lowest values are the ones that need "
            "assistance most, and get the points when the indicator is a criterion."
        ),
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("indicator", "Active"),
        required=False,
        initial=True,
        help_text=_("Inactive indicators cannot receive values or be used in new criteria."),
    )

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class FiscalYearChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.year)


class PrioritisationModelForm(VersionedForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example «Priorización territorial 2026» or a scenario name."),
    )
    fiscal_year = FiscalYearChoiceField(
        label=_("Fiscal year"),
        queryset=FiscalYear.objects.none(),
        help_text=_(
            "The year being planned. It can be changed until a priority list is saved "
            "from the model."
        ),
    )
    normalisation = forms.ChoiceField(
        label=_("Normalisation"),
        choices=Normalisation.choices,
        help_text=_(
            "Min–max: 100 for the most priority, 0 for the least. Z-score: distance from "
            "the mean in population standard deviations (dividing by n)."
        ),
    )
    missing_rule = forms.ChoiceField(
        label=_("A stakeholder without a value"),
        choices=MissingRule.choices,
        help_text=_(
            "Worst value: it is ranked with the least priority on that criterion. Left "
            "out: it is not ranked; the page shows how many were left out."
        ),
    )
    reference_date = forms.DateField(
        label=_("Date of the model"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "The open requests are counted on this date. Empty: the day the ranking is "
            "computed or the list is saved."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the model is for and why these criteria and weights."),
    )
    stakeholder_kinds = forms.MultipleChoiceField(
        label=_("Kinds of stakeholder to score"),
        required=False,
        choices=StakeholderKind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("None ticked: every active stakeholder of the registry is scored."),
    )

    def __init__(
        self,
        *args: Any,
        fiscal_years: Any,
        editing: bool = False,
        draft: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["fiscal_year"]
        field.queryset = fiscal_years  # type: ignore[attr-defined]
        if editing and not draft:
            field.disabled = True
            field.required = False
            field.help_text = _(
                "A priority list was already saved from this model, so its fiscal year is fixed."
            )

    def rules(self) -> dict[str, Any]:
        """The model's rules, as the services take them."""
        return {
            "normalisation": self.cleaned_data["normalisation"],
            "missing_rule": self.cleaned_data["missing_rule"],
            "reference_date": self.cleaned_data.get("reference_date"),
        }


class CriterionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Criterion"),
        required=False,
        choices=[("", _("— none (remove) —")), *CriterionKind.choices],
    )
    indicator = forms.ModelChoiceField(
        label=_("Indicator"),
        required=False,
        queryset=Indicator.objects.none(),
        empty_label=_("— only for indicator criteria —"),
    )
    indicator_year = forms.IntegerField(
        label=_("Year of the values"), required=False, min_value=1900, max_value=2200
    )
    weight = forms.CharField(label=_("Weight"), required=False, max_length=12)
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[
            ("", _("Default of the criterion")),
            ("higher", _("A higher value gives more priority")),
            ("lower", _("A lower value gives more priority")),
        ],
    )
    label = forms.CharField(label=_("Label"), required=False, max_length=200)

    def __init__(self, *args: Any, indicators: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if indicators is not None:
            self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("kind") if hasattr(self, "cleaned_data") else "")

    def to_input(self) -> CriterionInput:
        data = self.cleaned_data
        direction = {"higher": True, "lower": False}.get(data.get("direction") or "")
        indicator = data.get("indicator")
        return CriterionInput(
            kind=data["kind"],
            weight=(data.get("weight") or "").strip(),
            indicator_id=indicator.pk if indicator is not None else None,
            indicator_year=data.get("indicator_year"),
            higher_raw_means_priority=direction,
            label=data.get("label") or "",
        )


BLANK_ROWS = 3

CriterionFormSet = forms.formset_factory(
    CriterionForm, extra=BLANK_ROWS, max_num=MAX_CRITERIA, validate_max=True
)


def criterion_initial(criteria: list[PrioritisationCriterion]) -> list[dict[str, Any]]:
    return [
        {
            "kind": c.kind,
            "indicator": c.indicator_id,
            "indicator_year": c.indicator_year,
            "weight": str(c.weight),
            "direction": "higher" if c.higher_raw_means_priority else "lower",
            "label": c.label,
        }
        for c in criteria
    ]


def criterion_formset(
    data: Any, *, indicators: Any, initial: list[dict[str, Any]] | None = None
) -> Any:
    if not initial and data is None:
        # a new model starts with the two criteria every procedure names (FP-1, DNP-1)
        initial = [
            {"kind": CriterionKind.NEEDS_COUNT, "weight": "1"},
            {"kind": CriterionKind.COURT_ACTIONS, "weight": "1"},
        ]
    return CriterionFormSet(
        data,
        initial=initial or [],
        prefix="criteria",
        form_kwargs={"indicators": indicators},
    )


class MultipleIntegerField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        result = []
        for item in value:
            try:
                result.append(int(item))
            except (TypeError, ValueError):
                raise forms.ValidationError(_("The selection is not valid. Reload the page."))
        return result


class PriorityListSaveForm(forms.Form):
    MODE_SELECTED = "selected"
    MODE_TOP = "top"

    name = forms.CharField(
        label=_("Name of the list"),
        required=False,
        max_length=200,
        help_text=_("Left empty: «Prioritised stakeholders <year> — <model>»."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Resources, installed capacity or other reasons for the selection."),
    )
    mode = forms.ChoiceField(
        label=_("Which stakeholders"),
        choices=[
            (MODE_SELECTED, _("The ones ticked in the table")),
            (MODE_TOP, _("The first N of the ranking, with the filters applied")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=MODE_TOP,
    )
    top = forms.IntegerField(label=_("N (how many)"), required=False, min_value=1)
    selected = MultipleIntegerField(required=False)
    #: the query string of the ranking's filters when the form was sent (for «top N»)
    filters = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == self.MODE_TOP and not data.get("top"):
            self.add_error("top", _("Write how many stakeholders to take from the top."))
        if data.get("mode") == self.MODE_SELECTED and not data.get("selected"):
            self.add_error(None, _("Tick at least one stakeholder in the table."))
        return data
