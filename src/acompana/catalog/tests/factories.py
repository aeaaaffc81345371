"""Factories of the catalogue (factory-boy). Vocabulary values come from the seeds or here."""

from __future__ import annotations

import factory

from acompana.catalog.models import (
    Mechanism,
    MilestoneTemplate,
    Modality,
    Service,
    ServiceType,
    Topic,
)
from acompana.core.tests.factories import OrganizationFactory, UnitFactory


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceType

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Tipo de servicio {n}")
    code = factory.Sequence(lambda n: f"tipo_{n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Temática {n}")
    code = factory.Sequence(lambda n: f"tematica_{n}")


class MechanismFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mechanism

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Mecanismo {n}")
    code = factory.Sequence(lambda n: f"mecanismo_{n}")


class ModalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Modality

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Modalidad {n}")
    code = factory.Sequence(lambda n: f"modalidad_{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organization = factory.SubFactory(OrganizationFactory)
    unit = factory.SubFactory(UnitFactory, organization=factory.SelfAttribute("..organization"))
    name = factory.Sequence(lambda n: f"Servicio de prueba {n}")
    service_type = factory.SubFactory(
        ServiceTypeFactory, organization=factory.SelfAttribute("..organization")
    )
    origin = "both"


class MilestoneTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneTemplate

    service = factory.SubFactory(ServiceFactory)
    organization = factory.SelfAttribute("service.organization")
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Hito {n}")
    required = True
