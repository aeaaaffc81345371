"""Forms of the plans area. They parse input; the rules live in ``validation.clean_line``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from acompana.catalog.choices import CatalogKind
from acompana.catalog.models import Mechanism, Modality, Service, ServiceType, Topic
from acompana.catalog.selectors import value_choices
from acompana.core.forms import VersionedForm
from acompana.core.models import FiscalYear, Unit, User
from acompana.core.scoping import active_membership
from acompana.core.selectors import year_being_planned
from acompana.geo.forms import department_choices
from acompana.geo.models import Municipality
from acompana.planning.choices import DecisionOutcome
from acompana.planning.models import Need, Plan, PlanLine
from acompana.planning.plans import selectors
from acompana.planning.plans.validation import MONTH_ABBREVIATIONS, LineInput, parse_budget
from acompana.registry.models import Stakeholder

LEGAL_OBLIGATION_CHOICES = [
    ("", _("Not stated")),
    ("yes", _("Yes, a norm obliges it")),
    ("no", _("No")),
]
MONTH_CHOICES = [(str(n), MONTH_ABBREVIATIONS[n - 1].capitalize()) for n in range(1, 13)]


class PlanCreateForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    fiscal_year = forms.ModelChoiceField(label=_("Fiscal year"), queryset=FiscalYear.objects.none())
    title = forms.CharField(
        label=_("Title"),
        max_length=250,
        required=False,
        help_text=_("Left empty: the name of the official format, the unit and the year."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.writable_units(user=user)  # type: ignore[attr-defined]
        years = selectors.fiscal_years_for_user(user=user)
        self.fields["fiscal_year"].queryset = years  # type: ignore[attr-defined]
        planned = year_being_planned(years)
        if planned is not None:
            self.fields["fiscal_year"].initial = planned.pk
        membership = active_membership(user)
        if membership is not None and membership.unit_id:
            self.fields["unit"].initial = membership.unit_id


class PlanTitleForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=250)


class PlanLineForm(forms.Form):
    """One line of the grid (add or edit inline). ``version`` only when editing."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    activity = forms.CharField(label=_("Activity / project"), max_length=500)
    objective = forms.CharField(
        label=_("Objective"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    programme = forms.CharField(
        label=_("Development plan programme"), max_length=300, required=False
    )
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs"), queryset=Need.objects.none(), required=False
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False
    )
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    service_type = forms.ModelChoiceField(
        label=_("Service type"), queryset=ServiceType.objects.none(), required=False
    )
    mechanism = forms.ModelChoiceField(
        label=_("Mechanism"), queryset=Mechanism.objects.none(), required=False
    )
    modality = forms.ModelChoiceField(
        label=_("Modality"), queryset=Modality.objects.none(), required=False
    )
    months = forms.TypedMultipleChoiceField(
        label=_("Planned months"),
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label=_("Place"), max_length=250, required=False)
    department_code = forms.ChoiceField(label=_("Department"), required=False)
    municipality = forms.RegexField(
        label=_("Municipality"),
        regex=r"^\d{5}$",
        required=False,
        widget=forms.Select,
        error_messages={"invalid": _("The DANE code of a municipality has 5 digits.")},
    )
    stakeholders = forms.ModelMultipleChoiceField(
        label=_("Stakeholders served"), queryset=Stakeholder.objects.none(), required=False
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False
    )
    responsible_team = forms.CharField(label=_("Responsible team"), max_length=300, required=False)
    budget = forms.CharField(
        label=_("Budget (COP)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    needs_contract = forms.BooleanField(label=_("Contracting"), required=False)
    needs_travel = forms.BooleanField(label=_("Travel allowance"), required=False)
    needs_logistics = forms.BooleanField(label=_("Logistics"), required=False)
    procurement_notes = forms.CharField(
        label=_("Procurement notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    legal_obligation = forms.TypedChoiceField(
        label=_("Legal obligation (national entity)"),
        choices=LEGAL_OBLIGATION_CHOICES,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
        help_text=_("For a national-order entity, say whether a norm obliges it."),
    )
    legal_basis = forms.CharField(
        label=_("Norm that establishes it"),
        max_length=300,
        required=False,
        help_text=_("Law or decree and article, e.g. «Ley 1955 de 2019, art. 8»."),
    )
    territorial_manager = forms.CharField(
        label=_("Territorial manager"), max_length=200, required=False
    )

    def __init__(
        self,
        data: Any = None,
        *,
        user: Any,
        plan: Plan,
        line: PlanLine | None = None,
        fp_fields: bool = False,
        **kwargs: Any,
    ) -> None:
        self.line = line
        self.plan = plan
        self.user = user
        if line is not None and data is None and not kwargs.get("initial"):
            kwargs["initial"] = self.initial_from_line(line)
        super().__init__(data, **kwargs)
        if line is None:
            del self.fields["version"]
        else:
            self.fields["version"].required = True
        keep = (
            {
                "topic": line.topic_id,
                "service_type": line.service_type_id,
                "mechanism": line.mechanism_id,
                "modality": line.modality_id,
            }
            if line
            else {}
        )
        for name, kind in (
            ("topic", CatalogKind.TOPIC),
            ("service_type", CatalogKind.SERVICE_TYPE),
            ("mechanism", CatalogKind.MECHANISM),
            ("modality", CatalogKind.MODALITY),
        ):
            kept = keep.get(name)
            self.fields[name].queryset = value_choices(  # type: ignore[attr-defined]
                user=user, kind=kind, keep=[kept] if kept else []
            )
        self.fields["service"].queryset = selectors.unit_services(  # type: ignore[attr-defined]
            plan=plan, keep=[line.service_id] if line else []
        )
        self.fields["responsible"].queryset = selectors.member_users(user=user)  # type: ignore[attr-defined]
        self.fields["stakeholders"].queryset = Stakeholder.objects.for_user(user)  # type: ignore[attr-defined]
        self.fields["needs"].queryset = Need.objects.for_user(user)  # type: ignore[attr-defined]
        self.fields["department_code"].choices = [("", _("— choose —"))] + department_choices()[1:]  # type: ignore[attr-defined]
        if not fp_fields and not (
            line and (line.legal_obligation or line.legal_basis or line.territorial_manager)
        ):
            del self.fields["legal_obligation"]
            del self.fields["legal_basis"]
            del self.fields["territorial_manager"]
        home = plan.organization.department
        self.selected_department = str(
            self["department_code"].value() or (home.code if home else "")
        )
        municipality_widget: Any = self.fields["municipality"].widget
        municipality_widget.choices = self._municipality_choices(self.selected_department)

    @staticmethod
    def initial_from_line(line: PlanLine) -> dict[str, Any]:
        values = LineInput.from_line(line)
        initial: dict[str, Any] = values.column_values()
        initial["months"] = [str(m) for m in values.months]
        initial["stakeholders"] = values.stakeholders
        initial["needs"] = values.needs
        initial["version"] = line.version
        obligation = line.legal_obligation
        initial["legal_obligation"] = "" if obligation is None else ("yes" if obligation else "no")
        initial["budget"] = "" if not line.budget else format(line.budget.normalize(), "f")
        if line.municipality is not None:
            initial["municipality"] = line.municipality.code
            initial["department_code"] = line.municipality.department.code
        return initial

    @staticmethod
    def _municipality_choices(department_code: str) -> list[tuple[str, Any]]:
        if not department_code:
            return [("", _("Choose a department first"))]
        towns = Municipality.objects.filter(department__code=department_code).order_by("name")
        return [("", _("— choose —"))] + [(m.code, m.name.title()) for m in towns]

    def clean_budget(self) -> Any:
        text = self.cleaned_data.get("budget") or ""
        try:
            return parse_budget(text)
        except ValueError:
            raise forms.ValidationError(_("Write the budget as a number of pesos."))

    def clean_municipality(self) -> Municipality | None:
        code = self.cleaned_data.get("municipality")
        if not code:
            return None
        municipality = Municipality.objects.select_related("department").filter(code=code).first()
        if municipality is None:
            raise forms.ValidationError(_("The municipality does not exist in DIVIPOLA."))
        return municipality

    def line_input(self) -> LineInput:
        return LineInput.from_mapping(self.cleaned_data)

    # --- what the template shows --------------------------------------------------------------

    def _posted_ids(self, name: str) -> list[int]:
        data: Any = self.data
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        return [int(v) for v in values if str(v).isdigit()]

    def selected_stakeholders(self) -> list[Stakeholder]:
        if self.is_bound:
            ids = self._posted_ids(self.add_prefix("stakeholders"))
            return selectors.stakeholders_by_ids(user=self.user, ids=ids)
        return list(self.initial.get("stakeholders") or [])

    def selected_needs(self) -> list[Need]:
        if self.is_bound:
            ids = self._posted_ids(self.add_prefix("needs"))
            return selectors.needs_by_ids(user=self.user, ids=ids)
        return list(self.initial.get("needs") or [])

    def service_options(self) -> list[dict[str, Any]]:
        """Services with the values they fill (``plans.js`` copies them on change)."""
        chosen = self["service"].value()
        options = []
        services = selectors.unit_services(
            plan=self.plan, keep=[self.line.service_id] if self.line else []
        )
        for service in services:
            topics = [t.pk for t in service.topics.all()]
            mechanisms = [m.pk for m in service.mechanisms.all()]
            modalities = [m.pk for m in service.modalities.all()]
            options.append(
                {
                    "pk": service.pk,
                    "name": service.name,
                    "selected": str(service.pk) == str(chosen or ""),
                    "service_type": service.service_type_id,
                    "topic": topics[0] if len(topics) == 1 else "",
                    "mechanism": mechanisms[0] if len(mechanisms) == 1 else "",
                    "modality": modalities[0] if len(modalities) == 1 else "",
                }
            )
        return options


class CommentsForm(forms.Form):
    """Comments of a transition (required when returning a plan)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comments"].required = required


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx) or CSV"),
        help_text=_("The plan's format: download the plan in Excel to see it."),
    )


class ImportConfirmForm(forms.Form):
    """The import's mode: an explicit choice, nothing pre-selected (a wrong default either
    doubles the plan's lines or deletes them)."""

    mode = forms.ChoiceField(
        label=_("What to do with the plan's current lines"),
        choices=[
            (
                "update",
                _(
                    "Update the lines of this plan that the file carries (column «Id. de "
                    "línea») and add the other rows"
                ),
            ),
            ("append", _("Add every row of the file as a new line after the current ones")),
            ("replace", _("Replace every current line with the file's lines")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what to do with the plan's current lines.")},
    )


class ConsolidatedCreateForm(forms.Form):
    fiscal_year = forms.ModelChoiceField(label=_("Fiscal year"), queryset=FiscalYear.objects.none())
    title = forms.CharField(label=_("Title"), max_length=250, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = selectors.fiscal_years_for_user(user=user)
        self.fields["fiscal_year"].queryset = years  # type: ignore[attr-defined]
        planned = year_being_planned(years)
        if planned is not None:
            self.fields["fiscal_year"].initial = planned.pk


class ConsolidatedReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    plans = forms.ModelMultipleChoiceField(
        label=_("Plans to return"),
        queryset=Plan.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    comments = forms.CharField(
        label=_("Comments for the units"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args: Any, plans: Any, flagged_units: set[int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plans"].queryset = plans  # type: ignore[attr-defined]
        field: Any = self.fields["plans"]
        flagged = flagged_units or set()
        blocking = _("with blocking findings")

        def label(plan: Plan) -> str:
            text = f"{plan.unit.name} — {plan.get_status_display()}"
            return f"{text} ({blocking})" if plan.unit_id in flagged else text

        field.label_from_instance = label


class CommitteeDecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    acta_number = forms.CharField(label=_("Acta number"), max_length=40)
    date = forms.DateField(label=_("Session date"), widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.CharField(
        label=_("Attendees"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One member per line: name and position."),
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the committee returns the plan: the units adjust with them."),
    )
