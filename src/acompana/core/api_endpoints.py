"""API endpoints of the core app: the user's organization(s) and units."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from acompana.core import selectors
from acompana.core.api import ERROR_RESPONSES, api_permission, organization_of

router = Router(tags=["Entidad"])


class OrganizationOut(Schema):
    id: int
    name: str
    short_name: str
    nit: str
    order: str
    procedure_code: str
    department_code: str | None
    municipality_code: str | None


class UnitOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    parent_id: int | None
    is_active: bool


@router.get(
    "/entidad",
    response={200: OrganizationOut, **ERROR_RESPONSES},
    url_name="organization",
    summary="Entidad activa",
    description="Datos de la entidad en la que trabaja la persona autenticada.",
)
@api_permission("registry.view")
def organization(request: HttpRequest) -> OrganizationOut:
    """The user's active organization."""
    org = organization_of(request)
    return OrganizationOut(
        id=org.pk,
        name=org.name,
        short_name=org.short_name,
        nit=org.nit,
        order=org.order,
        procedure_code=org.procedure_code,
        department_code=org.department.code if org.department else None,
        municipality_code=org.municipality.code if org.municipality else None,
    )


@router.get(
    "/dependencias",
    response={200: list[UnitOut], **ERROR_RESPONSES},
    url_name="unit_list",
    summary="Dependencias",
    description="Dependencias (direcciones, subdirecciones, grupos) de la entidad activa.",
)
@api_permission("registry.view")
def unit_list(request: HttpRequest) -> list[UnitOut]:
    """Units of the active organization."""
    return [
        UnitOut(
            id=u.pk,
            name=u.name,
            code=u.code,
            kind=u.kind,
            parent_id=u.parent_id,
            is_active=u.is_active,
        )
        for u in selectors.units_for_user(user=request.user).order_by("name")
    ]
