"""Factories of the planning models, shared by every area's tests."""

from __future__ import annotations

import factory

from acompana.core.models import FiscalYear
from acompana.planning.choices import NeedOrigin, NeedSource
from acompana.planning.models import (
    ConsolidatedPlan,
    Indicator,
    Need,
    Plan,
    PlanLine,
    Strategy,
)


def fiscal_year(organization, year: int | None = None) -> FiscalYear:
    """The organization's fiscal year (``build_world`` creates the current one)."""
    qs = FiscalYear.objects.filter(organization=organization)
    if year is not None:
        found = qs.filter(year=year).first()
        if found:
            return found
        start, end = FiscalYear.bounds(year)
        return FiscalYear.objects.create(
            organization=organization, year=year, start_date=start, end_date=end
        )
    return qs.order_by("-is_current", "-year").first() or fiscal_year(organization, 2026)


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    title = factory.Sequence(lambda n: f"Necesidad de asistencia {n}")
    description = "Fortalecer la capacidad técnica en el tema."
    origin = NeedOrigin.OFFER
    source = NeedSource.ACTION_PLAN


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"IND-{n}")
    name = factory.Sequence(lambda n: f"Indicador {n}")
    source = "furag"


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    title = "Estrategia integral de asistencia técnica"
    fiscal_year = factory.LazyAttribute(lambda o: fiscal_year(o.organization))


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    title = factory.LazyAttribute(lambda o: f"Plan de asistencia técnica — {o.unit.name}")
    fiscal_year = factory.LazyAttribute(lambda o: fiscal_year(o.organization))


class PlanLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanLine

    organization = factory.LazyAttribute(lambda o: o.plan.organization)
    activity = factory.Sequence(lambda n: f"Taller de asistencia técnica {n}")
    objective = "Fortalecer capacidades."
    months = factory.LazyFunction(lambda: [3])


class ConsolidatedPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsolidatedPlan

    title = "Plan consolidado de asistencia técnica"
    fiscal_year = factory.LazyAttribute(lambda o: fiscal_year(o.organization))
