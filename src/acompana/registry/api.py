"""API of the registry (mounted at ``/api/v1/registro``): stakeholders, people, consents.

The rules every router follows are ``acompana.core.api``'s; lists filter with ``filters.py``.
Sensitive attributes of people are returned only to roles with
``registry.view_personal_data`` and only with valid consent.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from acompana.core.api import (
    ERROR_RESPONSES,
    CursorParams,
    Page,
    api_permission,
    organization_of,
    page_of,
)
from acompana.geo import selectors as geo_selectors
from acompana.registry import selectors, services
from acompana.registry.filters import PersonFilterQuery, StakeholderFilterQuery
from acompana.registry.imports import MAX_BYTES
from acompana.registry.models import Consent, Person, Stakeholder

router = Router(tags=["Registro"])

VIEW, CHANGE, IMPORT = "registry.view", "registry.change", "registry.import"


# --- schemas ---------------------------------------------------------------------------------


class StakeholderIn(Schema):
    kind: str
    name: str
    health_subtype: str = ""
    nit: str = ""
    dane_code: str = ""
    school_code: str = ""
    parent_school_code: str = ""
    reps_code: str = ""
    department_code: str = ""
    municipality_code: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    category: str = ""
    notes: str = ""


class StakeholderPatch(Schema):
    """Fields to change; omitted fields keep their value. ``version`` as read (409 if stale)."""

    version: int
    kind: str | None = None
    name: str | None = None
    health_subtype: str | None = None
    nit: str | None = None
    dane_code: str | None = None
    school_code: str | None = None
    parent_school_code: str | None = None
    reps_code: str | None = None
    department_code: str | None = None
    municipality_code: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    category: str | None = None
    notes: str | None = None


class StakeholderOut(Schema):
    id: int
    kind: str
    health_subtype: str
    name: str
    nit: str
    dane_code: str
    school_code: str
    parent_id: int | None
    parent_school_code: str
    reps_code: str
    department_code: str | None
    department_name: str | None
    municipality_code: str | None
    municipality_name: str | None
    address: str
    phone: str
    email: str
    website: str
    category: str
    notes: str
    is_active: bool
    version: int


def _stakeholder_out(s: Stakeholder) -> StakeholderOut:
    return StakeholderOut(
        id=s.pk,
        kind=s.kind,
        health_subtype=s.health_subtype,
        name=s.name,
        nit=s.nit,
        dane_code=s.dane_code,
        school_code=s.school_code,
        parent_id=s.parent_id,
        parent_school_code=s.parent.school_code if s.parent else "",
        reps_code=s.reps_code,
        department_code=s.department.code if s.department else None,
        department_name=str(s.department) if s.department else None,
        municipality_code=s.municipality.code if s.municipality else None,
        municipality_name=s.municipality.name if s.municipality else None,
        address=s.address,
        phone=s.phone,
        email=s.email,
        website=s.website,
        category=s.category,
        notes=s.notes,
        is_active=s.is_active,
        version=s.version,
    )


class SensitiveData(Schema):
    age_group: str = ""
    gender: str = ""
    ethnicity: str = ""
    disability: str = ""
    conflict_victim: str = ""


class ConsentIn(Schema):
    purposes: list[str]
    channel: str
    granted_at: datetime.datetime | None = None


class ConsentOut(Schema):
    id: int
    person_id: int
    purposes: list[str]
    notice_version: str
    notice_hash: str
    channel: str
    granted_at: datetime.datetime
    collected_by: str
    revoked_at: datetime.datetime | None
    revocation_reason: str
    is_valid: bool


def _consent_out(c: Consent) -> ConsentOut:
    return ConsentOut(
        id=c.pk,
        person_id=c.person_id,
        purposes=list(c.purposes),
        notice_version=c.notice_version,
        notice_hash=c.notice_hash,
        channel=c.channel,
        granted_at=c.granted_at,
        collected_by=str(c.collected_by),
        revoked_at=c.revoked_at,
        revocation_reason=c.revocation_reason,
        is_valid=c.is_valid,
    )


class ConsentRevokeIn(Schema):
    reason: str


class PersonIn(Schema):
    document_type: str
    document_number: str
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    position: str = ""
    stakeholder_id: int | None = None
    #: only with a consent for ``sensitive_data`` (here or recorded before) and the permission
    sensitive: SensitiveData | None = None
    consent: ConsentIn | None = None


class PersonPatch(Schema):
    version: int
    document_type: str | None = None
    document_number: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    position: str | None = None
    stakeholder_id: int | None = None
    sensitive: SensitiveData | None = None


class PersonOut(Schema):
    id: int
    document_type: str
    document_number: str
    first_name: str
    last_name: str
    email: str
    phone: str
    position: str
    stakeholder_id: int | None
    has_sensitive_consent: bool
    #: null unless the caller may see personal data and a valid consent covers it
    sensitive: SensitiveData | None
    version: int


def _person_out(request: HttpRequest, p: Person) -> PersonOut:
    sensitive = selectors.sensitive_data(user=request.user, person=p)
    return PersonOut(
        id=p.pk,
        document_type=p.document_type,
        document_number=p.document_number,
        first_name=p.first_name,
        last_name=p.last_name,
        email=p.email,
        phone=p.phone,
        position=p.position,
        stakeholder_id=p.stakeholder_id,
        has_sensitive_consent=selectors.person_has_sensitive_consent(p),
        sensitive=SensitiveData(**sensitive) if sensitive is not None else None,
        version=p.version,
    )


class ImportOut(Schema):
    created: int
    filename: str


class DepartmentOut(Schema):
    code: str
    name: str


class MunicipalityOut(Schema):
    code: str
    name: str
    department_code: str


# --- stakeholders ----------------------------------------------------------------------------


@router.get(
    "/grupos-de-valor",
    response={200: Page[StakeholderOut], **ERROR_RESPONSES},
    url_name="stakeholder_list",
)
@api_permission(VIEW)
def stakeholder_list(
    request: HttpRequest,
    filters: Query[StakeholderFilterQuery],
    page: Query[CursorParams],
) -> Any:
    """Stakeholders of the organization, filtered like the list page; paged by cursor."""
    queryset = selectors.stakeholder_list(user=request.user, params=filters.dict(exclude_none=True))
    return page_of(queryset, page, _stakeholder_out)


@router.post(
    "/grupos-de-valor",
    response={201: StakeholderOut, **ERROR_RESPONSES},
    url_name="stakeholder_create",
)
@api_permission(CHANGE)
def stakeholder_create(request: HttpRequest, payload: StakeholderIn) -> Any:
    stakeholder = services.stakeholder_create(
        actor=request.user,  # type: ignore[arg-type]
        organization=organization_of(request),
        data=payload.dict(),
    )
    stakeholder = selectors.stakeholder_get(user=request.user, pk=stakeholder.pk)
    return 201, _stakeholder_out(stakeholder)


@router.post(
    "/grupos-de-valor/importar",
    response={200: ImportOut, **ERROR_RESPONSES},
    url_name="stakeholder_import",
)
@api_permission(IMPORT)
def stakeholder_import(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Import a CSV/XLSX file (the template's columns). All rows or none: with any bad row
    the answer is 400 and ``error.fields`` has the reasons per row (``row_3``) or ``file``.
    """
    if file.size and file.size > MAX_BYTES:
        raise ValidationError({"file": [_("The file is too large.")]})
    result = services.stakeholders_import(
        actor=request.user,  # type: ignore[arg-type]
        organization=organization_of(request),
        content=file.read(),
        filename=file.name or "archivo.csv",
    )
    return {"created": result.created, "filename": result.filename}


@router.get(
    "/grupos-de-valor/{stakeholder_id}",
    response={200: StakeholderOut, **ERROR_RESPONSES},
    url_name="stakeholder_detail",
)
@api_permission(VIEW)
def stakeholder_detail(request: HttpRequest, stakeholder_id: int) -> Any:
    return _stakeholder_out(selectors.stakeholder_get(user=request.user, pk=stakeholder_id))


@router.patch(
    "/grupos-de-valor/{stakeholder_id}",
    response={200: StakeholderOut, **ERROR_RESPONSES},
    url_name="stakeholder_update",
)
@api_permission(CHANGE)
def stakeholder_update(request: HttpRequest, stakeholder_id: int, payload: StakeholderPatch) -> Any:
    """Change some fields; 409 when ``version`` is not the current one."""
    stakeholder = selectors.stakeholder_get(user=request.user, pk=stakeholder_id, action="change")
    data = payload.dict(exclude_unset=True, exclude={"version"})
    services.stakeholder_update(
        actor=request.user,  # type: ignore[arg-type]
        stakeholder=stakeholder,
        expected_version=payload.version,
        data={k: ("" if v is None else v) for k, v in data.items()},
    )
    return _stakeholder_out(selectors.stakeholder_get(user=request.user, pk=stakeholder_id))


@router.post(
    "/grupos-de-valor/{stakeholder_id}/desactivar",
    response={200: StakeholderOut, **ERROR_RESPONSES},
    url_name="stakeholder_deactivate",
)
@api_permission(CHANGE)
def stakeholder_deactivate(request: HttpRequest, stakeholder_id: int) -> Any:
    """Deactivate (409 if already inactive)."""
    stakeholder = selectors.stakeholder_get(user=request.user, pk=stakeholder_id, action="change")
    services.stakeholder_deactivate(actor=request.user, stakeholder=stakeholder)  # type: ignore[arg-type]
    return _stakeholder_out(stakeholder)


@router.post(
    "/grupos-de-valor/{stakeholder_id}/reactivar",
    response={200: StakeholderOut, **ERROR_RESPONSES},
    url_name="stakeholder_reactivate",
)
@api_permission(CHANGE)
def stakeholder_reactivate(request: HttpRequest, stakeholder_id: int) -> Any:
    """Reactivate (409 if already active)."""
    stakeholder = selectors.stakeholder_get(user=request.user, pk=stakeholder_id, action="change")
    services.stakeholder_reactivate(actor=request.user, stakeholder=stakeholder)  # type: ignore[arg-type]
    return _stakeholder_out(stakeholder)


# --- people ----------------------------------------------------------------------------------


def _stakeholder_or_none(request: HttpRequest, pk: int | None) -> Stakeholder | None:
    if pk is None:
        return None
    stakeholder = selectors.stakeholders_for_user(user=request.user).filter(pk=pk).first()
    if stakeholder is None:
        raise ValidationError(
            {"stakeholder_id": [_("There is no such stakeholder in your organization.")]}
        )
    return stakeholder


@router.get("/personas", response={200: Page[PersonOut], **ERROR_RESPONSES}, url_name="person_list")
@api_permission(VIEW)
def person_list(
    request: HttpRequest,
    filters: Query[PersonFilterQuery],
    page: Query[CursorParams],
) -> Any:
    """People of the organization (search by names, document or e-mail); paged by cursor."""
    queryset = selectors.person_list(user=request.user, params=filters.dict(exclude_none=True))
    return page_of(queryset, page, lambda p: _person_out(request, p))


@router.post("/personas", response={201: PersonOut, **ERROR_RESPONSES}, url_name="person_create")
@api_permission(CHANGE)
def person_create(request: HttpRequest, payload: PersonIn) -> Any:
    """Register a person, optionally with the consent given at the same time."""
    data: dict[str, Any] = payload.dict(exclude={"sensitive", "consent", "stakeholder_id"})
    data["stakeholder"] = _stakeholder_or_none(request, payload.stakeholder_id)
    if payload.sensitive is not None:
        data.update(payload.sensitive.dict())
    consent = None
    if payload.consent is not None:
        consent = services.ConsentInput(
            purposes=payload.consent.purposes,
            channel=payload.consent.channel,
            granted_at=payload.consent.granted_at,
        )
    person = services.person_create(
        actor=request.user,  # type: ignore[arg-type]
        organization=organization_of(request),
        data=data,
        consent=consent,
    )
    return 201, _person_out(request, selectors.person_get(user=request.user, pk=person.pk))


@router.get(
    "/personas/{person_id}", response={200: PersonOut, **ERROR_RESPONSES}, url_name="person_detail"
)
@api_permission(VIEW)
def person_detail(request: HttpRequest, person_id: int) -> Any:
    return _person_out(request, selectors.person_get(user=request.user, pk=person_id))


@router.patch(
    "/personas/{person_id}", response={200: PersonOut, **ERROR_RESPONSES}, url_name="person_update"
)
@api_permission(CHANGE)
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    person = selectors.person_get(user=request.user, pk=person_id, action="change")
    data: dict[str, Any] = payload.dict(
        exclude_unset=True, exclude={"version", "sensitive", "stakeholder_id"}
    )
    data = {k: ("" if v is None else v) for k, v in data.items()}
    if "stakeholder_id" in payload.model_fields_set:
        data["stakeholder"] = _stakeholder_or_none(request, payload.stakeholder_id)
    if payload.sensitive is not None:
        data.update(payload.sensitive.dict(exclude_unset=True))
    services.person_update(
        actor=request.user,  # type: ignore[arg-type]
        person=person,
        expected_version=payload.version,
        data=data,
    )
    return _person_out(request, selectors.person_get(user=request.user, pk=person_id))


# --- consents --------------------------------------------------------------------------------


@router.get(
    "/personas/{person_id}/consentimientos",
    response={200: list[ConsentOut], **ERROR_RESPONSES},
    url_name="consent_list",
)
@api_permission(VIEW)
def consent_list(request: HttpRequest, person_id: int) -> Any:
    person = selectors.person_get(user=request.user, pk=person_id)
    return [_consent_out(c) for c in selectors.consents_for_person(person=person)]


@router.post(
    "/personas/{person_id}/consentimientos",
    response={201: ConsentOut, **ERROR_RESPONSES},
    url_name="consent_create",
)
@api_permission(CHANGE)
def consent_create(request: HttpRequest, person_id: int, payload: ConsentIn) -> Any:
    """Record a consent with the current notice (its version and SHA-256 are stored)."""
    person = selectors.person_get(user=request.user, pk=person_id, action="change")
    consent = services.consent_record(
        actor=request.user,  # type: ignore[arg-type]
        person=person,
        purposes=payload.purposes,
        channel=payload.channel,
        granted_at=payload.granted_at,
    )
    return 201, _consent_out(consent)


@router.post(
    "/consentimientos/{consent_id}/revocar",
    response={200: ConsentOut, **ERROR_RESPONSES},
    url_name="consent_revoke",
)
@api_permission(CHANGE)
def consent_revoke(request: HttpRequest, consent_id: int, payload: ConsentRevokeIn) -> Any:
    """Revoke (409 if already revoked). Blocks the uses it covered; nothing is deleted."""
    consent = selectors.consent_get(user=request.user, pk=consent_id)
    services.consent_revoke(
        actor=request.user,  # type: ignore[arg-type]
        consent=consent,
        reason=payload.reason,
    )
    return _consent_out(consent)


# --- DIVIPOLA --------------------------------------------------------------------------------


@router.get(
    "/departamentos",
    response={200: list[DepartmentOut], **ERROR_RESPONSES},
    url_name="department_list",
)
@api_permission(VIEW)
def department_list(request: HttpRequest) -> Any:
    """DIVIPOLA departments (reference data, the same for every organization)."""
    return [DepartmentOut(code=d.code, name=str(d)) for d in geo_selectors.departments()]


@router.get(
    "/municipios",
    response={200: list[MunicipalityOut], **ERROR_RESPONSES},
    url_name="municipality_list",
)
@api_permission(VIEW)
def municipality_list(request: HttpRequest, departamento: str | None = None) -> Any:
    """DIVIPOLA municipalities, optionally of one department (``?departamento=41``)."""
    return [
        MunicipalityOut(code=m.code, name=m.name, department_code=m.department.code)
        for m in geo_selectors.municipalities(department_code=departamento)
    ]
