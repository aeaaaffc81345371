"""Writes of the registry: stakeholders, people, consents, imports and the export log.

Each service is keyword-only, takes the acting user, checks the actor's role first (the
same permission as its view and API endpoint: ``registry.change``, ``registry.import``,
``registry.export``), validates, writes in one transaction and records its event (step keys
``stakeholder.*``, ``person.*``, ``consent.*``) in that transaction. Edits are
optimistic-locked on ``version`` (``StaleObjectError`` when stale).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from acompana.core.concurrency import versioned_update
from acompana.core.errors import TransitionError
from acompana.core.events import changed_fields, event_record, snapshot
from acompana.core.models import Job, Organization, User
from acompana.core.permissions import check_perm, has_perm
from acompana.core.tabular import ImportRejected
from acompana.core.validators import normalize_search
from acompana.registry.choices import (
    SENSITIVE_FIELDS,
    AgeGroup,
    ConsentChannel,
    ConsentPurpose,
    Disability,
    DocumentType,
    Ethnicity,
    Gender,
    StakeholderKind,
    YesNo,
)
from acompana.registry.models import Consent, Person, Stakeholder
from acompana.registry.notice import CURRENT_NOTICE_VERSION, notice_hash, notice_text
from acompana.registry.validation import (
    MODEL_FIELDS,
    Geography,
    IdentifierIndex,
    clean_stakeholder,
    input_from_stakeholder,
)
from acompana.registry.validators import normalize_document_number, validate_document

CHANGE = "registry.change"
IMPORT = "registry.import"
EXPORT = "registry.export"
PERSONAL_DATA_PERM = "registry.view_personal_data"

PERSON_FIELDS = [
    "document_type",
    "document_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "position",
    "stakeholder",
]

SENSITIVE_CHOICES: dict[str, list[str]] = {
    "age_group": list(AgeGroup.values),
    "gender": list(Gender.values),
    "ethnicity": list(Ethnicity.values),
    "disability": list(Disability.values),
    "conflict_victim": list(YesNo.values),
}


# --- stakeholders ----------------------------------------------------------------------------


def _school_lookup(organization_id: int) -> Callable[[str], Stakeholder | None]:
    def lookup(code: str) -> Stakeholder | None:
        return Stakeholder.objects.filter(
            organization_id=organization_id, kind=StakeholderKind.SCHOOL, school_code=code
        ).first()

    return lookup


def _stakeholder_values(
    *, organization_id: int, data: Mapping[str, Any], exclude_pk: int | None = None
) -> dict[str, Any]:
    values = clean_stakeholder(
        data, geography=Geography(), parent_lookup=_school_lookup(organization_id)
    )
    if values["parent"] is not None and values["parent"].pk == exclude_pk:
        raise ValidationError({"parent_school_code": _("A school site cannot be its own school.")})
    clashes = IdentifierIndex.for_values(organization_id, values, exclude_pk).clashes(values)
    if clashes:
        raise ValidationError({k: [v] for k, v in clashes.items()}, code="duplicate")
    values["search_name"] = normalize_search(values["name"])
    return values


def _duplicate_error() -> ValidationError:
    return ValidationError(
        _("Another record with the same identifier was saved at the same time. Try again."),
        code="duplicate",
    )


def stakeholder_create(
    *, actor: User, organization: Organization, data: Mapping[str, Any]
) -> Stakeholder:
    """Register a grupo de valor. ``data`` holds raw input (``validation.INPUT_FIELDS``)."""
    check_perm(actor, CHANGE, organization_id=organization.pk)
    values = _stakeholder_values(organization_id=organization.pk, data=data)
    try:
        with transaction.atomic():
            stakeholder = Stakeholder.objects.create(organization=organization, **values)
            event_record(
                actor=actor,
                organization=organization,
                step_key="stakeholder.created",
                obj=stakeholder,
                summary=_("Stakeholder registered: %(name)s") % {"name": stakeholder.name},
                after=snapshot(stakeholder, MODEL_FIELDS),
            )
    except IntegrityError:
        raise _duplicate_error()
    return stakeholder


def stakeholder_update(
    *,
    actor: User,
    stakeholder: Stakeholder,
    expected_version: int,
    data: Mapping[str, Any],
) -> Stakeholder:
    """Change a stakeholder. Keys absent from ``data`` keep their value (partial update)."""
    check_perm(actor, CHANGE, organization_id=stakeholder.organization_id)
    merged = {**input_from_stakeholder(stakeholder), **data}
    values = _stakeholder_values(
        organization_id=stakeholder.organization_id, data=merged, exclude_pk=stakeholder.pk
    )
    before = snapshot(stakeholder, MODEL_FIELDS)
    try:
        with transaction.atomic():
            # ``update()`` skips ``auto_now``: the conditional UPDATE sets ``updated_at`` itself
            versioned_update(
                stakeholder,
                expected_version=expected_version,
                fields={**values, "updated_at": timezone.now()},
            )
            b, a = changed_fields(before, snapshot(stakeholder, MODEL_FIELDS))
            event_record(
                actor=actor,
                organization=stakeholder.organization,
                step_key="stakeholder.updated",
                obj=stakeholder,
                summary=_("Stakeholder updated: %(name)s") % {"name": stakeholder.name},
                before=b,
                after=a,
            )
    except IntegrityError:
        raise _duplicate_error()
    return stakeholder


def _set_active(*, actor: User, stakeholder: Stakeholder, active: bool) -> Stakeholder:
    check_perm(actor, CHANGE, organization_id=stakeholder.organization_id)
    with transaction.atomic():
        updated = Stakeholder.objects.filter(pk=stakeholder.pk, is_active=not active).update(
            is_active=active, version=F("version") + 1, updated_at=timezone.now()
        )
        if updated != 1:
            raise TransitionError(
                _("The stakeholder is already active.")
                if active
                else _("The stakeholder is already inactive.")
            )
        stakeholder.refresh_from_db(fields=["is_active", "version", "updated_at"])
        event_record(
            actor=actor,
            organization=stakeholder.organization,
            step_key="stakeholder.reactivated" if active else "stakeholder.deactivated",
            obj=stakeholder,
            summary=(
                _("Stakeholder reactivated: %(name)s")
                if active
                else _("Stakeholder deactivated: %(name)s")
            )
            % {"name": stakeholder.name},
            before={"is_active": not active},
            after={"is_active": active},
        )
    return stakeholder


def stakeholder_deactivate(*, actor: User, stakeholder: Stakeholder) -> Stakeholder:
    """Deactivate (never delete): it leaves pick lists but keeps its history and links."""
    return _set_active(actor=actor, stakeholder=stakeholder, active=False)


def stakeholder_reactivate(*, actor: User, stakeholder: Stakeholder) -> Stakeholder:
    return _set_active(actor=actor, stakeholder=stakeholder, active=True)


@dataclass
class ImportResult:
    created: int
    filename: str
    updated: int = 0


def stakeholders_import(
    *,
    actor: User,
    organization: Organization,
    content: bytes,
    filename: str,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import a CSV/XLSX file of stakeholders: all rows in one transaction, or none.

    The file is parsed and every row validated (DIVIPOLA, identifiers, duplicates inside
    the file and against the registry) before anything is written; any bad row raises
    ``ImportRejected`` with the reasons per row. A row whose identifiers name one stakeholder
    of the same kind updates it (``imports.parse_stakeholder_file``), in the same
    transaction. ``progress(percent)`` reports progress.
    """
    check_perm(actor, IMPORT, organization_id=organization.pk)
    from acompana.registry.imports import parse_stakeholder_file

    preview = parse_stakeholder_file(
        organization=organization, content=content, filename=filename, progress=progress
    )
    if not preview.ok:
        raise ImportRejected(file_errors=preview.file_errors, row_errors=preview.row_errors)
    values_of = [row.values for row in preview.rows if row.values is not None]
    updates = [values for values in values_of if values.get("pk") is not None]
    rows = [
        {k: v for k, v in values.items() if k != "pk"}
        for values in values_of
        if values.get("pk") is None
    ]
    try:
        with transaction.atomic():
            by_school_code: dict[str, Stakeholder] = {}
            updated = _import_updates(updates, by_school_code)
            # schools first, so sites of a school of the same file can point at it
            first = [
                Stakeholder(organization=organization, **_without_parent(values))
                for values in rows
                if values["kind"] != StakeholderKind.SCHOOL_SITE
            ]
            Stakeholder.objects.bulk_create(first, batch_size=1000)
            for obj in first:
                if obj.kind == StakeholderKind.SCHOOL:
                    by_school_code[obj.school_code] = obj
            if progress:
                progress(90)
            sites = []
            for values in rows:
                if values["kind"] != StakeholderKind.SCHOOL_SITE:
                    continue
                parent = values["parent"]
                if isinstance(parent, str):  # a school of the same file
                    parent = by_school_code[parent]
                sites.append(
                    Stakeholder(
                        organization=organization, **{**_without_parent(values), "parent": parent}
                    )
                )
            Stakeholder.objects.bulk_create(sites, batch_size=1000)
            for values in updates:  # updated sites of a school new in the same file
                if isinstance(values.get("parent"), str):
                    Stakeholder.objects.filter(pk=values["pk"]).update(
                        parent=by_school_code[values["parent"]]
                    )
            created = len(first) + len(sites)
            event_record(
                actor=actor,
                organization=organization,
                step_key="stakeholder.imported",
                obj=None,
                summary=(
                    _("%(count)s stakeholders imported and %(updated)s updated from %(file)s")
                    if updated
                    else _("%(count)s stakeholders imported from %(file)s")
                )
                % {"count": created, "updated": updated, "file": filename},
                after={
                    "count": created,
                    "file": filename,
                    **({"updated": updated} if updated else {}),
                },
            )
    except IntegrityError:
        raise ImportRejected(
            file_errors=[
                str(
                    _(
                        "Another user registered some of these stakeholders while the file "
                        "was being imported. Nothing was imported; try again."
                    )
                )
            ],
            row_errors=[],
        )
    if progress:
        progress(100)
    return ImportResult(created=created, filename=filename, updated=updated)


def _import_updates(updates: list[dict[str, Any]], by_school_code: dict[str, Stakeholder]) -> int:
    """Write the rows of an import that update a stakeholder (matched by identifier); the
    updated schools are registered in ``by_school_code`` for the sites of the same file."""
    now = timezone.now()
    for values in updates:
        fields = {k: v for k, v in values.items() if k != "pk"}
        parent = fields.get("parent")
        if isinstance(parent, str):  # a school created by the same file: linked below
            fields["parent"] = None
        Stakeholder.objects.filter(pk=values["pk"]).update(
            **fields, version=F("version") + 1, updated_at=now
        )
    schools = Stakeholder.objects.filter(
        pk__in=[v["pk"] for v in updates if v["kind"] == StakeholderKind.SCHOOL]
    )
    by_school_code.update({school.school_code: school for school in schools})
    return len(updates)


def stakeholders_import_start(
    *, actor: User, organization: Organization, path: str, filename: str
) -> Job:
    """Start the background import of a large stored file (``stakeholders_import`` in a job;
    the job owns the file and deletes it when it ends). Followed on ``core:job_detail``."""
    from django.urls import reverse

    from acompana.core.imports import import_job_start
    from acompana.registry.tasks import IMPORT_JOB_KIND, stakeholders_import_task

    check_perm(actor, IMPORT, organization_id=organization.pk)
    return import_job_start(
        actor=actor,
        organization=organization,
        kind=IMPORT_JOB_KIND,
        title=_("Import of %(file)s") % {"file": filename},
        task=stakeholders_import_task,
        path=path,
        filename=filename,
        next_url=reverse("registry:stakeholder_list"),
        upload_url=reverse("registry:import_upload"),
    )


def _without_parent(values: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(values)
    result["parent"] = None
    return result


# --- people ----------------------------------------------------------------------------------


def valid_consent_exists(person: Person, purpose: str) -> bool:
    """Whether the person has a non-revoked consent covering ``purpose``."""
    if person.pk is None:
        return False
    return Consent.objects.filter(
        person=person, revoked_at__isnull=True, purposes__contains=[purpose]
    ).exists()


def _clean_person(
    *, organization: Organization, data: Mapping[str, Any], exclude_pk: int | None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def text(key: str) -> str:
        value = data.get(key)
        return "" if value is None else " ".join(str(value).split())

    document_type = text("document_type").upper()
    document_number = normalize_document_number(document_type, text("document_number"))
    if document_type not in DocumentType.values:
        errors["document_type"] = [_("Choose a document type.")]
    elif not document_number:
        errors["document_number"] = [_("The document number is required.")]
    else:
        try:
            validate_document(document_type, document_number)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    first_name, last_name = text("first_name"), text("last_name")
    if not first_name:
        errors["first_name"] = [_("The first names are required.")]
    if not last_name:
        errors["last_name"] = [_("The last names are required.")]
    email = text("email").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Write a valid e-mail address.")]
    stakeholder = data.get("stakeholder")
    if stakeholder is not None and stakeholder.organization_id != organization.pk:
        errors["stakeholder"] = [_("The stakeholder is not of this organization.")]
    if not errors and document_type and document_number:
        existing = (
            Person.objects.filter(
                organization=organization,
                document_type=document_type,
                document_number=document_number,
            )
            .exclude(pk=exclude_pk)
            .first()
        )
        if existing is not None:
            errors["document_number"] = [
                _("There is already the person «%(name)s» with %(type)s %(number)s.")
                % {"name": existing.full_name, "type": document_type, "number": document_number}
            ]
    if errors:
        raise ValidationError(errors)
    return {
        "document_type": document_type,
        "document_number": document_number,
        "first_name": first_name,
        "last_name": last_name,
        "search_name": normalize_search(f"{first_name} {last_name}"),
        "email": email,
        "phone": text("phone"),
        "position": text("position"),
        "stakeholder": stakeholder,
    }


def _clean_sensitive(data: Mapping[str, Any]) -> dict[str, str]:
    """The sensitive keys present in ``data``, validated against their choices."""
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name in SENSITIVE_FIELDS:
        if name not in data:
            continue
        value = "" if data[name] is None else str(data[name]).strip()
        if value and value not in SENSITIVE_CHOICES[name]:
            errors[name] = [_("Choose one of the options.")]
        values[name] = value
    if errors:
        raise ValidationError(errors)
    return values


def _check_sensitive_write(
    *, actor: User, person: Person, new: Mapping[str, str], has_consent: bool
) -> None:
    """Sensitive data is written only by roles allowed to see it and only with consent."""
    changed = {k: v for k, v in new.items() if getattr(person, k) != v}
    if not changed:
        return
    if not has_perm(actor, PERSONAL_DATA_PERM):
        raise PermissionDenied(_("Your role does not allow recording sensitive personal data."))
    if any(changed.values()) and not has_consent:
        raise ValidationError(
            {
                name: [
                    _(
                        "Differential-approach data is sensitive: it can only be recorded when "
                        "the person has a valid consent for sensitive data. Record the consent "
                        "first."
                    )
                ]
                for name, value in changed.items()
                if value
            },
            code="consent_required",
        )


@dataclass
class ConsentInput:
    """A consent given together with the person's data (one form, one transaction)."""

    purposes: list[str]
    channel: str
    granted_at: datetime.datetime | None = None
    evidence: UploadedFile | None = None


def person_create(
    *,
    actor: User,
    organization: Organization,
    data: Mapping[str, Any],
    consent: ConsentInput | None = None,
) -> Person:
    """Register a person; with ``consent``, record it first so sensitive data may be stored."""
    check_perm(actor, CHANGE, organization_id=organization.pk)
    values = _clean_person(organization=organization, data=data, exclude_pk=None)
    sensitive = _clean_sensitive(data)
    try:
        with transaction.atomic():
            person = Person.objects.create(organization=organization, **values)
            event_record(
                actor=actor,
                organization=organization,
                step_key="person.created",
                obj=person,
                summary=_("Person registered: %(name)s") % {"name": person.full_name},
                after=snapshot(person, PERSON_FIELDS),
            )
            if consent is not None:
                consent_record(
                    actor=actor,
                    person=person,
                    purposes=consent.purposes,
                    channel=consent.channel,
                    granted_at=consent.granted_at,
                    evidence=consent.evidence,
                )
            if any(sensitive.values()):
                _check_sensitive_write(
                    actor=actor,
                    person=person,
                    new=sensitive,
                    has_consent=valid_consent_exists(person, ConsentPurpose.SENSITIVE_DATA),
                )
                Person.objects.filter(pk=person.pk).update(**sensitive)
                for name, value in sensitive.items():
                    setattr(person, name, value)
    except IntegrityError:
        raise _duplicate_error()
    return person


def person_update(
    *,
    actor: User,
    person: Person,
    expected_version: int,
    data: Mapping[str, Any],
) -> Person:
    """Change a person. Keys absent from ``data`` keep their value; sensitive keys need consent.

    The audit row never contains the sensitive values, only which of them changed.
    """
    check_perm(actor, CHANGE, organization_id=person.organization_id)
    current = {name: getattr(person, name) for name in PERSON_FIELDS}
    values = _clean_person(
        organization=person.organization, data={**current, **data}, exclude_pk=person.pk
    )
    sensitive = _clean_sensitive(data)
    _check_sensitive_write(
        actor=actor,
        person=person,
        new=sensitive,
        has_consent=valid_consent_exists(person, ConsentPurpose.SENSITIVE_DATA),
    )
    sensitive_changed = sorted(k for k, v in sensitive.items() if getattr(person, k) != v)
    before = snapshot(person, PERSON_FIELDS)
    try:
        with transaction.atomic():
            versioned_update(
                person,
                expected_version=expected_version,
                fields={**values, **sensitive, "updated_at": timezone.now()},
            )
            b, a = changed_fields(before, snapshot(person, PERSON_FIELDS))
            if sensitive_changed:
                a["sensitive_fields_changed"] = sensitive_changed
            event_record(
                actor=actor,
                organization=person.organization,
                step_key="person.updated",
                obj=person,
                summary=_("Person updated: %(name)s") % {"name": person.full_name},
                before=b,
                after=a,
            )
    except IntegrityError:
        raise _duplicate_error()
    return person


# --- consent ---------------------------------------------------------------------------------


def consent_record(
    *,
    actor: User,
    person: Person,
    purposes: Iterable[str],
    channel: str,
    granted_at: datetime.datetime | None = None,
    evidence: UploadedFile | None = None,
    notice_version: str = CURRENT_NOTICE_VERSION,
) -> Consent:
    """Record a habeas-data authorisation with the notice the person saw (version + hash)."""
    check_perm(actor, CHANGE, organization_id=person.organization_id)
    errors: dict[str, list[str]] = {}
    cleaned = list(dict.fromkeys(p for p in purposes if p))
    if not cleaned:
        errors["purposes"] = [_("Choose at least one purpose.")]
    elif any(p not in ConsentPurpose.values for p in cleaned):
        errors["purposes"] = [_("Unknown purpose.")]
    if channel not in ConsentChannel.values:
        errors["channel"] = [_("Choose how the consent was given.")]
    now = timezone.now()
    granted_at = granted_at or now
    if granted_at > now + datetime.timedelta(minutes=5):
        errors["granted_at"] = [_("The date of the consent cannot be in the future.")]
    try:
        text = notice_text(organization=person.organization, version=notice_version)
    except KeyError:
        errors["notice_version"] = [_("Unknown notice version.")]
        text = ""
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent(
            organization_id=person.organization_id,
            person=person,
            purposes=cleaned,
            notice_version=notice_version,
            notice_hash=notice_hash(text),
            channel=channel,
            granted_at=granted_at,
            collected_by=actor,
        )
        if evidence is not None:
            consent.evidence = evidence  # type: ignore[assignment]
        consent.save()
        event_record(
            actor=actor,
            organization=person.organization,
            step_key="consent.recorded",
            obj=consent,
            summary=_("Consent recorded for %(name)s") % {"name": person.full_name},
            after={
                "person": person.full_name,
                "purposes": cleaned,
                "channel": channel,
                "notice_version": notice_version,
                "notice_hash": consent.notice_hash,
            },
        )
    return consent


def consent_revoke(*, actor: User, consent: Consent, reason: str) -> Consent:
    """Revoke a consent. The rows stay (archival retention): their uses are blocked from now.

    With no other valid consent for sensitive data, the person's sensitive attributes stop
    appearing in screens, exports and statistics (selectors check the consent on each read).
    """
    check_perm(actor, CHANGE, organization_id=consent.organization_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Write the reason for the revocation.")]})
    now = timezone.now()
    with transaction.atomic():
        updated = Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(
            revoked_at=now,
            revocation_reason=reason[:500],
            revoked_by=actor,
            version=F("version") + 1,
        )
        if updated != 1:
            raise TransitionError(_("This consent was already revoked."))
        consent.refresh_from_db()
        event_record(
            actor=actor,
            organization=consent.person.organization,
            step_key="consent.revoked",
            obj=consent,
            summary=_("Consent of %(name)s revoked") % {"name": consent.person.full_name},
            after={"reason": consent.revocation_reason, "purposes": consent.purposes},
        )
    return consent


# --- exports ---------------------------------------------------------------------------------


def registry_export_record(
    *,
    actor: User,
    organization: Organization,
    what: str,
    file_format: str,
    count: int,
    filters: Mapping[str, Any],
    personal_data: bool,
    sensitive_data: bool,
) -> None:
    """Log an export (DESIGN section 7: exports that contain personal data are logged)."""
    check_perm(actor, EXPORT, organization_id=organization.pk)
    with transaction.atomic():
        event_record(
            actor=actor,
            organization=organization,
            step_key="registry.exported",
            obj=None,
            summary=_("Export of %(what)s (%(format)s, %(count)s rows)")
            % {"what": what, "format": file_format.upper(), "count": count},
            after={
                "what": what,
                "format": file_format,
                "count": count,
                "filters": {k: v for k, v in filters.items() if v not in ("", None)},
                "personal_data": personal_data,
                "sensitive_data": sensitive_data,
            },
        )
