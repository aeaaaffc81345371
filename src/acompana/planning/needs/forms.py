"""Forms of the needs pages. They parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import FileExtensionValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from acompana.catalog.models import Modality, Topic
from acompana.core.models import FiscalYear, Unit
from acompana.geo.forms import department_choices, municipality_choices
from acompana.geo.models import Municipality
from acompana.planning.choices import NeedOrigin, NeedSource, NeedStatus, Priority
from acompana.planning.needs import selectors
from acompana.planning.needs.services import EVIDENCE_EXTENSIONS, TRIAGE_ACCEPT, TRIAGE_DISCARD
from acompana.planning.needs.workflow import next_statuses
from acompana.registry.choices import StakeholderKind
from acompana.registry.models import Stakeholder
from acompana.registry.notice import CURRENT_NOTICE_VERSION


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class StakeholderPickerForm(forms.Form):
    """A form with the grupos de valor of a need: a search (htmx) that adds checked boxes.

    The field validates any stakeholder of the organization by id (one query for the ids
    sent); only the chosen ones are rendered, never the whole registry.
    """

    user: Any

    def selected_stakeholders(self) -> list[Stakeholder]:
        if self.is_bound:
            values = self.data.getlist("stakeholders")  # type: ignore[attr-defined]
            ids = [int(v) for v in values if str(v).isdigit()]
        else:
            ids = [s.pk for s in self.initial.get("stakeholders") or []]
        if not ids:
            return []
        return selectors.stakeholders_by_ids(user=self.user, ids=ids)

    def picker_url(self) -> str:
        return reverse("planning:need_stakeholder_options")


def _stakeholders_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Stakeholders (grupos de valor)"),
        required=False,
        queryset=Stakeholder.objects.none(),
        widget=forms.MultipleHiddenInput,
        help_text=_("Search by name, NIT, DANE or REPS code and tick the ones the need is about."),
    )


class NeedForm(StakeholderPickerForm):
    title = forms.CharField(label=_("Title"), max_length=250)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea({"rows": 4}))
    origin = forms.ChoiceField(
        label=_("Origin"),
        choices=_blank("—") + NeedOrigin.choices,
        help_text=_("Offer: the organization detects it. Demand: the stakeholder asks for it."),
    )
    source = forms.ChoiceField(label=_("Source"), choices=_blank("—") + NeedSource.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.MEDIUM
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), required=False, queryset=Topic.objects.none(), empty_label=_("— none —")
    )
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("— none —"),
    )
    fiscal_year = forms.ModelChoiceField(
        label=_("Fiscal year"),
        required=False,
        queryset=FiscalYear.objects.none(),
        empty_label=_("— current —"),
    )
    stakeholders = _stakeholders_field()
    radicado = forms.CharField(
        label=_("Request number (radicado)"),
        required=False,
        max_length=40,
        help_text=_(
            "The number the correspondence office gave the request; one need per radicado."
        ),
    )
    received_on = forms.DateField(
        label=_("Received on"),
        required=False,
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        validators=[FileExtensionValidator(list(EVIDENCE_EXTENSIONS))],
        widget=forms.ClearableFileInput({"accept": ",".join(f".{e}" for e in EVIDENCE_EXTENSIONS)}),
        help_text=_(
            "For example the screenshot of the e-mail that brought the need: PNG, JPG, "
            "PDF, EML, MSG or DOCX up to 10 MB."
        ),
    )

    def __init__(self, *args: Any, user: Any, need: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.need = need
        keep_topic = [need.topic_id] if need is not None else []
        keep_unit = [need.unit_id] if need is not None else []
        self.fields["topic"].queryset = selectors.topic_choices(user=user, keep=keep_topic)  # type: ignore[attr-defined]
        units = selectors.writable_units(user=user, keep=keep_unit)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if selectors.allowed_unit_ids(user=user) is not None:
            self.fields["unit"].required = True
            self.fields["unit"].empty_label = "—"  # type: ignore[attr-defined]
        self.fields["fiscal_year"].queryset = selectors.fiscal_year_choices(user=user)  # type: ignore[attr-defined]
        self.fields["stakeholders"].queryset = selectors.stakeholder_choices(user=user)  # type: ignore[attr-defined]
        if need is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            if need.evidence:
                self.fields["clear_evidence"] = forms.BooleanField(
                    label=_("Remove the current evidence"), required=False
                )

    def service_data(self) -> dict[str, Any]:
        skip = {"version", "evidence", "clear_evidence"}
        data = {k: v for k, v in self.cleaned_data.items() if k not in skip}
        data["stakeholders"] = list(self.cleaned_data.get("stakeholders") or [])
        if self.need is not None and data.get("fiscal_year") is None:
            data["fiscal_year"] = self.need.fiscal_year
        return data

    def main_fields(self) -> list[forms.BoundField]:
        names = ["title", "description", "origin", "source", "priority", "topic", "unit"]
        return [self[name] for name in names] + [
            self["fiscal_year"],
            self["radicado"],
            self["received_on"],
        ]

    def file_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("evidence", "clear_evidence") if n in self.fields]


class TriageForm(StakeholderPickerForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (TRIAGE_ACCEPT, _("Accept: it becomes an open need")),
            (TRIAGE_DISCARD, _("Discard it")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (required to discard)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("— none —"),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), required=False, queryset=Topic.objects.none(), empty_label=_("— none —")
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    title = forms.CharField(label=_("Title"), max_length=250, required=False)
    fiscal_year = forms.ModelChoiceField(
        label=_("Fiscal year"),
        required=False,
        queryset=FiscalYear.objects.none(),
        empty_label=_("— current —"),
    )
    requester_stakeholder = forms.ChoiceField(
        label=_("Requesting entity in the registry"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("The need counts in the prioritisation of the stakeholder it is linked to."),
    )
    new_kind = forms.ChoiceField(
        label=_("Kind of the new stakeholder"), required=False, choices=StakeholderKind.choices
    )
    new_name = forms.CharField(
        label=_("Name of the new stakeholder"), max_length=250, required=False
    )
    stakeholders = _stakeholders_field()
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, user: Any, need: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.need = need
        self.fields["unit"].queryset = selectors.writable_units(user=user, keep=[need.unit_id])  # type: ignore[attr-defined]
        self.fields["topic"].queryset = selectors.topic_choices(user=user, keep=[need.topic_id])  # type: ignore[attr-defined]
        self.fields["fiscal_year"].queryset = selectors.fiscal_year_choices(user=user)  # type: ignore[attr-defined]
        self.fields["stakeholders"].queryset = selectors.stakeholder_choices(user=user)  # type: ignore[attr-defined]
        self.matches = {str(s.pk): s for s in selectors.requester_matches(user=user, need=need)}
        self.fields["requester_stakeholder"].choices = [  # type: ignore[attr-defined]
            *[(pk, _stakeholder_label(s)) for pk, s in self.matches.items()],
            (NEW_STAKEHOLDER, _("Register it in the registry as a new stakeholder")),
            ("", _("Do not link it now")),
        ]
        if not self.is_bound:
            self.initial.setdefault("title", need.title)
            self.initial.setdefault("fiscal_year", need.fiscal_year)
            self.initial.setdefault("requester_stakeholder", _likely_match(need, self.matches))
            self.initial.setdefault("new_name", need.requester_entity)
            self.initial.setdefault("new_kind", _guess_kind(need))

    def service_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "unit": self.cleaned_data.get("unit"),
            "topic": self.cleaned_data.get("topic"),
            "priority": self.cleaned_data.get("priority"),
            "stakeholders": list(self.cleaned_data.get("stakeholders") or []),
            "fiscal_year": self.cleaned_data.get("fiscal_year"),
        }
        if self.cleaned_data.get("title"):
            data["title"] = self.cleaned_data["title"]
        choice = self.cleaned_data.get("requester_stakeholder") or ""
        if choice == NEW_STAKEHOLDER:
            data["new_stakeholder"] = {
                "kind": self.cleaned_data.get("new_kind") or "",
                "name": self.cleaned_data.get("new_name") or "",
            }
        elif choice:
            data["requester_stakeholder"] = self.matches[choice]
        return data

    def decision_fields(self) -> list[forms.BoundField]:
        return [self["decision"]]

    def accept_fields(self) -> list[forms.BoundField]:
        return [self["title"], self["unit"], self["topic"], self["priority"], self["fiscal_year"]]

    def match_fields(self) -> list[forms.BoundField]:
        return [self["requester_stakeholder"]]

    def new_stakeholder_fields(self) -> list[forms.BoundField]:
        return [self["new_kind"], self["new_name"]]


NEW_STAKEHOLDER = "new"


def _stakeholder_label(stakeholder: Stakeholder) -> str:
    identifiers = [
        value
        for value in (stakeholder.nit, stakeholder.dane_code, stakeholder.school_code)
        if value
    ]
    label = stakeholder.name
    if identifiers:
        label += " · " + " · ".join(identifiers)
    return label


def _likely_match(need: Any, matches: dict[str, Stakeholder]) -> str:
    """The match chosen by default: the stakeholder of the identifier the requester gave,
    else the alcaldía of its municipality when the requester is an alcaldía; none otherwise
    (a hospital of Garzón is not the Alcaldía de Garzón: the person chooses)."""
    base = need.requester_identifier.split("-", 1)[0]
    for pk, stakeholder in matches.items():
        identifiers = {
            stakeholder.nit.split("-", 1)[0],
            stakeholder.dane_code,
            stakeholder.school_code,
        }
        if base and base in identifiers:
            return pk
    if _guess_kind(need) == StakeholderKind.MUNICIPALITY:
        for pk, stakeholder in matches.items():
            if stakeholder.kind == StakeholderKind.MUNICIPALITY:
                return pk
    return ""


def _guess_kind(need: Any) -> str:
    """The likely kind of a requester not in the registry: an alcaldía when the entity says
    so, a school when it gave a 12-digit DANE code, else a territorial public entity."""
    entity = (need.requester_entity or "").lower()
    identifier = need.requester_identifier.split("-", 1)[0]
    if len(identifier) == 12:
        return str(StakeholderKind.SCHOOL)
    if "alcald" in entity or len(identifier) == 5:
        return str(StakeholderKind.MUNICIPALITY)
    if "gobernaci" in entity or len(identifier) == 2:
        return str(StakeholderKind.DEPARTMENT)
    return str(StakeholderKind.TERRITORIAL_ENTITY)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=NeedStatus.choices)
    reason = forms.CharField(
        label=_("Reason (required to discard)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, need: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = next_statuses(need.status)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in NeedStatus.choices if value in allowed
        ]


class PublicRequestForm(forms.Form):
    """The public request form (no login). The consent is checked by the service."""

    requester_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput({"autocomplete": "name"}),
    )
    requester_email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput({"autocomplete": "email"}),
        help_text=_("We will answer your request at this address."),
    )
    requester_phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=60,
        widget=forms.TextInput({"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    requester_position = forms.CharField(
        label=_("Your position"),
        max_length=150,
        widget=forms.TextInput({"autocomplete": "organization-title"}),
        help_text=_(
            "For example: Secretaria de Salud municipal, rector, profesional de planeación."
        ),
    )
    requester_entity = forms.CharField(
        label=_("Entity or organization you represent"),
        max_length=250,
        widget=forms.TextInput({"autocomplete": "organization"}),
        help_text=_("For example: Alcaldía de Garzón, E.S.E. Hospital San Vicente, I. E. La Paz."),
    )
    requester_identifier = forms.CharField(
        label=_("NIT or DANE code of the entity (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput({"inputmode": "numeric"}),
        help_text=_(
            "The NIT of the entity, or the DANE code of the municipality (5 digits) or of the "
            "school (12 digits)."
        ),
    )
    preferred_modality = forms.ModelChoiceField(
        label=_("Preferred modality (optional)"),
        required=False,
        queryset=Modality.objects.none(),
        empty_label=_("— no preference —"),
    )
    department = forms.ChoiceField(label=_("Department (optional)"), required=False)
    requester_municipality = forms.RegexField(
        label=_("Municipality (optional)"),
        required=False,
        regex=r"^\d{5}$",
        widget=forms.Select,
        error_messages={"invalid": _("Choose a municipality of the list.")},
    )
    topic = forms.ModelChoiceField(
        label=_("Topic (optional)"),
        required=False,
        queryset=Topic.objects.none(),
        empty_label=_("— I am not sure —"),
    )
    description = forms.CharField(
        label=_("What do you need?"),
        max_length=5000,
        widget=forms.Textarea({"rows": 5}),
        help_text=_("Tell us the topic, the difficulty and, if you can, dates that suit you."),
    )
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and I authorise the processing of my contact data "
            "to answer and follow up this request."
        ),
        required=False,
    )
    notice_version = forms.CharField(widget=forms.HiddenInput, initial=CURRENT_NOTICE_VERSION)
    #: honeypot: hidden from people (and from screen readers); bots fill every field
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = selectors.public_topics(organization=organization)  # type: ignore[attr-defined]
        self.fields["preferred_modality"].queryset = selectors.public_modalities(  # type: ignore[attr-defined]
            organization=organization
        )
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", _("— choose —")),
            *department_choices()[1:],
        ]
        department = (self.data.get("department") if self.is_bound else "") or ""
        self.fields["requester_municipality"].widget.choices = (  # type: ignore[attr-defined]
            municipality_choices(department, empty=_("— choose —"))
            if department
            else [("", _("Choose a department first"))]
        )
        self.fields["department"].widget.attrs["data-municipality-target"] = (
            "id_requester_municipality"
        )
        self.fields["department"].widget.attrs["data-options-url"] = reverse(
            "planning:need_request_municipalities"
        )

    def clean_requester_municipality(self) -> Municipality | None:
        code = self.cleaned_data.get("requester_municipality") or ""
        if not code:
            return None
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise forms.ValidationError(_("Choose a municipality of the list."))
        return municipality

    def is_bot(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def visible_request_fields(self) -> list[forms.BoundField]:
        names = [
            "requester_name",
            "requester_position",
            "requester_email",
            "requester_phone",
            "requester_entity",
            "requester_identifier",
            "department",
            "requester_municipality",
            "topic",
            "preferred_modality",
            "description",
        ]
        return [self[name] for name in names]

    def service_data(self) -> dict[str, Any]:
        names = [
            "requester_name",
            "requester_position",
            "requester_email",
            "requester_phone",
            "requester_entity",
            "requester_identifier",
            "requester_municipality",
            "topic",
            "preferred_modality",
            "description",
        ]
        return {name: self.cleaned_data.get(name) for name in names}
