"""Factories of the registry. DIVIPOLA is loaded by migration 0002, so codes are real."""

from __future__ import annotations

import factory
from django.utils import timezone

from acompana.core.tests.factories import OrganizationFactory, UserFactory
from acompana.core.validators import nit_with_check_digit, normalize_search
from acompana.geo.models import Department, Municipality
from acompana.registry.choices import ConsentChannel, ConsentPurpose, DocumentType, StakeholderKind
from acompana.registry.models import Consent, Person, Stakeholder
from acompana.registry.notice import notice_hash, notice_text


def municipality(code: str = "41298") -> Municipality:
    return Municipality.objects.select_related("department").get(code=code)


def department(code: str = "41") -> Department:
    return Department.objects.get(code=code)


class StakeholderFactory(factory.django.DjangoModelFactory):
    """A territorial public entity in Garzón (Huila) with a valid NIT."""

    class Meta:
        model = Stakeholder

    organization = factory.SubFactory(OrganizationFactory)
    kind = StakeholderKind.TERRITORIAL_ENTITY
    name = factory.Sequence(lambda n: f"Entidad territorial de prueba {n}")
    search_name = factory.LazyAttribute(lambda o: normalize_search(o.name))
    nit = factory.Sequence(lambda n: nit_with_check_digit(f"{890000000 + n:09d}"))
    municipality = factory.LazyFunction(lambda: municipality("41298"))
    department = factory.LazyAttribute(
        lambda o: o.municipality.department if o.municipality else None
    )


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organization = factory.SubFactory(OrganizationFactory)
    document_type = DocumentType.CC
    document_number = factory.Sequence(lambda n: f"{10000000 + n}")
    first_name = factory.Sequence(lambda n: f"Nombre{n}")
    last_name = "Apellido Prueba"
    search_name = factory.LazyAttribute(lambda o: normalize_search(f"{o.first_name} {o.last_name}"))


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    organization = factory.LazyAttribute(lambda o: o.person.organization)
    purposes = factory.LazyFunction(
        lambda: [ConsentPurpose.CONTACT.value, ConsentPurpose.SENSITIVE_DATA.value]
    )
    notice_version = "2026.1"
    notice_hash = factory.LazyAttribute(
        lambda o: notice_hash(notice_text(organization=o.person.organization))
    )
    channel = ConsentChannel.PAPER
    granted_at = factory.LazyFunction(timezone.now)
    collected_by = factory.SubFactory(UserFactory)
