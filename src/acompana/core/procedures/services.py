"""Writes of procedure profiles: the organization admin's adjustments.

The official procedure itself is a shipped, versioned file; an organization only adjusts
the code, version and approval date of its record formats and the names it gives to roles
(``Organization.procedure_overrides``, see ``profiles.apply_overrides``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from acompana.core.concurrency import versioned_update
from acompana.core.errors import StaleObjectError
from acompana.core.events import event_record
from acompana.core.models import Organization, User
from acompana.core.permissions import check_perm
from acompana.core.procedures.profiles import (
    RECORD_CODE_RE,
    RECORD_VERSION_MAX,
    ROLE_NAME_MAX,
    VALID_ROLES,
    Profile,
    shipped_profile,
)


def record_field(key: str, name: str) -> str:
    """Name of the error (and form field) for one part of a record adjustment."""
    return f"record__{key}__{name}"


def role_field(role: str) -> str:
    return f"role__{role}"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def procedure_overrides_clean(
    *, base: Profile, overrides: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Validate adjustments against the shipped profile and keep only real differences.

    ``overrides``: ``{"records": {key: {"code", "version", "date"}}, "role_names": {role: name}}``.
    Errors are keyed ``record__<key>__<code|version|date>`` and ``role__<role>`` (the names
    of the admin form's fields); anything else is a general error.
    """
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    known = {record.key: record for record in base.formats}
    records_in = overrides.get("records") or {}
    roles_in = overrides.get("role_names") or {}
    if not isinstance(records_in, Mapping) or not isinstance(roles_in, Mapping):
        raise ValidationError(_("The procedure adjustments do not have the expected shape."))
    records: dict[str, dict[str, Any]] = {}
    for key, change in records_in.items():
        shipped = known.get(key)
        if shipped is None or not isinstance(change, Mapping):
            fail(
                "records",
                _("The record «%(key)s» does not exist in the procedure %(code)s.")
                % {"key": key, "code": base.code},
            )
            continue
        code = _text(change.get("code")) if "code" in change else _text(shipped.code)
        version = _text(change.get("version")) if "version" in change else _text(shipped.version)
        date = _text(change.get("date")) if "date" in change else _text(shipped.date)
        if code and not RECORD_CODE_RE.match(code):
            fail(
                record_field(key, "code"),
                _(
                    "The code admits only letters, digits and hyphens (e.g. MI-GS-RG-869), "
                    "up to 40 characters."
                ),
            )
        if code and not version:
            fail(record_field(key, "version"), _("Write the version of the format."))
        if len(version) > RECORD_VERSION_MAX:
            fail(
                record_field(key, "version"),
                _("The version admits up to %(max)s characters.") % {"max": RECORD_VERSION_MAX},
            )
        if date:
            try:
                datetime.date.fromisoformat(date)
            except ValueError:
                fail(record_field(key, "date"), _("Write the date as YYYY-MM-DD."))
        adjusted = {"code": code or None, "version": version or None, "date": date or None}
        if adjusted != {"code": shipped.code, "version": shipped.version, "date": shipped.date}:
            records[key] = adjusted
    role_names: dict[str, str] = {}
    for role, name in roles_in.items():
        if role not in VALID_ROLES:
            fail("role_names", _("Unknown role: «%(role)s».") % {"role": role})
            continue
        text = " ".join(_text(name).split())
        if len(text) > ROLE_NAME_MAX:
            fail(
                role_field(role),
                _("The name admits up to %(max)s characters.") % {"max": ROLE_NAME_MAX},
            )
        if text and text != base.role_names.get(role):
            role_names[role] = text
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    cleaned: dict[str, dict[str, Any]] = {}
    if records:
        cleaned["records"] = records
    if role_names:
        cleaned["role_names"] = role_names
    return cleaned


def procedure_overrides_update(
    *,
    actor: User,
    organization: Organization,
    expected_version: int,
    overrides: Mapping[str, Any],
) -> Organization:
    """Replace the organization's procedure adjustments (optimistic-locked, audited).

    Entries equal to the shipped profile are dropped, so a later profile version's
    corrections reach organizations that never adjusted that record. Only an administrator
    adjusts the procedure (``core.change_procedure``, checked here for every caller).
    """
    check_perm(actor, "core.change_procedure", organization_id=organization.pk)
    base = shipped_profile(organization.procedure_code)
    cleaned = procedure_overrides_clean(base=base, overrides=overrides)
    before = organization.procedure_overrides or {}
    with transaction.atomic():
        if cleaned == before:
            current = Organization.objects.filter(pk=organization.pk, version=expected_version)
            if not current.exists():
                raise StaleObjectError()
            return organization
        versioned_update(
            organization,
            expected_version=expected_version,
            fields={"procedure_overrides": cleaned},
        )
        event_record(
            actor=actor,
            organization=organization,
            step_key="procedure.adjusted",
            obj=organization,
            summary=_("Adjustments of the procedure %(code)s updated") % {"code": base.code},
            before={"procedure_overrides": before},
            after={"procedure_overrides": cleaned},
        )
    return organization
