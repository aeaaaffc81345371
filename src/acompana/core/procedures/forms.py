"""The admin's adjustments form: one row per record format, one field per role name.

Field names are those the service uses for its errors (``services.record_field`` and
``services.role_field``), so ``apply_service_errors`` puts each message on its field.
Values are validated by the service, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from acompana.core.choices import Role
from acompana.core.forms import VersionedForm
from acompana.core.procedures.profiles import Profile, Record
from acompana.core.procedures.services import record_field, role_field


@dataclass
class FormatRow:
    record: Record
    shipped: Record
    step_ids: list[str]
    code: forms.BoundField
    version: forms.BoundField
    date: forms.BoundField


@dataclass
class RoleRow:
    role: str
    label: str
    shipped: str
    name: forms.BoundField


class ProcedureAdjustmentsForm(VersionedForm):
    def __init__(
        self,
        data: Any = None,
        *,
        profile: Profile,
        base: Profile,
        initial: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        initial = dict(initial or {})
        self.profile = profile
        self.base = base
        for record in profile.formats:
            initial.setdefault(record_field(record.key, "code"), record.code or "")
            initial.setdefault(record_field(record.key, "version"), record.version or "")
            initial.setdefault(record_field(record.key, "date"), record.date or "")
        for role in Role:
            initial.setdefault(role_field(role.value), profile.role_name(role.value))
        super().__init__(data, initial=initial, **kwargs)
        for record in profile.formats:
            self.fields[record_field(record.key, "code")] = forms.CharField(
                label=_("Code of «%(name)s»") % {"name": record.name},
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[record_field(record.key, "version")] = forms.CharField(
                label=_("Version of «%(name)s»") % {"name": record.name},
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[record_field(record.key, "date")] = forms.CharField(
                label=_("Approval date of «%(name)s»") % {"name": record.name},
                required=False,
                max_length=10,
                widget=forms.DateInput(
                    attrs={"class": "form-control form-control-sm", "type": "date"}
                ),
            )
        for role in Role:
            self.fields[role_field(role.value)] = forms.CharField(
                label=role.label,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def _bound(self, name: str) -> forms.BoundField:
        """The bound field, marked invalid (class and aria-describedby) when it has errors."""
        bound = self[name]
        if bound.errors:
            attrs = self.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{bound.auto_id}_help"
            if "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
        return bound

    def format_rows(self) -> list[FormatRow]:
        shipped = {record.key: record for record in self.base.formats}
        return [
            FormatRow(
                record=record,
                shipped=shipped.get(record.key, record),
                step_ids=self.profile.format_steps(record.key),
                code=self._bound(record_field(record.key, "code")),
                version=self._bound(record_field(record.key, "version")),
                date=self._bound(record_field(record.key, "date")),
            )
            for record in self.profile.formats
        ]

    def role_rows(self) -> list[RoleRow]:
        return [
            RoleRow(
                role=role.value,
                label=str(role.label),
                shipped=self.base.role_name(role.value),
                name=self._bound(role_field(role.value)),
            )
            for role in Role
        ]

    def overrides(self) -> dict[str, Any]:
        """The adjustments as the service takes them (after ``is_valid``)."""
        data = self.cleaned_data
        return {
            "records": {
                record.key: {
                    "code": data.get(record_field(record.key, "code"), ""),
                    "version": data.get(record_field(record.key, "version"), ""),
                    "date": data.get(record_field(record.key, "date"), ""),
                }
                for record in self.profile.formats
            },
            "role_names": {role.value: data.get(role_field(role.value), "") for role in Role},
        }


def adjustments_post_data(profile: Profile, version: int, **changes: str) -> dict[str, str]:
    """A complete POST for the form with the profile's current values (tests, scripts)."""
    data = {"version": str(version)}
    for record in profile.formats:
        data[record_field(record.key, "code")] = record.code or ""
        data[record_field(record.key, "version")] = record.version or ""
        data[record_field(record.key, "date")] = record.date or ""
    for role in Role:
        data[role_field(role.value)] = profile.role_name(role.value)
    data.update(changes)
    return data
