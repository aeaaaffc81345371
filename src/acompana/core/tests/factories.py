"""Factories and the personas shared by every test module (DESIGN section 6.6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import factory
from django.utils import timezone

from acompana.core.choices import GovernmentOrder, ProcedureCode, Role, UnitKind
from acompana.core.models import FiscalYear, Membership, Organization, Unit, User
from acompana.core.validators import nit_with_check_digit

PASSWORD = "clave-de-prueba-2026"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Secretaría de Salud de Prueba {n}")
    short_name = factory.Sequence(lambda n: f"SSP{n}")
    slug = factory.Sequence(lambda n: f"entidad-{n}")
    nit = factory.Sequence(lambda n: nit_with_check_digit(f"{800000000 + n:09d}"))
    order = GovernmentOrder.TERRITORIAL
    procedure_code = ProcedureCode.SAL


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Dirección técnica {n}")
    code = factory.Sequence(lambda n: f"DT{n}")
    kind = UnitKind.DIRECTORATE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@example.gov.co")
    full_name = factory.Sequence(lambda n: f"Persona de Prueba {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    roles = factory.LazyFunction(lambda: [Role.PROFESSIONAL])


def member(organization: Organization, *roles: str, unit: Unit | None = None, **user_kw) -> User:
    """A user with ``roles`` in ``organization``, working in it."""
    user = UserFactory(active_organization=organization, **user_kw)
    MembershipFactory(organization=organization, user=user, roles=list(roles), unit=unit)
    return user


@dataclass
class World:
    """Two organizations and one persona per role. ``outsider`` holds every role in ``other``."""

    org: Organization
    other: Organization
    unit: Unit
    sibling_unit: Unit
    users: dict[str, User] = field(default_factory=dict)
    outsider: User | None = None
    objects: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


#: what the generic permission tests ask ``core.permissions.roles_in`` about: the procedure
#: of the organization ``build_world()`` makes (SAL, no adjustments)
WORLD_PROCEDURE = SimpleNamespace(procedure_code=ProcedureCode.SAL, procedure_overrides=None)


def build_world(procedure_code: str = ProcedureCode.SAL) -> World:
    org = OrganizationFactory(procedure_code=procedure_code)
    other = OrganizationFactory(procedure_code=ProcedureCode.FP, order=GovernmentOrder.NATIONAL)
    unit = UnitFactory(organization=org, name="Salud Pública")
    sibling = UnitFactory(organization=org, name="Aseguramiento")
    year = timezone.now().year
    FiscalYear.objects.create(
        organization=org,
        year=year,
        start_date=timezone.datetime(year, 1, 1).date(),
        end_date=timezone.datetime(year, 12, 31).date(),
        is_current=True,
    )
    world = World(org=org, other=other, unit=unit, sibling_unit=sibling)
    for role in Role:
        unit_for_role = unit if role in (Role.UNIT_HEAD, Role.PROFESSIONAL) else None
        world.users[role.value] = member(
            org, role.value, unit=unit_for_role, full_name=f"Persona {role.label}"
        )
    world.outsider = member(other, *[r.value for r in Role], full_name="Persona de otra entidad")
    return world
