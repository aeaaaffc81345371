"""API of the catalogue (``/api/v1/catalogo``): vocabularies, services and their milestones.

The rules every router follows are ``acompana.core.api``'s; the services list filters with
``filters.py``. Reads need ``catalog.view`` (every role), writes ``catalog.change`` (admin,
unit head); for writes, a service of another unit is a 404 when the user's writes are
limited to its unit.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from acompana.catalog import selectors, services
from acompana.catalog.choices import ActiveFilter, CatalogKind
from acompana.catalog.filters import ServiceFilterForm
from acompana.catalog.models import CatalogValue, MilestoneTemplate, Service
from acompana.core.api import (
    ERROR_RESPONSES,
    CursorParams,
    Page,
    api_permission,
    get_scoped_or_404,
    organization_of,
    page_of,
)
from acompana.core.filters import bind
from acompana.core.models import Unit

router = Router(tags=["Catálogo"])

VIEW = "catalog.view"
CHANGE = "catalog.change"

Origin = Literal["offer", "demand", "both"]


# --- schemas -----------------------------------------------------------------------------------


class CatalogValueOut(Schema):
    id: int
    code: str
    name: str
    description: str
    is_active: bool
    sort_order: int
    parent_id: int | None = Field(None, description="Temática superior (solo temáticas).")


class MilestoneOut(Schema):
    id: int
    service_id: int
    order: int
    name: str
    description: str
    expected_evidence: str
    relative_due_days: int | None
    required: bool = Field(
        ..., description="El servicio se entiende prestado solo con todos los hitos requeridos."
    )
    version: int


class ServiceOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    name: str
    code: str
    description: str
    service_type_id: int
    service_type_name: str
    origin: Origin
    topic_ids: list[int]
    mechanism_ids: list[int]
    modality_ids: list[int]
    target_stakeholder_kinds: list[str]
    duration_days: int | None
    estimated_hours: int | None
    is_active: bool
    milestone_count: int
    version: int


class ServiceDetailOut(ServiceOut):
    milestones: list[MilestoneOut]


class ServiceIn(Schema):
    unit_id: int
    name: str = Field(..., max_length=200)
    code: str = Field("", max_length=60)
    description: str = ""
    service_type_id: int
    origin: Origin = "both"
    topic_ids: list[int] = []
    mechanism_ids: list[int] = []
    modality_ids: list[int] = []
    target_stakeholder_kinds: list[str] = Field(
        [],
        description="Códigos: public_entity_national, public_entity_territorial, municipality, "
        "department, school, school_site, health_actor, social_organisation, other.",
    )
    duration_days: int | None = Field(None, ge=0)
    estimated_hours: int | None = Field(None, ge=0)


class ServiceUpdateIn(ServiceIn):
    version: int = Field(..., description="La versión leída; si cambió entretanto: 409.")


class VersionIn(Schema):
    version: int


class MilestoneIn(Schema):
    name: str = Field(..., max_length=200)
    description: str = ""
    expected_evidence: str = Field("", max_length=300)
    relative_due_days: int | None = Field(None, ge=0)
    required: bool = True


class MilestoneUpdateIn(MilestoneIn):
    version: int


class MilestoneOrderIn(Schema):
    ordered_ids: list[int] = Field(..., description="Todos los hitos del servicio, en orden.")


class ServiceQuery(Schema):
    """Query parameters of the services list (their names in the API; the filter itself is
    the page's ``ServiceFilterForm``)."""

    q: str | None = Field(None, description="Busca en nombre, descripción y código.")
    unit_id: int | None = Field(None, ge=1)
    service_type_id: int | None = Field(None, ge=1)
    topic_id: int | None = Field(None, ge=1, description="Incluye las subtemáticas.")
    mechanism_id: int | None = Field(None, ge=1)
    modality_id: int | None = Field(None, ge=1)
    origin: Origin | None = None
    active: bool | None = Field(
        None, description="true: ofrecidos; false: retirados; vacío: todos."
    )

    def to_filters(self) -> ServiceFilterForm:
        """The list's filter form bound to these parameters (400 if one is not valid)."""
        active = {True: ActiveFilter.ACTIVE, False: ActiveFilter.INACTIVE, None: ActiveFilter.ALL}
        params = {
            "q": self.q,
            "unit": self.unit_id,
            "service_type": self.service_type_id,
            "topic": self.topic_id,
            "mechanism": self.mechanism_id,
            "modality": self.modality_id,
            "origin": self.origin,
            "active": active[self.active],
        }
        form: ServiceFilterForm = bind(ServiceFilterForm, params)
        return form


# --- helpers -----------------------------------------------------------------------------------

#: service field → API field, for the field errors of the error shape
API_FIELDS = {
    "unit": "unit_id",
    "service_type": "service_type_id",
    "topics": "topic_ids",
    "mechanisms": "mechanism_ids",
    "modalities": "modality_ids",
}


def _api_fields(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({API_FIELDS.get(k, k): v for k, v in exc.error_dict.items()})


def _value_out(value: CatalogValue) -> dict[str, Any]:
    return {
        "id": value.pk,
        "code": value.code,
        "name": value.name,
        "description": value.description,
        "is_active": value.is_active,
        "sort_order": value.sort_order,
        "parent_id": getattr(value, "parent_id", None),
    }


def _milestone_out(milestone: MilestoneTemplate) -> dict[str, Any]:
    return {
        "id": milestone.pk,
        "service_id": milestone.service_id,
        "order": milestone.order,
        "name": milestone.name,
        "description": milestone.description,
        "expected_evidence": milestone.expected_evidence,
        "relative_due_days": milestone.relative_due_days,
        "required": milestone.required,
        "version": milestone.version,
    }


def _service_out(service: Service, milestone_count: int | None = None) -> dict[str, Any]:
    count = getattr(service, "milestone_count", milestone_count)
    return {
        "id": service.pk,
        "unit_id": service.unit_id,
        "unit_name": service.unit.name,
        "name": service.name,
        "code": service.code,
        "description": service.description,
        "service_type_id": service.service_type_id,
        "service_type_name": service.service_type.name,
        "origin": service.origin,
        "topic_ids": [t.pk for t in service.topics.all()],
        "mechanism_ids": [m.pk for m in service.mechanisms.all()],
        "modality_ids": [m.pk for m in service.modalities.all()],
        "target_stakeholder_kinds": list(service.target_stakeholder_kinds),
        "duration_days": service.duration_days,
        "estimated_hours": service.estimated_hours,
        "is_active": service.is_active,
        "milestone_count": count or 0,
        "version": service.version,
    }


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    service = get_scoped_or_404(selectors.service_detail(user=request.user), pk=pk)
    milestones = list(service.milestones.all())
    return {
        **_service_out(service, len(milestones)),
        "milestones": [_milestone_out(m) for m in milestones],
    }


def _missing_message(kind: str) -> str:
    """The error for ids that name no value of the vocabulary ``kind`` in the organization."""
    messages = {
        CatalogKind.SERVICE_TYPE: _(
            "There is no service type with id %(ids)s in your organization."
        ),
        CatalogKind.TOPIC: _("There is no topic with id %(ids)s in your organization."),
        CatalogKind.MECHANISM: _("There is no mechanism with id %(ids)s in your organization."),
        CatalogKind.MODALITY: _("There is no modality with id %(ids)s in your organization."),
    }
    return messages[CatalogKind(kind)]


def _resolve(request: HttpRequest, kind: str, ids: list[int], field: str) -> list[CatalogValue]:
    wanted = list(dict.fromkeys(ids))
    found = {
        v.pk: v
        for v in selectors.catalog_values(user=request.user, kind=kind).filter(pk__in=wanted)
    }
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationError({field: _missing_message(kind) % {"ids": ", ".join(missing)}})
    return [found[pk] for pk in wanted]


def _service_data(request: HttpRequest, payload: ServiceIn) -> dict[str, Any]:
    unit = Unit.objects.for_user(request.user).filter(pk=payload.unit_id).first()
    if unit is None:
        raise ValidationError({"unit_id": _("The unit does not exist in your organization.")})
    service_types = _resolve(
        request, CatalogKind.SERVICE_TYPE, [payload.service_type_id], "service_type_id"
    )
    return {
        "unit": unit,
        "name": payload.name,
        "code": payload.code,
        "description": payload.description,
        "service_type": service_types[0],
        "origin": payload.origin,
        "topics": _resolve(request, CatalogKind.TOPIC, payload.topic_ids, "topic_ids"),
        "mechanisms": _resolve(
            request, CatalogKind.MECHANISM, payload.mechanism_ids, "mechanism_ids"
        ),
        "modalities": _resolve(request, CatalogKind.MODALITY, payload.modality_ids, "modality_ids"),
        "target_stakeholder_kinds": payload.target_stakeholder_kinds,
        "duration_days": payload.duration_days,
        "estimated_hours": payload.estimated_hours,
    }


def _changeable_service(request: HttpRequest, pk: int) -> Service:
    return get_scoped_or_404(
        selectors.services_for_user(user=request.user, action="change").select_related(
            "unit", "service_type", "organization"
        ),
        pk=pk,
    )


def _changeable_milestone(request: HttpRequest, pk: int) -> MilestoneTemplate:
    return get_scoped_or_404(
        selectors.milestones_for_user(user=request.user, action="change"), pk=pk
    )


def _values(request: HttpRequest, kind: str, active: bool | None) -> list[dict[str, Any]]:
    values = selectors.catalog_values(user=request.user, kind=kind)
    if active is not None:
        values = values.filter(is_active=active)
    return [_value_out(v) for v in values]


# --- vocabularies ------------------------------------------------------------------------------


@router.get(
    "/tipos-de-servicio",
    response={200: list[CatalogValueOut], **ERROR_RESPONSES},
    url_name="catalog_service_type_list",
)
@api_permission(VIEW)
def service_type_list(request: HttpRequest, active: bool | None = None) -> Any:
    """Tipos de servicio de la entidad (asesoría, orientación, asistencia técnica, ...)."""
    return _values(request, CatalogKind.SERVICE_TYPE, active)


@router.get(
    "/tematicas",
    response={200: list[CatalogValueOut], **ERROR_RESPONSES},
    url_name="catalog_topic_list",
)
@api_permission(VIEW)
def topic_list(request: HttpRequest, active: bool | None = None) -> Any:
    """Temáticas de la entidad; `parent_id` indica la temática superior de una subtemática."""
    return _values(request, CatalogKind.TOPIC, active)


@router.get(
    "/mecanismos",
    response={200: list[CatalogValueOut], **ERROR_RESPONSES},
    url_name="catalog_mechanism_list",
)
@api_permission(VIEW)
def mechanism_list(request: HttpRequest, active: bool | None = None) -> Any:
    """Mecanismos de la entidad (taller, visita, mesa de trabajo, ...)."""
    return _values(request, CatalogKind.MECHANISM, active)


@router.get(
    "/modalidades",
    response={200: list[CatalogValueOut], **ERROR_RESPONSES},
    url_name="catalog_modality_list",
)
@api_permission(VIEW)
def modality_list(request: HttpRequest, active: bool | None = None) -> Any:
    """Modalidades de la entidad (presencial, virtual, híbrida)."""
    return _values(request, CatalogKind.MODALITY, active)


# --- services ----------------------------------------------------------------------------------


@router.get(
    "/servicios",
    response={200: Page[ServiceOut], **ERROR_RESPONSES},
    url_name="catalog_service_list",
)
@api_permission(VIEW)
def service_list(
    request: HttpRequest, filters: Query[ServiceQuery], page: Query[CursorParams]
) -> Any:
    """Servicios del portafolio, filtrados y paginados por cursor."""
    queryset = selectors.service_list(user=request.user, filters=filters.to_filters())
    return page_of(queryset, page, _service_out)


@router.get(
    "/servicios/{service_id}",
    response={200: ServiceDetailOut, **ERROR_RESPONSES},
    url_name="catalog_service_detail",
)
@api_permission(VIEW)
def service_detail(request: HttpRequest, service_id: int) -> Any:
    """Un servicio con sus hitos, en orden."""
    return _detail(request, service_id)


@router.post(
    "/servicios",
    response={201: ServiceDetailOut, **ERROR_RESPONSES},
    url_name="catalog_service_create",
)
@api_permission(CHANGE)
def service_create(request: HttpRequest, payload: ServiceIn) -> Any:
    """Registra un servicio de una dependencia (jefe de dependencia: solo de la suya)."""
    try:
        service = services.service_create(
            actor=request.user,  # type: ignore[arg-type]
            organization=organization_of(request),
            data=_service_data(request, payload),
        )
    except ValidationError as exc:
        raise _api_fields(exc)
    return 201, _detail(request, service.pk)


@router.put(
    "/servicios/{service_id}",
    response={200: ServiceDetailOut, **ERROR_RESPONSES},
    url_name="catalog_service_update",
)
@api_permission(CHANGE)
def service_update(request: HttpRequest, service_id: int, payload: ServiceUpdateIn) -> Any:
    """Reemplaza los datos de un servicio; `version` desactualizada: 409."""
    service = _changeable_service(request, service_id)
    try:
        services.service_update(
            actor=request.user,  # type: ignore[arg-type]
            service=service,
            expected_version=payload.version,
            data=_service_data(request, payload),
        )
    except ValidationError as exc:
        raise _api_fields(exc)
    return _detail(request, service.pk)


@router.post(
    "/servicios/{service_id}/desactivar",
    response={200: ServiceDetailOut, **ERROR_RESPONSES},
    url_name="catalog_service_deactivate",
)
@api_permission(CHANGE)
def service_deactivate(request: HttpRequest, service_id: int, payload: VersionIn) -> Any:
    """Retira el servicio de la oferta (sigue en los registros anteriores)."""
    service = _changeable_service(request, service_id)
    services.service_deactivate(
        actor=request.user,  # type: ignore[arg-type]
        service=service,
        expected_version=payload.version,
    )
    return _detail(request, service.pk)


@router.post(
    "/servicios/{service_id}/reactivar",
    response={200: ServiceDetailOut, **ERROR_RESPONSES},
    url_name="catalog_service_reactivate",
)
@api_permission(CHANGE)
def service_reactivate(request: HttpRequest, service_id: int, payload: VersionIn) -> Any:
    """Vuelve a ofrecer un servicio retirado."""
    service = _changeable_service(request, service_id)
    services.service_reactivate(
        actor=request.user,  # type: ignore[arg-type]
        service=service,
        expected_version=payload.version,
    )
    return _detail(request, service.pk)


# --- milestones --------------------------------------------------------------------------------


@router.post(
    "/servicios/{service_id}/hitos",
    response={201: MilestoneOut, **ERROR_RESPONSES},
    url_name="catalog_milestone_create",
)
@api_permission(CHANGE)
def milestone_create(request: HttpRequest, service_id: int, payload: MilestoneIn) -> Any:
    """Agrega un hito al final de los hitos del servicio."""
    service = _changeable_service(request, service_id)
    milestone = services.milestone_template_create(
        actor=request.user,  # type: ignore[arg-type]
        service=service,
        data=payload.dict(),
    )
    return 201, _milestone_out(milestone)


@router.post(
    "/servicios/{service_id}/hitos/orden",
    response={200: list[MilestoneOut], **ERROR_RESPONSES},
    url_name="catalog_milestone_reorder",
)
@api_permission(CHANGE)
def milestone_reorder(request: HttpRequest, service_id: int, payload: MilestoneOrderIn) -> Any:
    """Ordena los hitos del servicio (cada hito exactamente una vez)."""
    service = _changeable_service(request, service_id)
    milestones = services.milestone_template_reorder(
        actor=request.user,  # type: ignore[arg-type]
        service=service,
        ordered_ids=payload.ordered_ids,
    )
    return [_milestone_out(m) for m in milestones]


@router.put(
    "/hitos/{milestone_id}",
    response={200: MilestoneOut, **ERROR_RESPONSES},
    url_name="catalog_milestone_update",
)
@api_permission(CHANGE)
def milestone_update(request: HttpRequest, milestone_id: int, payload: MilestoneUpdateIn) -> Any:
    """Reemplaza los datos de un hito; `version` desactualizada: 409."""
    milestone = _changeable_milestone(request, milestone_id)
    data = payload.dict()
    version = data.pop("version")
    services.milestone_template_update(
        actor=request.user,  # type: ignore[arg-type]
        milestone=milestone,
        expected_version=version,
        data=data,
    )
    return _milestone_out(milestone)


@router.delete(
    "/hitos/{milestone_id}",
    response={204: None, **ERROR_RESPONSES},
    url_name="catalog_milestone_delete",
)
@api_permission(CHANGE)
def milestone_delete(request: HttpRequest, milestone_id: int, version: int | None = None) -> Any:
    """Elimina un hito (con `?version=` se rechaza si cambió entretanto: 409)."""
    milestone = _changeable_milestone(request, milestone_id)
    services.milestone_template_delete(
        actor=request.user,  # type: ignore[arg-type]
        milestone=milestone,
        expected_version=version,
    )
    return 204, None
