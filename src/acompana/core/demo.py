"""Demo data: four organizations, one per official procedure, with units and a user per role.

Idempotent: a second ``load_demo`` finds everything in place and changes nothing. Each app
adds its own demo data through the ``demo_loader`` its ``AppConfig`` declares
(``load(organization=..., spec=...)``), in lifecycle order.
Every demo organization's name says "(demostración)" so nobody mistakes it for real data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from acompana.core.choices import GovernmentOrder, ProcedureCode, Role, UnitKind
from acompana.core.models import FiscalYear, Membership, Organization, Unit, User
from acompana.core.plugins import apps_with
from acompana.core.scoping import forget_membership
from acompana.core.validators import nit_with_check_digit
from acompana.geo.models import Department, Municipality

DEMO_PASSWORD = "Acompana-Demo-2026"


@dataclass
class DemoOrganization:
    slug: str
    name: str
    short_name: str
    nit_body: str
    order: str
    procedure: str
    department_code: str | None
    municipality_code: str | None
    process_name: str
    email_domain: str
    #: (name, code, kind, parent name)
    units: list[tuple[str, str, str, str | None]] = field(default_factory=list)


DEMO_ORGANIZATIONS = [
    DemoOrganization(
        slug="salud-huila",
        name="Secretaría de Salud Departamental del Huila (demostración)",
        short_name="SSD Huila",
        nit_body="800103913",
        order=GovernmentOrder.TERRITORIAL,
        procedure=ProcedureCode.SAL,
        department_code="41",
        municipality_code="41001",
        process_name="Gestión en Salud y Seguridad Social",
        email_domain="salud.demo.gov.co",
        units=[
            ("Despacho de la Secretaría", "DS", UnitKind.OFFICE, None),
            (
                "Dirección de Desarrollo de Servicios e IVC",
                "DDS",
                UnitKind.DIRECTORATE,
                "Despacho de la Secretaría",
            ),
            ("Salud Integral", "SI", UnitKind.DIRECTORATE, "Despacho de la Secretaría"),
            ("Grupo de Salud Pública", "GSP", UnitKind.GROUP, "Salud Integral"),
            (
                "Dirección Administrativa y de Control Financiero",
                "DACF",
                UnitKind.DIRECTORATE,
                "Despacho de la Secretaría",
            ),
            (
                "Dirección de Planeación y Mejoramiento en Salud",
                "DPMS",
                UnitKind.DIRECTORATE,
                "Despacho de la Secretaría",
            ),
        ],
    ),
    DemoOrganization(
        slug="funcion-publica",
        name="Departamento Administrativo de la Función Pública (demostración)",
        short_name="Función Pública",
        nit_body="800197268",
        order=GovernmentOrder.NATIONAL,
        procedure=ProcedureCode.FP,
        department_code="11",
        municipality_code="11001",
        process_name="Gestión del conocimiento y asistencia técnica integral",
        email_domain="funcionpublica.demo.gov.co",
        units=[
            ("Dirección de Gestión y Desempeño Institucional", "DGDI", UnitKind.DIRECTORATE, None),
            (
                "Dirección de Participación, Transparencia y Servicio al Ciudadano",
                "DPTSC",
                UnitKind.DIRECTORATE,
                None,
            ),
            ("Dirección de Empleo Público", "DEP", UnitKind.DIRECTORATE, None),
            ("Dirección de Desarrollo Organizacional", "DDO", UnitKind.DIRECTORATE, None),
            ("Dirección Jurídica", "DJ", UnitKind.DIRECTORATE, None),
            ("Oficina Asesora de Planeación", "OAP", UnitKind.OFFICE, None),
            ("Grupo de Gestión Financiera", "GGF", UnitKind.GROUP, None),
        ],
    ),
    DemoOrganization(
        slug="educacion-boyaca",
        name="Secretaría de Educación Departamental de Boyacá (demostración)",
        short_name="SED Boyacá",
        nit_body="891800498",
        order=GovernmentOrder.TERRITORIAL,
        procedure=ProcedureCode.EDU,
        department_code="15",
        municipality_code="15001",
        process_name="Mejoramiento de la calidad educativa",
        email_domain="educacion.demo.gov.co",
        units=[
            ("Despacho de la Secretaría de Educación", "DSE", UnitKind.OFFICE, None),
            (
                "Grupo de Calidad Educativa",
                "GCE",
                UnitKind.GROUP,
                "Despacho de la Secretaría de Educación",
            ),
            (
                "Grupo de Cobertura Educativa",
                "GCO",
                UnitKind.GROUP,
                "Despacho de la Secretaría de Educación",
            ),
            (
                "Grupo de Inspección y Vigilancia",
                "GIV",
                UnitKind.GROUP,
                "Despacho de la Secretaría de Educación",
            ),
            (
                "Grupo de Planeación Educativa",
                "GPE",
                UnitKind.GROUP,
                "Despacho de la Secretaría de Educación",
            ),
            ("Grupo Financiero", "GF", UnitKind.GROUP, "Despacho de la Secretaría de Educación"),
        ],
    ),
    DemoOrganization(
        slug="dnp",
        name="Departamento Nacional de Planeación (demostración)",
        short_name="DNP",
        nit_body="899999011",
        order=GovernmentOrder.NATIONAL,
        procedure=ProcedureCode.DNP,
        department_code="11",
        municipality_code="11001",
        process_name="Asistencia Técnica",
        email_domain="dnp.demo.gov.co",
        units=[
            (
                "Dirección de Descentralización y Fortalecimiento Fiscal",
                "DDFF",
                UnitKind.DIRECTORATE,
                None,
            ),
            (
                "Subdirección Territorial",
                "ST",
                UnitKind.SUBDIRECTORATE,
                "Dirección de Descentralización y Fortalecimiento Fiscal",
            ),
            (
                "Dirección de Programación de Inversiones Públicas",
                "DPIP",
                UnitKind.DIRECTORATE,
                None,
            ),
            ("Oficina Asesora de Planeación", "OAP", UnitKind.OFFICE, None),
            ("Subdirección Financiera", "SF", UnitKind.SUBDIRECTORATE, None),
        ],
    ),
]

#: Role → (e-mail local part, full name); unit-scoped roles get the first working unit.
DEMO_PEOPLE = [
    (Role.ADMIN, "admin", "Adriana Méndez Rojas"),
    (Role.LEADERSHIP, "direccion", "Luis Fernando Cárdenas"),
    (Role.COMMITTEE, "comite", "Martha Lucía Quintero"),
    (Role.UNIT_HEAD, "jefe", "Carlos Andrés Pineda"),
    (Role.PLANNER, "planeacion", "Diana Marcela Rincón"),
    (Role.PROFESSIONAL, "profesional", "Jorge Iván Ospina"),
    (Role.FINANCE, "financiera", "Sandra Patricia Gómez"),
    (Role.ARCHIVIST, "archivo", "Héctor Julio Vargas"),
    (Role.AUDITOR, "control", "Gloria Inés Castaño"),
]
#: The second working unit's own unit head and professional (e-mail local part, full name),
#: so the demo shows two units planning side by side, each seeing only its own work.
SECOND_UNIT_PEOPLE = [
    (Role.UNIT_HEAD, "jefe2", "Natalia Ortiz Becerra"),
    (Role.PROFESSIONAL, "profesional2", "Andrés Felipe Molina"),
]
#: A consultant who works for two organizations, to show switching.
MULTI_ORG_USER = ("consultora@demo.gov.co", "Paula Andrea Restrepo", ["salud-huila", "dnp"])


def demo_actor(organization: Organization, role: str, *, unit: Unit | None = None) -> User | None:
    """The demo user holding ``role`` in ``organization``, working in it (None if none).

    ``unit``: the one whose membership is in that unit (each working unit has its own unit
    head and professional).

    Demo data stands for what people would have done, so app demo loaders write through
    the services as this user (the services check its role), not as the system actor.
    """
    memberships = Membership.objects.filter(
        organization=organization, is_active=True, roles__contains=[role]
    )
    if unit is not None:
        memberships = memberships.filter(unit=unit)
    membership = memberships.select_related("user").order_by("pk").first()
    if membership is None:
        return None
    user = membership.user
    if user.active_organization_id != organization.pk:
        User.objects.filter(pk=user.pk).update(active_organization=organization)
        user.active_organization = organization
    forget_membership(user)
    return user


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
    return user


def load_demo() -> list[Organization]:
    """Load (or complete) the demo organizations; e-mails the services would send are dropped.

    The demo stands for work people did: its notifications (request confirmations, plan
    publications) go to invented addresses, so they are never sent, even with SMTP configured.
    """
    previous = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        return _load_demo()  # the e-mails are queued on commit, inside this block
    finally:
        settings.EMAIL_BACKEND = previous


@transaction.atomic
def _load_demo() -> list[Organization]:
    organizations = []
    for spec in DEMO_ORGANIZATIONS:
        org = Organization.objects.filter(slug=spec.slug).first()
        if org is None:
            org = Organization.objects.create(
                slug=spec.slug,
                name=spec.name,
                short_name=spec.short_name,
                nit=nit_with_check_digit(spec.nit_body),
                order=spec.order,
                procedure_code=spec.procedure,
                department=Department.objects.filter(code=spec.department_code).first(),
                municipality=Municipality.objects.filter(code=spec.municipality_code).first(),
                process_name=spec.process_name,
            )
        units: dict[str, Unit] = {}
        for name, code, kind, parent in spec.units:
            unit, _created = Unit.objects.get_or_create(
                organization=org,
                name=name,
                defaults={"code": code, "kind": kind, "parent": units.get(parent or "")},
            )
            units[name] = unit
        working_units = [u for u in units.values() if u.kind != UnitKind.OFFICE]
        working_unit = working_units[0]
        for year in (2026, 2027):
            FiscalYear.objects.get_or_create(
                organization=org,
                year=year,
                defaults={
                    "start_date": FiscalYear.bounds(year)[0],
                    "end_date": FiscalYear.bounds(year)[1],
                    "is_current": year == 2026,
                },
            )
        for role, local, full_name in DEMO_PEOPLE:
            user = _user(f"{local}@{spec.email_domain}", full_name)
            Membership.objects.get_or_create(
                organization=org,
                user=user,
                defaults={
                    "roles": [role.value],
                    "unit": working_unit if role in (Role.UNIT_HEAD, Role.PROFESSIONAL) else None,
                },
            )
            if user.active_organization_id is None:
                User.objects.filter(pk=user.pk).update(active_organization=org)
        for role, local, full_name in SECOND_UNIT_PEOPLE:
            user = _user(f"{local}@{spec.email_domain}", full_name)
            Membership.objects.get_or_create(
                organization=org,
                user=user,
                defaults={"roles": [role.value], "unit": working_units[1]},
            )
            if user.active_organization_id is None:
                User.objects.filter(pk=user.pk).update(active_organization=org)
        organizations.append(org)
        for app in apps_with("demo_loader"):
            loader = app.hook("demo_loader")
            assert loader is not None
            loader(organization=org, spec=spec)
    email, full_name, slugs = MULTI_ORG_USER
    user = _user(email, full_name)
    for slug in slugs:
        org = Organization.objects.get(slug=slug)
        Membership.objects.get_or_create(
            organization=org, user=user, defaults={"roles": [Role.PROFESSIONAL.value]}
        )
        if user.active_organization_id is None:
            User.objects.filter(pk=user.pk).update(active_organization=org)
            user.active_organization = org
    return organizations


def demo_logins() -> list[tuple[str, str, str]]:
    """(organization, role label, e-mail) of every demo login."""
    rows = []
    for spec in DEMO_ORGANIZATIONS:
        for role, local, _name in DEMO_PEOPLE:
            rows.append((spec.short_name, str(role.label), f"{local}@{spec.email_domain}"))
        for role, local, _name in SECOND_UNIT_PEOPLE:
            rows.append((spec.short_name, str(role.label), f"{local}@{spec.email_domain}"))
    rows.append(("SSD Huila + DNP", str(Role.PROFESSIONAL.label), MULTI_ORG_USER[0]))
    return rows
