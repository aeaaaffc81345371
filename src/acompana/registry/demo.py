"""Demo grupos de valor, people and consents for the demo organizations (idempotent).

Entity names are built from DIVIPOLA (e.g. "Alcaldía de Garzón") and look real, but their
identifiers (NIT, REPS, school DANE codes) are generated: valid in form and check digit,
not the real ones. People have generic Colombian names and invented document numbers.
Everything goes through the services, so the demo also fills the audit log.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from acompana.core.choices import ProcedureCode, Role
from acompana.core.demo import demo_actor
from acompana.core.models import Organization, User
from acompana.core.validators import nit_with_check_digit
from acompana.geo.models import Department, Municipality
from acompana.registry import services
from acompana.registry.choices import ConsentChannel, ConsentPurpose, StakeholderKind
from acompana.registry.models import Person, Stakeholder

NATIONAL_ENTITIES = [
    "Ministerio de Salud y Protección Social",
    "Ministerio de Educación Nacional",
    "Ministerio de Hacienda y Crédito Público",
    "Ministerio del Interior",
    "Ministerio de Vivienda, Ciudad y Territorio",
    "Instituto Colombiano de Bienestar Familiar",
    "Superintendencia Nacional de Salud",
    "Agencia Nacional de Contratación Pública – Colombia Compra Eficiente",
]
FP_DEPARTMENTS = ["05", "08", "13", "15", "19", "41", "52", "68", "73", "76"]
DNP_DEPARTMENTS = ["19", "27", "41", "44", "50", "52", "81", "86"]

PEOPLE = [
    # first names, last names, CC number, position, sensitive answers (None: no consent)
    ("María Fernanda", "López Cuéllar", "1075214301", "Secretaria de Salud municipal", True),
    ("Juan Camilo", "Rodríguez Perdomo", "1079187452", "Jefe de planeación", True),
    ("Luz Adriana", "Gómez Trujillo", "36295874", "Rectora", False),
    ("Andrés Felipe", "Martínez Vargas", "7712564", "Gerente", True),
    ("Claudia Patricia", "Herrera Polanía", "55163098", "Coordinadora de calidad", False),
    ("Óscar Eduardo", "Ramírez Ortiz", "12138765", "Profesional universitario", "revoked"),
]


def _title(name: str) -> str:
    small = {"De", "Del", "La", "Las", "Los", "Y", "El"}
    words = name.title().split()
    return " ".join(w.lower() if i and w in small else w for i, w in enumerate(words))


class _Loader:
    def __init__(self, organization: Organization, actor: User) -> None:
        self.organization = organization
        self.actor = actor
        self.created = 0
        self.sequence = 0

    def nit(self, prefix: str) -> str:
        self.sequence += 1
        return nit_with_check_digit(f"{prefix}{self.sequence:04d}"[:9].ljust(9, "0"))

    def add(self, **data: Any) -> Stakeholder:
        existing = Stakeholder.objects.filter(
            organization=self.organization, kind=data["kind"], name=data["name"]
        ).first()
        if existing is not None:
            return existing
        self.created += 1
        return services.stakeholder_create(
            actor=self.actor, organization=self.organization, data=data
        )

    def alcaldia(self, municipality: Municipality) -> Stakeholder:
        name = _title(municipality.name)
        return self.add(
            kind=StakeholderKind.MUNICIPALITY,
            name=f"Alcaldía de {name}",
            nit=nit_with_check_digit(f"8{municipality.code}{self.organization.pk % 1000:03d}"),
            dane_code=municipality.code,
            address="Carrera 1 # 1-01, Palacio Municipal",
            email=f"contactenos@{_slug(name)}.demo.gov.co",
        )

    def gobernacion(self, department: Department) -> Stakeholder:
        name = _title(department.name)
        return self.add(
            kind=StakeholderKind.DEPARTMENT,
            name=f"Gobernación de {name}",
            nit=nit_with_check_digit(f"89{department.code}{self.organization.pk % 100000:05d}"),
            dane_code=department.code,
            email=f"contactenos@{_slug(name)}.demo.gov.co",
        )


def _slug(text: str) -> str:
    from acompana.core.tabular import strip_accents

    return "".join(c for c in strip_accents(text) if c.isalnum())


def _municipalities(department_code: str | None, limit: int) -> list[Municipality]:
    if not department_code:
        return []
    return list(
        Municipality.objects.filter(department__code=department_code, kind="Municipio")
        .select_related("department")
        .order_by("code")[:limit]
    )


def _load_health(loader: _Loader, department_code: str | None) -> None:
    department = Department.objects.filter(code=department_code).first()
    if department is not None:
        loader.gobernacion(department)
    for index, municipality in enumerate(_municipalities(department_code, 24), start=1):
        loader.alcaldia(municipality)
        name = _title(municipality.name)
        loader.add(
            kind=StakeholderKind.HEALTH_ACTOR,
            health_subtype="ese",
            name=f"E.S.E. Hospital Municipal de {name}",
            nit=nit_with_check_digit(f"9{municipality.code}{index:03d}"),
            reps_code=f"{municipality.code}{index:05d}",
            municipality_code=municipality.code,
            phone="608 000 0000",
        )
        if index % 4 == 1:
            loader.add(
                kind=StakeholderKind.HEALTH_ACTOR,
                health_subtype="ips",
                name=f"IPS Salud Integral {name}",
                nit=nit_with_check_digit(f"90{municipality.code}{index:02d}"),
                reps_code=f"{municipality.code}{index + 500:05d}",
                municipality_code=municipality.code,
            )
    capital = Municipality.objects.filter(code=f"{department_code}001").first()
    loader.add(
        kind=StakeholderKind.HEALTH_ACTOR,
        health_subtype="eps",
        name="EPS Comunitaria del Sur (demostración)",
        nit=loader.nit("9017"),
        municipality_code=capital.code if capital else "",
    )


def _load_education(loader: _Loader, department_code: str | None) -> None:
    department = Department.objects.filter(code=department_code).first()
    if department is not None:
        loader.gobernacion(department)
    for index, municipality in enumerate(_municipalities(department_code, 14), start=1):
        loader.alcaldia(municipality)
        name = _title(municipality.name)
        code = f"1{municipality.code}{index:06d}"
        school = loader.add(
            kind=StakeholderKind.SCHOOL,
            name=f"Institución Educativa Técnica {name}",
            nit=nit_with_check_digit(f"82{municipality.code}{index:02d}"),
            school_code=code,
            address="Calle 2 # 3-10",
        )
        loader.add(
            kind=StakeholderKind.SCHOOL_SITE,
            name=f"Sede Principal — I. E. Técnica {name}",
            school_code=code,
            parent_school_code=school.school_code,
        )
        loader.add(
            kind=StakeholderKind.SCHOOL_SITE,
            name=f"Sede Rural La Esperanza — I. E. Técnica {name}",
            school_code=f"2{municipality.code}{index + 500:06d}",
            parent_school_code=school.school_code,
        )


def _load_public_function(loader: _Loader) -> None:
    bogota = Municipality.objects.filter(code="11001").first()
    for name in NATIONAL_ENTITIES:
        loader.add(
            kind=StakeholderKind.NATIONAL_ENTITY,
            name=name,
            nit=loader.nit("8999"),
            municipality_code=bogota.code if bogota else "",
        )
    for code in FP_DEPARTMENTS:
        department = Department.objects.filter(code=code).first()
        if department is None:
            continue
        loader.gobernacion(department)
        capital = Municipality.objects.filter(code=f"{code}001").select_related("department")
        for municipality in capital:
            loader.alcaldia(municipality)
            loader.add(
                kind=StakeholderKind.TERRITORIAL_ENTITY,
                name=f"Personería Municipal de {_title(municipality.name)}",
                nit=loader.nit("8000"),
                municipality_code=municipality.code,
            )


def _load_planning(loader: _Loader) -> None:
    for code in DNP_DEPARTMENTS:
        department = Department.objects.filter(code=code).first()
        if department is None:
            continue
        loader.gobernacion(department)
        for municipality in _municipalities(code, 4):
            loader.alcaldia(municipality)


def _load_people(organization: Organization, actor: User | None) -> None:
    if actor is None:
        return
    contacts = list(
        Stakeholder.objects.filter(organization=organization).order_by("pk")[: len(PEOPLE)]
    )
    for index, (first, last, number, position, sensitive) in enumerate(PEOPLE):
        if Person.objects.filter(
            organization=organization, document_type="CC", document_number=number
        ).exists():
            continue
        purposes = [ConsentPurpose.CONTACT, ConsentPurpose.ATTENDANCE]
        if sensitive:
            purposes.append(ConsentPurpose.SENSITIVE_DATA)
        data: dict[str, Any] = {
            "document_type": "CC",
            "document_number": number,
            "first_name": first,
            "last_name": last,
            "email": f"{_slug(first.split()[0])}.{_slug(last.split()[0])}@correo.demo.co",
            "position": position,
            "stakeholder": contacts[index] if index < len(contacts) else None,
        }
        if sensitive:
            data.update(
                {
                    "age_group": "adulthood",
                    "gender": "woman" if first.startswith(("María", "Luz", "Claudia")) else "man",
                    "ethnicity": "none" if index % 3 else "prefer_not",
                    "disability": "none",
                    "conflict_victim": "prefer_not" if index % 2 else "no",
                }
            )
        person = services.person_create(
            actor=actor,
            organization=organization,
            data=data,
            consent=services.ConsentInput(purposes=list(purposes), channel=ConsentChannel.PAPER),
        )
        if sensitive == "revoked":
            consent = person.consents.get()
            services.consent_revoke(
                actor=actor,
                consent=consent,
                reason="Solicitud de la persona por correo electrónico (demostración).",
            )


@transaction.atomic
def load(*, organization: Organization, spec: Any) -> int:
    """Create the demo registry of ``organization``; returns how many stakeholders it added."""
    actor = demo_actor(organization, Role.ADMIN)
    if actor is None:  # the stakeholders are registered by the demo administrator
        return 0
    loader = _Loader(organization, actor)
    department_code = getattr(spec, "department_code", None) or (
        organization.department.code if organization.department else None
    )
    procedure = organization.procedure_code
    if procedure == ProcedureCode.SAL:
        _load_health(loader, department_code)
    elif procedure == ProcedureCode.EDU:
        _load_education(loader, department_code)
    elif procedure == ProcedureCode.FP:
        _load_public_function(loader)
    else:
        _load_planning(loader)
    _load_people(organization, demo_actor(organization, Role.PROFESSIONAL))
    return loader.created
