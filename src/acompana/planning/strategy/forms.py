"""Forms of the strategy pages. They parse input only; the services validate the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from acompana.catalog.models import Modality, Service
from acompana.core.models import FiscalYear
from acompana.core.selectors import year_being_planned
from acompana.planning.choices import DecisionOutcome
from acompana.planning.models import StrategyProposal


class VersionForm(forms.Form):
    """A workflow button: carries the version the user saw (a stale click is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StrategyOpenForm(forms.Form):
    fiscal_year = forms.ModelChoiceField(
        label=_("Fiscal year"), queryset=FiscalYear.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=250,
        required=False,
        help_text=_("Empty: «Integral technical assistance strategy» and the year."),
    )

    def __init__(self, *args: Any, years: QuerySet[FiscalYear], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].queryset = years  # type: ignore[attr-defined]
        planned = year_being_planned(years)
        if planned is not None:
            self.fields["fiscal_year"].initial = planned.pk


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Service) -> str:  # type: ignore[override]
        label = f"{obj.name} ({obj.service_type.name})"
        if not obj.is_active:
            label += " — " + str(_("no longer offered"))
        return label


class ProposalForm(forms.Form):
    """FP-2: a unit's proposal. Services are limited to the unit's own services."""

    services = ServiceChoiceField(
        label=_("Services of the unit"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The unit's services in the catalogue. Each has its milestones (hitos)."),
    )
    resources = forms.DecimalField(
        label=_("Resources (COP)"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        initial=0,
        help_text=_("Budget the unit needs for the assistance of the year, in pesos."),
    )
    modality = forms.ModelChoiceField(
        label=_("Modality (space)"),
        queryset=Modality.objects.none(),
        required=False,
        empty_label=_("— choose —"),
    )
    people = forms.CharField(
        label=_("People and teams"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Talent needed: teams, profiles, territorial managers."),
    )
    alliances = forms.CharField(
        label=_("Alliances"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Strategic alliances with other entities present in the territory."),
    )
    milestones = forms.CharField(
        label=_("Milestones and guidelines"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Stages and dates of execution; the services' milestones are listed aside."),
    )
    joint = forms.BooleanField(label=_("Joint with other units"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args: Any,
        services: QuerySet[Service],
        modalities: QuerySet[Modality],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services  # type: ignore[attr-defined]
        self.fields["modality"].queryset = modalities  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(proposal: StrategyProposal) -> dict[str, Any]:
        return {
            "services": [s.pk for s in proposal.services.all()],
            "resources": proposal.resources,
            "modality": proposal.modality_id,
            "people": proposal.people,
            "alliances": proposal.alliances,
            "milestones": proposal.milestones,
            "joint": proposal.joint,
            "version": proposal.version,
        }


class CommentsForm(forms.Form):
    comments = forms.CharField(
        label=_("What the unit must adjust"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ExcludeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the unit is left out"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsolidateForm(forms.Form):
    notes = forms.CharField(
        label=_("Consolidation notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Financing and fit with the institutional goals."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DecisionForm(forms.Form):
    """FP-4: the acta of the Comité Directivo's session on the strategy."""

    acta_number = forms.CharField(label=_("Acta number"), max_length=40)
    date = forms.DateField(
        label=_("Session date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    attendees = forms.CharField(
        label=_("Attendees"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One a line: name and position. Prefilled with the committee members."),
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("", _("— choose —")), *DecisionOutcome.choices]
    )
    comments = forms.CharField(
        label=_("Committee comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the strategy is returned: the units adjust with them."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args: Any, proposals: list[StrategyProposal] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.proposal_fields: list[str] = []
        for proposal in proposals or []:
            name = f"comment_{proposal.pk}"
            self.fields[name] = forms.CharField(
                label=_("Comment for %(unit)s") % {"unit": proposal.unit},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.proposal_fields.append(name)

    def proposal_comments(self) -> dict[int, str]:
        return {
            int(name.removeprefix("comment_")): self.cleaned_data.get(name) or ""
            for name in self.proposal_fields
        }
