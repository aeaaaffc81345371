"""Forms of the catalogue. They only parse input; validation rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from acompana.catalog.choices import ServiceOrigin, StakeholderKind
from acompana.catalog.models import Mechanism, Modality, ServiceType, Topic
from acompana.core.forms import VersionedForm
from acompana.core.models import Unit


class BootstrapMixin:
    """Bootstrap class on the options of checkbox lists.

    ``includes/form.html`` styles single widgets itself (``bootstrap_widget``) but renders
    the options of a ``CheckboxSelectMultiple`` one by one from the widget's own attributes.
    """

    def _style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field.widget, forms.RadioSelect):  # includes CheckboxSelectMultiple
                field.widget.attrs.setdefault("class", "form-check-input")


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class TopicParentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class CatalogValueForm(BootstrapMixin, VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Code"),
        max_length=60,
        required=False,
        help_text=_("Letters, digits and underscores. Left empty, it is derived from the name."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sort_order = forms.IntegerField(
        label=_("Sort order"),
        min_value=0,
        required=False,
        help_text=_("Lower numbers are listed first."),
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("catalogue", "Active"),
        required=False,
        help_text=_("Inactive values are no longer offered for new services."),
    )

    def __init__(self, *args: Any, parents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"] = TopicParentField(
                label=_("Parent topic"),
                queryset=parents,
                required=False,
                help_text=_("Choose one to make this a sub-topic."),
            )
        self._style()


class ServiceForm(BootstrapMixin, VersionedForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=60, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    service_type = forms.ModelChoiceField(
        label=_("Service type"), queryset=ServiceType.objects.none()
    )
    origin = forms.ChoiceField(
        label=_("Origin"),
        choices=ServiceOrigin.choices,
        initial=ServiceOrigin.BOTH,
        help_text=_("Offer: the organization proposes it. Demand: a stakeholder requests it."),
    )
    topics = TopicChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mechanisms = forms.ModelMultipleChoiceField(
        label=_("Mechanisms"),
        queryset=Mechanism.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    modalities = forms.ModelMultipleChoiceField(
        label=_("Modalities"),
        queryset=Modality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_stakeholder_kinds = forms.MultipleChoiceField(
        label=_("Aimed at"),
        choices=StakeholderKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    duration_days = forms.IntegerField(
        label=_("Estimated duration (days)"), min_value=0, required=False
    )
    estimated_hours = forms.IntegerField(label=_("Estimated hours"), min_value=0, required=False)

    def __init__(
        self,
        *args: Any,
        units: Any,
        service_types: Any,
        topics: Any,
        mechanisms: Any,
        modalities: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["service_type"].queryset = service_types  # type: ignore[attr-defined]
        self.fields["topics"].queryset = topics  # type: ignore[attr-defined]
        self.fields["mechanisms"].queryset = mechanisms  # type: ignore[attr-defined]
        self.fields["modalities"].queryset = modalities  # type: ignore[attr-defined]
        self._style()


class MilestoneForm(BootstrapMixin, VersionedForm):
    name = forms.CharField(label=_("Milestone"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_evidence = forms.CharField(
        label=_("Expected evidence"),
        max_length=300,
        required=False,
        help_text=_("For example: signed acta, attendance list, written concept."),
    )
    relative_due_days = forms.IntegerField(
        label=_("Due (days after start)"), min_value=0, required=False
    )
    required = forms.BooleanField(
        label=_("Required to count the service as delivered"), required=False, initial=True
    )

    def __init__(self, *args: Any, prefix_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
        if prefix_id:
            self.auto_id = f"{prefix_id}-%s"


class MilestoneMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])
