"""Forms of the registry pages. They parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import FileExtensionValidator
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from acompana.geo.forms import department_choices, municipality_choices
from acompana.registry.choices import (
    AgeGroup,
    ConsentChannel,
    ConsentPurpose,
    Disability,
    DocumentType,
    Ethnicity,
    Gender,
    HealthSubtype,
    StakeholderKind,
    YesNo,
)
from acompana.registry.models import Stakeholder


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class StakeholderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank("—") + StakeholderKind.choices)
    health_subtype = forms.ChoiceField(
        label=_("Health actor type"),
        required=False,
        choices=_blank(_("Not a health actor")) + HealthSubtype.choices,
    )
    name = forms.CharField(label=_("Name"), max_length=250)
    nit = forms.CharField(
        label=_("NIT"),
        required=False,
        max_length=20,
        help_text=_("With the check digit, e.g. 800197268-4."),
    )
    dane_code = forms.CharField(
        label=_("DANE code of the territorial entity"),
        required=False,
        max_length=5,
        help_text=_("Alcaldía: municipality code (5 digits). Gobernación: department code (2)."),
    )
    school_code = forms.CharField(
        label=_("DANE code of the school or site"),
        required=False,
        max_length=12,
        help_text=_("12 digits."),
    )
    parent_school_code = forms.CharField(
        label=_("DANE code of the school of this site"),
        required=False,
        max_length=12,
        help_text=_("Only for school sites: the school must be registered first."),
    )
    reps_code = forms.CharField(
        label=_("REPS code (código de habilitación)"),
        required=False,
        max_length=12,
        help_text=_("Health actors: 10 to 12 digits."),
    )
    department_code = forms.ChoiceField(label=_("Department"), required=False)
    # options follow the department (htmx); any DIVIPOLA code is checked by the service
    municipality_code = forms.CharField(
        label=_("Municipality"), required=False, max_length=5, widget=forms.Select
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=250)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=60)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    website = forms.CharField(label=_("Website"), required=False, max_length=200)
    category = forms.CharField(
        label=_("Category"),
        required=False,
        max_length=60,
        help_text=_("Municipalities: E (especial) or 1 to 6; departments: E or 1 to 4 (Ley 617)."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = self.data.get("department_code") if self.is_bound else None
        department = department or self.initial.get("department_code") or ""
        self.fields["department_code"].choices = [  # type: ignore[attr-defined]
            ("", _("— choose —")),
            *department_choices()[1:],
        ]
        self.fields["municipality_code"].widget.choices = (  # type: ignore[attr-defined]
            municipality_choices(department, empty=_("— choose —"))
            if department
            else [("", _("Choose a department first"))]
        )
        department_widget = self.fields["department_code"].widget
        department_widget.attrs.update(
            {
                "hx-get": reverse_lazy("registry:municipality_options"),
                "hx-target": "#id_municipality_code",
                "hx-trigger": "change",
                "aria-controls": "id_municipality_code",
            }
        )
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if name != "version":
                field.widget.attrs.setdefault("class", css)

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class StakeholderCreateForm(StakeholderForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"]


SENSITIVE_FORM_FIELDS = {
    "age_group": (_("Life course"), AgeGroup.choices),
    "gender": (_("Gender identity"), Gender.choices),
    "ethnicity": (_("Ethnic self-recognition"), Ethnicity.choices),
    "disability": (_("Disability"), Disability.choices),
    "conflict_victim": (_("Victim of the armed conflict"), YesNo.choices),
}


class PersonForm(forms.Form):
    document_type = forms.ChoiceField(
        label=_("Document type"), choices=_blank("—") + DocumentType.choices
    )
    document_number = forms.CharField(label=_("Document number"), max_length=20)
    first_name = forms.CharField(label=_("First names"), max_length=120)
    last_name = forms.CharField(label=_("Last names"), max_length=120)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=60)
    position = forms.CharField(label=_("Position"), required=False, max_length=200)
    stakeholder = forms.ModelChoiceField(
        label=_("Stakeholder"),
        required=False,
        queryset=Stakeholder.objects.none(),
        empty_label=_("— none —"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        stakeholders: Any,
        with_sensitive: bool,
        with_consent: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stakeholder"].queryset = stakeholders  # type: ignore[attr-defined]
        self.sensitive_names: list[str] = []
        if with_consent:
            self.fields["consent_purposes"] = forms.MultipleChoiceField(
                label=_("The person authorises (habeas data)"),
                required=False,
                choices=ConsentPurpose.choices,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Leave empty if no consent was given; it can be recorded later."),
            )
            self.fields["consent_channel"] = forms.ChoiceField(
                label=_("How the consent was given"),
                required=False,
                choices=_blank("—") + ConsentChannel.choices,
            )
        if with_sensitive:
            for name, (label, choices) in SENSITIVE_FORM_FIELDS.items():
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=_blank(_("Not asked")) + list(choices),
                )
                self.sensitive_names.append(name)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("consent_purposes") and not data.get("consent_channel"):
            self.add_error("consent_channel", _("Say how the consent was given."))
        return data

    def service_data(self) -> dict[str, Any]:
        skip = {"version", "consent_purposes", "consent_channel"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}

    def basic_fields(self) -> list[forms.BoundField]:
        skip = {"version", "consent_purposes", "consent_channel", *self.sensitive_names}
        return [self[name] for name in self.fields if name not in skip]

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("consent_purposes", "consent_channel") if n in self.fields]

    def sensitive_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.sensitive_names]


class ConsentForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=_("Purposes the person authorises"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    channel = forms.ChoiceField(
        label=_("How the consent was given"), choices=_blank("—") + ConsentChannel.choices
    )
    granted_at = forms.DateTimeField(
        label=_("Date and time of the consent"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        validators=[FileExtensionValidator(["pdf", "png", "jpg", "jpeg"])],
        help_text=_("Scan of the signed form or the e-mail, as PDF or image."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "granted_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ConsentRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the revocation"),
        max_length=500,
        widget=forms.Textarea({"rows": 3, "class": "form-control"}),
        help_text=_("For example: request of the person received by e-mail on 3 March."),
    )
