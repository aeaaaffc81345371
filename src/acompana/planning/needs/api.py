"""API of the needs (mounted at ``/api/v1/planificacion/necesidades``): SAL-1, EDU-1.

The rules every router follows are ``acompana.core.api``'s; the list filters with
``filters.py``. For writes of unit-scoped roles a need outside their unit is a 404; a wrong
status is a 409.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from acompana.catalog.models import Topic
from acompana.core.api import (
    ERROR_RESPONSES,
    CursorParams,
    Page,
    api_permission,
    organization_of,
    page_of,
)
from acompana.core.models import FiscalYear, Unit
from acompana.planning.models import Need
from acompana.planning.needs import selectors, services
from acompana.planning.needs.filters import NeedFilterQuery
from acompana.registry.models import Stakeholder

router = Router(tags=["Planeación: necesidades"])

VIEW, CHANGE = "planning.view", "planning.change_needs"


# --- schemas ---------------------------------------------------------------------------------


class StakeholderRef(Schema):
    id: int
    name: str


class RequesterOut(Schema):
    name: str
    email: str
    phone: str
    entity: str
    municipality_code: str | None
    consent_notice_version: str
    consent_notice_sha256: str
    consent_at: datetime.datetime | None


class NeedOut(Schema):
    id: int
    reference: str
    title: str
    description: str
    origin: str
    source: str
    priority: str
    status: str
    topic_id: int | None
    topic_name: str | None
    unit_id: int | None
    unit_name: str | None
    fiscal_year: int | None
    stakeholders: list[StakeholderRef]
    #: null unless the need came through the public request form
    requester: RequesterOut | None
    has_evidence: bool
    evidence_filename: str
    discard_reason: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int


def _need_out(need: Need) -> NeedOut:
    requester = None
    if need.requester_name or need.requester_email or need.requester_entity:
        requester = RequesterOut(
            name=need.requester_name,
            email=need.requester_email,
            phone=need.requester_phone,
            entity=need.requester_entity,
            municipality_code=(
                need.requester_municipality.code if need.requester_municipality_id else None  # type: ignore[union-attr]
            ),
            consent_notice_version=need.consent_notice_version,
            consent_notice_sha256=need.consent_notice_sha256,
            consent_at=need.consent_at,
        )
    return NeedOut(
        id=need.pk,
        reference=need.reference,
        title=need.title,
        description=need.description,
        origin=need.origin,
        source=need.source,
        priority=need.priority,
        status=need.status,
        topic_id=need.topic_id,
        topic_name=need.topic.name if need.topic else None,
        unit_id=need.unit_id,
        unit_name=need.unit.name if need.unit else None,
        fiscal_year=need.fiscal_year.year if need.fiscal_year else None,
        stakeholders=[
            StakeholderRef(id=link.stakeholder_id, name=link.stakeholder.name)
            for link in need.stakeholder_links.all()
        ],
        requester=requester,
        has_evidence=bool(need.evidence),
        evidence_filename=need.evidence_filename,
        discard_reason=need.discard_reason,
        created_at=need.created_at,
        updated_at=need.updated_at,
        version=need.version,
    )


class NeedIn(Schema):
    title: str
    description: str
    origin: str = Field(..., description="`offer` (oferta) o `demand` (demanda).")
    source: str = Field(..., description="Fuente: `request`, `email`, `development_plan`, ...")
    priority: str = "medium"
    topic_id: int | None = None
    unit_id: int | None = None
    fiscal_year: int | None = Field(None, description="Vigencia (año); la actual si se omite.")
    stakeholder_ids: list[int] = Field(default_factory=list)


class NeedPatch(Schema):
    """Fields to change; omitted fields keep their value. ``version`` as read (409 if stale)."""

    version: int
    title: str | None = None
    description: str | None = None
    origin: str | None = None
    source: str | None = None
    priority: str | None = None
    topic_id: int | None = None
    unit_id: int | None = None
    fiscal_year: int | None = None
    stakeholder_ids: list[int] | None = None


class TriageIn(Schema):
    version: int
    decision: str = Field(..., description="`accept` (queda abierta) o `discard`.")
    reason: str = Field("", description="Obligatoria para descartar.")
    unit_id: int | None = None
    topic_id: int | None = None
    priority: str | None = None
    stakeholder_ids: list[int] | None = None


class StatusIn(Schema):
    version: int
    status: str = Field(..., description="`open`, `planned`, `addressed` o `discarded`.")
    reason: str = Field("", description="Obligatoria para descartar.")


# --- references in payloads ------------------------------------------------------------------


def _topic(request: HttpRequest, pk: int | None) -> Topic | None:
    if pk is None:
        return None
    topic = Topic.objects.for_user(request.user).filter(pk=pk).first()
    if topic is None:
        raise ValidationError({"topic_id": [_("There is no such topic in your organization.")]})
    return topic  # type: ignore[no-any-return]


def _unit(request: HttpRequest, pk: int | None) -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.for_user(request.user).filter(pk=pk).first()
    if unit is None:
        raise ValidationError({"unit_id": [_("There is no such unit in your organization.")]})
    return unit  # type: ignore[no-any-return]


def _fiscal_year(request: HttpRequest, year: int | None) -> FiscalYear | None:
    if year is None:
        return None
    found = FiscalYear.objects.for_user(request.user).filter(year=year).first()
    if found is None:
        raise ValidationError(
            {"fiscal_year": [_("The fiscal year %(year)s is not registered.") % {"year": year}]}
        )
    return found  # type: ignore[no-any-return]


def _stakeholders(request: HttpRequest, ids: list[int]) -> list[Stakeholder]:
    wanted = list(dict.fromkeys(ids))
    found = {s.pk: s for s in Stakeholder.objects.for_user(request.user).filter(pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {
                "stakeholder_ids": [
                    _("There is no stakeholder %(ids)s in your organization.")
                    % {"ids": ", ".join(str(pk) for pk in missing)}
                ]
            }
        )
    return [found[pk] for pk in wanted]


# --- operations ------------------------------------------------------------------------------


@router.get(
    "/necesidades",
    response={200: Page[NeedOut], **ERROR_RESPONSES},
    url_name="planning_need_list",
)
@api_permission(VIEW)
def need_list(
    request: HttpRequest, filters: Query[NeedFilterQuery], page: Query[CursorParams]
) -> Any:
    """Needs of the organization, filtered like the list page; paged by cursor."""
    queryset = selectors.need_list(user=request.user, params=filters.dict(exclude_none=True))
    return page_of(queryset, page, _need_out)


@router.post(
    "/necesidades",
    response={201: NeedOut, **ERROR_RESPONSES},
    url_name="planning_need_create",
)
@api_permission(CHANGE)
def need_create(request: HttpRequest, payload: NeedIn) -> Any:
    """Register a need (open). The evidence file is uploaded through the page."""
    data = {
        "title": payload.title,
        "description": payload.description,
        "origin": payload.origin,
        "source": payload.source,
        "priority": payload.priority,
        "topic": _topic(request, payload.topic_id),
        "unit": _unit(request, payload.unit_id),
        "fiscal_year": _fiscal_year(request, payload.fiscal_year),
        "stakeholders": _stakeholders(request, payload.stakeholder_ids),
    }
    need = services.need_create(
        actor=request.user,  # type: ignore[arg-type]
        organization=organization_of(request),
        data=data,
    )
    return 201, _need_out(selectors.need_get(user=request.user, pk=need.pk))


@router.get(
    "/necesidades/{need_id}",
    response={200: NeedOut, **ERROR_RESPONSES},
    url_name="planning_need_detail",
)
@api_permission(VIEW)
def need_detail(request: HttpRequest, need_id: int) -> Any:
    return _need_out(selectors.need_get(user=request.user, pk=need_id))


@router.patch(
    "/necesidades/{need_id}",
    response={200: NeedOut, **ERROR_RESPONSES},
    url_name="planning_need_update",
)
@api_permission(CHANGE)
def need_update(request: HttpRequest, need_id: int, payload: NeedPatch) -> Any:
    """Change some fields; 409 when ``version`` is not the current one."""
    need = selectors.need_get(user=request.user, pk=need_id, action="change")
    sent = payload.model_fields_set
    data: dict[str, Any] = {}
    for name in ("title", "description", "origin", "source", "priority"):
        if name in sent:
            data[name] = getattr(payload, name) or ""
    if "topic_id" in sent:
        data["topic"] = _topic(request, payload.topic_id)
    if "unit_id" in sent:
        data["unit"] = _unit(request, payload.unit_id)
    if "fiscal_year" in sent:
        data["fiscal_year"] = _fiscal_year(request, payload.fiscal_year)
    if "stakeholder_ids" in sent:
        data["stakeholders"] = _stakeholders(request, payload.stakeholder_ids or [])
    services.need_update(
        actor=request.user,  # type: ignore[arg-type]
        need=need,
        expected_version=payload.version,
        data=data,
    )
    return _need_out(selectors.need_get(user=request.user, pk=need_id))


@router.post(
    "/necesidades/{need_id}/clasificar",
    response={200: NeedOut, **ERROR_RESPONSES},
    url_name="planning_need_triage",
)
@api_permission(CHANGE)
def need_triage(request: HttpRequest, need_id: int, payload: TriageIn) -> Any:
    """Triage a request of the public form: accept (→ open) or discard with a reason.
    409 when it was already triaged or ``version`` is stale."""
    need = selectors.need_get(user=request.user, pk=need_id, action="triage")
    sent = payload.model_fields_set
    data: dict[str, Any] = {}
    if "unit_id" in sent:
        data["unit"] = _unit(request, payload.unit_id)
    if "topic_id" in sent:
        data["topic"] = _topic(request, payload.topic_id)
    if payload.priority is not None:
        data["priority"] = payload.priority
    if payload.stakeholder_ids is not None:
        data["stakeholders"] = _stakeholders(request, payload.stakeholder_ids)
    services.need_triage(
        actor=request.user,  # type: ignore[arg-type]
        need=need,
        decision=payload.decision,
        expected_version=payload.version,
        reason=payload.reason,
        data=data,
    )
    return _need_out(selectors.need_get(user=request.user, pk=need_id))


@router.post(
    "/necesidades/{need_id}/estado",
    response={200: NeedOut, **ERROR_RESPONSES},
    url_name="planning_need_set_status",
)
@api_permission(CHANGE)
def need_set_status(request: HttpRequest, need_id: int, payload: StatusIn) -> Any:
    """Move the need to another status (409 when the move is not allowed from its status)."""
    need = selectors.need_get(user=request.user, pk=need_id, action="change")
    services.need_set_status(
        actor=request.user,  # type: ignore[arg-type]
        need=need,
        status=payload.status,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _need_out(selectors.need_get(user=request.user, pk=need_id))
