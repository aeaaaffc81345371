"""The ranking's raw values and its query count (FP-1, DNP-1).

The selector loads every raw value in a constant number of queries; these tests check
what each criterion counts and that 200 stakeholders cost the same queries as 10.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from acompana.planning.choices import CriterionKind, NeedSource, NeedStatus
from acompana.planning.models import IndicatorValue, NeedStakeholder, Plan, PlanLineStakeholder
from acompana.planning.prioritisation import selectors
from acompana.planning.tests.cases_prioritisation import fp_world, make_model, make_stakeholders
from acompana.planning.tests.factories import (
    IndicatorFactory,
    NeedFactory,
    PlanFactory,
    PlanLineFactory,
    fiscal_year,
)
from acompana.registry.tests.factories import StakeholderFactory, municipality


@pytest.fixture
def world(db):
    """Función Pública's procedure: its FP-1 names the planner (see ``fp_world``)."""
    return fp_world()


pytestmark = pytest.mark.django_db


def _need(
    world,
    stakeholders,
    *,
    year=None,
    status=NeedStatus.OPEN,
    source=NeedSource.EMAIL,
    created_at=None,
):
    need = NeedFactory(
        organization=world.org,
        fiscal_year=year,
        status=status,
        source=source,
        created_at=created_at or timezone.now() - datetime.timedelta(days=1),
    )
    for s in stakeholders:
        NeedStakeholder.objects.create(organization=world.org, need=need, stakeholder=s)
    return need


def _served(world, stakeholder, year):
    fy = fiscal_year(world.org, year)
    plan = Plan.objects.filter(organization=world.org, unit=world.unit, fiscal_year=fy).first()
    if plan is None:
        plan = PlanFactory(
            organization=world.org, unit=world.unit, created_by=world.admin, fiscal_year=fy
        )
    line = PlanLineFactory(plan=plan)
    PlanLineStakeholder.objects.create(organization=world.org, line=line, stakeholder=stakeholder)


def _rows(ranking):
    return {row.stakeholder.name: row for row in ranking.rows}


def test_open_requests_are_counted_on_the_date_of_the_model_whatever_their_year(world):
    """FP-1: entity requests and court actions feed the prioritisation. Issue 11: a request
    open on the model's date counts whatever year it arrived in (last year's requests
    weighed 0 before); addressed, discarded, untriaged or later requests do not."""
    fy = fiscal_year(world.org)
    other_year = fiscal_year(world.org, fy.year - 1)
    a = StakeholderFactory(organization=world.org, name="Alcaldía A")
    b = StakeholderFactory(organization=world.org, name="Alcaldía B")
    day = datetime.date(fy.year, 3, 15)
    before = timezone.make_aware(datetime.datetime(fy.year - 1, 11, 2, 10))
    _need(world, [a], year=fy, created_at=before)
    _need(world, [a, b], year=None, created_at=before)  # not yet assigned to a year
    _need(world, [a], year=fy, source=NeedSource.COURT_ACTION, created_at=before)
    _need(world, [a], year=fy, status=NeedStatus.PLANNED, created_at=before)  # still open
    _need(world, [b], year=other_year, created_at=before)  # last year's request: counts
    _need(world, [b], year=fy, status=NeedStatus.DISCARDED, source=NeedSource.COURT_ACTION)
    _need(world, [b], year=fy, status=NeedStatus.ADDRESSED, created_at=before)
    _need(world, [b], year=fy, status=NeedStatus.TO_TRIAGE, created_at=before)
    # the last instant of the model's day counts; the next day does not
    _need(
        world,
        [b],
        year=fy,
        created_at=timezone.make_aware(datetime.datetime(fy.year, 3, 15, 23, 59)),
    )
    _need(
        world,
        [a, b],
        year=fy,
        created_at=timezone.make_aware(datetime.datetime(fy.year, 3, 16, 0, 1)),
    )
    model = make_model(
        world.org,
        world.planner,
        [
            {"kind": CriterionKind.NEEDS_COUNT, "label": "Necesidades"},
            {"kind": CriterionKind.COURT_ACTIONS, "label": "Tutelas"},
        ],
        year=fy.year,
    )
    model.reference_date = day
    model.save(update_fields=["reference_date"])
    rows = _rows(selectors.ranking_compute(model=model))
    assert rows["Alcaldía A"].cells[0].raw == 4  # fy, no year, court action, planned
    assert rows["Alcaldía A"].cells[1].raw == 1
    assert rows["Alcaldía B"].cells[0].raw == 3  # no year, last year's, the 15th at 23:59
    assert rows["Alcaldía B"].cells[1].raw == 0  # the discarded court action does not count
    assert rows["Alcaldía A"].rank == 1
    assert rows["Alcaldía A"].score == 100.0


def test_previous_assistance_counts_lines_of_the_previous_year(world):
    """Who received less assistance last year comes first (default direction)."""
    fy = fiscal_year(world.org)
    a = StakeholderFactory(organization=world.org, name="Atendida")
    b = StakeholderFactory(organization=world.org, name="No atendida")
    _served(world, a, fy.year - 1)
    _served(world, b, fy.year - 2)  # two years ago: not counted
    model = make_model(
        world.org,
        world.planner,
        [
            {
                "kind": CriterionKind.PREVIOUS_ASSISTANCE,
                "label": "Asistencia previa",
                "higher_raw_means_priority": False,
            }
        ],
    )
    rows = _rows(selectors.ranking_compute(model=model))
    assert rows["Atendida"].cells[0].raw == 1
    assert rows["No atendida"].cells[0].raw == 0
    assert rows["No atendida"].score == 100.0
    assert rows["Atendida"].score == 0.0


def test_indicator_values_of_the_chosen_year_and_missing_values(world):
    """DNP-1 / FP-1: FURAG results; higher is better → low performers get the points."""
    indicator = IndicatorFactory(organization=world.org, code="FURAG", higher_is_better=True)
    low = StakeholderFactory(organization=world.org, name="Bajo desempeño")
    high = StakeholderFactory(organization=world.org, name="Alto desempeño")
    none = StakeholderFactory(organization=world.org, name="Sin medición")
    for s, value in ((low, "40.5"), (high, "90")):
        IndicatorValue.objects.create(
            organization=world.org, indicator=indicator, stakeholder=s, year=2025, value=value
        )
    IndicatorValue.objects.create(  # another year is ignored
        organization=world.org, indicator=indicator, stakeholder=none, year=2024, value=10
    )
    model = make_model(
        world.org,
        world.planner,
        [
            {
                "kind": CriterionKind.INDICATOR,
                "indicator": indicator,
                "indicator_year": 2025,
                "higher_raw_means_priority": False,
                "label": "FURAG 2025",
            }
        ],
    )
    ranking = selectors.ranking_compute(model=model)
    rows = _rows(ranking)
    assert rows["Bajo desempeño"].cells[0].raw == 40.5
    assert rows["Bajo desempeño"].cells[0].normalised == 100.0
    assert rows["Alto desempeño"].cells[0].normalised == 0.0
    assert rows["Sin medición"].cells[0].raw is None
    assert rows["Sin medición"].score == 0.0
    stats = ranking.stats["c0"]
    assert (stats.minimum, stats.maximum, stats.with_value, stats.without_value) == (
        40.5,
        90.0,
        2,
        1,
    )
    assert rows["Bajo desempeño"].breakdown()["FURAG 2025"] == {
        "raw": 40.5,
        "normalised": 100.0,
        "weight": 1.0,
        "points": 100.0,
    }


def test_only_active_stakeholders_of_the_chosen_kinds_and_the_organization(world):
    StakeholderFactory(organization=world.org, name="Colegio", kind="school", nit="")
    StakeholderFactory(organization=world.org, name="Entidad")
    StakeholderFactory(organization=world.org, name="Inactiva", is_active=False)
    StakeholderFactory(organization=world.other, name="De otra entidad")
    model = make_model(
        world.org,
        world.planner,
        [{"kind": CriterionKind.NEEDS_COUNT}],
        kinds=["territorial_entity"],
    )
    assert set(_rows(selectors.ranking_compute(model=model))) == {"Entidad"}
    model.stakeholder_kinds = []
    assert set(_rows(selectors.ranking_compute(model=model))) == {"Colegio", "Entidad"}


def test_a_model_without_criteria_ranks_nobody(world):
    StakeholderFactory(organization=world.org)
    model = make_model(world.org, world.planner, [])
    ranking = selectors.ranking_compute(model=model)
    assert ranking.rows == [] and ranking.criteria == []


def _full_model(world):
    indicator = IndicatorFactory(organization=world.org)
    return make_model(
        world.org,
        world.planner,
        [
            {"kind": CriterionKind.INDICATOR, "indicator": indicator, "indicator_year": 2025},
            {"kind": CriterionKind.NEEDS_COUNT, "label": "Necesidades"},
            {"kind": CriterionKind.COURT_ACTIONS, "label": "Tutelas", "weight": Decimal("2")},
            {"kind": CriterionKind.PREVIOUS_ASSISTANCE, "label": "Previa"},
        ],
    ), indicator


def _populate(world, indicator, stakeholders):
    fy = fiscal_year(world.org)
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            organization=world.org, indicator=indicator, stakeholder=s, year=2025, value=n
        )
        for n, s in enumerate(stakeholders)
    )
    _need(world, stakeholders[::3], year=fy, source=NeedSource.COURT_ACTION)
    _need(world, stakeholders[::2], year=fy)
    _served(world, stakeholders[0], fy.year - 1)


def _count_queries(model):
    with CaptureQueriesContext(connection) as ctx:
        ranking = selectors.ranking_compute(model=model)
    return len(ctx.captured_queries), ranking


def test_the_ranking_costs_the_same_queries_for_10_or_200_stakeholders(world):
    model, indicator = _full_model(world)
    _populate(world, indicator, make_stakeholders(world.org, 10))
    small, ranking = _count_queries(model)
    assert len(ranking.rows) == 10
    _populate(world, indicator, make_stakeholders(world.org, 190))
    large, ranking = _count_queries(model)
    assert len(ranking.rows) == 200
    assert small == large
    assert large <= 6


def test_filter_by_department_municipality_and_kind_keeps_global_ranks(world):
    neiva = municipality("41001")
    make_stakeholders(world.org, 3, municipality=neiva)
    make_stakeholders(world.org, 2)  # Garzón
    model = make_model(world.org, world.planner, [{"kind": CriterionKind.NEEDS_COUNT}])
    ranking = selectors.ranking_compute(model=model)
    rows, form = selectors.ranking_filter(
        user=world.planner, ranking=ranking, params={"department": "41", "municipality": "41001"}
    )
    assert form.is_valid()
    assert len(rows) == 3
    assert {r.stakeholder.municipality_code for r in rows} == {"41001"}
    rows, _form = selectors.ranking_filter(
        user=world.planner, ranking=ranking, params={"kind": "school"}
    )
    assert rows == []
    rows, _form = selectors.ranking_filter(
        user=world.planner, ranking=ranking, params={"sort": "-name"}
    )
    names = [r.stakeholder.name for r in rows]
    assert names == sorted(names, reverse=True)


def test_sort_by_the_points_of_a_criterion(world):
    a, b = make_stakeholders(world.org, 2)
    _need(world, [b], year=fiscal_year(world.org))
    model = make_model(
        world.org,
        world.planner,
        [{"kind": CriterionKind.COURT_ACTIONS}, {"kind": CriterionKind.NEEDS_COUNT}],
    )
    ranking = selectors.ranking_compute(model=model)
    rows, _form = selectors.ranking_filter(
        user=world.planner, ranking=ranking, params={"sort": "crit1"}
    )
    assert rows[0].stakeholder.id == b.pk
    rows, _form = selectors.ranking_filter(
        user=world.planner, ranking=ranking, params={"sort": "-crit1"}
    )
    assert rows[0].stakeholder.id == a.pk
    assert selectors.ranking_top(ranking.rows, 1) == [b.pk]
