"""Demo portfolio: 2-4 services per unit, 2-4 milestones each, per procedure; idempotent."""

from __future__ import annotations

import pytest
from django.db.models import Count

from acompana.catalog import demo
from acompana.catalog.models import Service
from acompana.core.choices import Role
from acompana.core.demo import DEMO_ORGANIZATIONS
from acompana.core.models import Event, Unit
from acompana.core.tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db


def demo_organization(spec):
    org = OrganizationFactory(procedure_code=spec.procedure, order=spec.order)
    units = {}
    for name, code, kind, parent in spec.units:
        units[name] = Unit.objects.create(
            organization=org, name=name, code=code, kind=kind, parent=units.get(parent or "")
        )
    member(org, Role.ADMIN)  # the demo portfolio is written by the demo administrator
    return org


@pytest.mark.parametrize("spec", DEMO_ORGANIZATIONS, ids=lambda s: s.procedure)
def test_demo_portfolio_per_unit(spec):
    org = demo_organization(spec)
    added = demo.load(organization=org, spec=spec)
    assert added == Service.objects.filter(organization=org).count()
    per_unit = Unit.objects.filter(organization=org).annotate(n=Count("services"))
    assert all(2 <= unit.n <= 4 for unit in per_unit), [(u.name, u.n) for u in per_unit]
    for service in Service.objects.filter(organization=org).annotate(m=Count("milestones")):
        assert 2 <= service.m <= 4, service.name
        assert service.topics.exists() and service.modalities.exists(), service.name
        assert service.milestones.filter(required=True).exists(), service.name
    # idempotent
    assert demo.load(organization=org, spec=spec) == 0
    assert Service.objects.filter(organization=org).count() == added


def test_units_the_demo_does_not_know_get_generic_services():
    spec = DEMO_ORGANIZATIONS[0]
    org = OrganizationFactory(procedure_code=spec.procedure)
    Unit.objects.create(organization=org, name="Oficina de Calidad", code="OC", kind="office")
    member(org, Role.ADMIN)
    assert demo.load(organization=org, spec=spec) == 2


def test_the_portfolio_is_written_by_the_demo_administrator():
    spec = DEMO_ORGANIZATIONS[0]
    org = OrganizationFactory(procedure_code=spec.procedure)
    Unit.objects.create(organization=org, name="Oficina de Calidad", code="OC", kind="office")
    assert demo.load(organization=org, spec=spec) == 0  # no administrator: values only
    admin = member(org, Role.ADMIN)
    assert demo.load(organization=org, spec=spec) == 2
    events = Event.objects.filter(organization=org, step_key="service.created")
    assert events.count() == 2 and set(events.values_list("actor", flat=True)) == {admin.pk}
