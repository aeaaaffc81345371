"""API endpoints about the caller: who am I, where do I work, and switching organization."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from acompana.core import services
from acompana.core.api import ERROR_RESPONSES, api_authenticated
from acompana.core.models import Membership, User
from acompana.core.permissions import PERMISSIONS, has_perm
from acompana.core.scoping import active_membership

router = Router(tags=["Cuenta"])


class UserOut(Schema):
    id: int
    email: str
    full_name: str


class OrganizationRef(Schema):
    id: int
    name: str
    short_name: str


class UnitRef(Schema):
    id: int
    name: str


class MembershipOut(Schema):
    organization: OrganizationRef
    roles: list[str] = Field(..., description="Códigos de rol (`admin`, `planner`, …).")
    unit: UnitRef | None
    is_active_organization: bool


class MeOut(Schema):
    user: UserOut
    active_organization: OrganizationRef | None = Field(
        ..., description="Entidad en la que trabaja; todo resultado de la API se limita a ella."
    )
    roles: list[str] = Field(..., description="Roles en la entidad activa.")
    unit: UnitRef | None = Field(..., description="Dependencia en la entidad activa, si tiene.")
    permissions: list[str] = Field(
        ..., description="Permisos que sus roles le dan en la entidad activa."
    )
    organizations: list[MembershipOut] = Field(
        ..., description="Entidades a las que pertenece (cualquiera puede ser la activa)."
    )


class SwitchOrganizationIn(Schema):
    organization_id: int = Field(..., description="Identificador de la entidad a activar.")


def _org_ref(membership: Membership) -> OrganizationRef:
    org = membership.organization
    return OrganizationRef(id=org.pk, name=org.name, short_name=org.short_name)


def _unit_ref(membership: Membership) -> UnitRef | None:
    unit = membership.unit
    return UnitRef(id=unit.pk, name=unit.name) if unit is not None else None


def _me(user: User) -> MeOut:
    active = active_membership(user)
    memberships = (
        Membership.objects.filter(user=user, is_active=True, organization__is_active=True)
        .select_related("organization", "unit")
        .order_by("organization__name")
    )
    return MeOut(
        user=UserOut(id=user.pk, email=user.email, full_name=user.full_name),
        active_organization=_org_ref(active) if active else None,
        roles=list(active.roles) if active else [],
        unit=_unit_ref(active) if active else None,
        permissions=sorted(p for p in PERMISSIONS if has_perm(user, p)) if active else [],
        organizations=[
            MembershipOut(
                organization=_org_ref(m),
                roles=list(m.roles),
                unit=_unit_ref(m),
                is_active_organization=active is not None and m.pk == active.pk,
            )
            for m in memberships
        ],
    )


@router.get(
    "/yo",
    response={200: MeOut, **ERROR_RESPONSES},
    url_name="me",
    summary="Quién soy",
    description=(
        "La persona autenticada, su entidad activa con sus roles y permisos, y todas las "
        "entidades a las que pertenece. Responde también a quien no tiene entidad activa "
        "(`active_organization` nulo), para que un cliente sepa por qué lo demás responde 403."
    ),
)
@api_authenticated
def me(request: HttpRequest) -> MeOut:
    """The authenticated user, its active organization and roles, and all its organizations.

    Answers for any authenticated user, even one without an active organization (then
    ``active_organization`` is null and ``roles`` empty), so a client can tell why other
    endpoints answer 403.
    """
    return _me(request.user)  # type: ignore[arg-type]


@router.post(
    "/yo/entidad",
    response={200: MeOut, **ERROR_RESPONSES},
    url_name="switch_organization",
    summary="Cambiar de entidad activa",
    description=(
        "Activa otra de las entidades de la persona (404 si no pertenece a ella). La entidad "
        "activa es de la persona: el cambio vale también para su sesión y sus otros tokens."
    ),
)
@api_authenticated
def switch_organization(request: HttpRequest, payload: SwitchOrganizationIn) -> MeOut:
    """Make another of the user's organizations the active one (404 if not a member).

    The active organization belongs to the user, so this also changes it for the user's
    browser session and its other tokens.
    """
    user: User = request.user  # type: ignore[assignment]
    try:
        services.user_switch_organization(user=user, organization_id=payload.organization_id)
    except ValidationError:
        raise Http404
    return _me(user)
