"""The checks engine (EDU-4, EDU-5): scope, persistence by fingerprint, events, query count."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from acompana.core.models import Event
from acompana.core.tests.factories import UnitFactory
from acompana.planning.checks.engine import (
    CHECKS_RUN_KEY,
    plans_in_scope,
    run_checks,
    unjustified_blocking_findings,
)
from acompana.planning.checks.services import finding_accept
from acompana.planning.choices import FindingSeverity, FindingStatus, PlanStatus
from acompana.planning.models import Finding, PlanLine
from acompana.planning.tests.cases_checks import (
    JUSTIFICATION,
    complete_line,
    consolidated_for,
    plan_for,
    priority_list,
    stakeholder,
)
from acompana.planning.tests.factories import fiscal_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are stored in the language of the run: read them in English here."""
    with translation.override("en"):
        yield


@pytest.fixture
def setup(world):
    consolidated = consolidated_for(world.org)
    a = plan_for(consolidated, world.unit, world.unit_head)
    b = plan_for(consolidated, world.sibling_unit, world.unit_head)
    return world, consolidated, a, b


def run(world, consolidated):
    return run_checks(actor=world.planner, consolidated=consolidated)


def test_edu4_runs_on_the_linked_plans_only(setup):
    """EDU-4: the checks read the plans consolidated into the plan."""
    world, consolidated, a, b = setup
    loose = plan_for(None, world.unit, world.unit_head, year=2031)  # not linked
    complete_line(loose, needs_travel=True, budget=Decimal(0))
    complete_line(a, needs_travel=True, budget=Decimal(0))
    findings = run(world, consolidated)
    assert [f.rule for f in findings] == ["travel_without_budget"]
    assert set(plans_in_scope(consolidated)) == {a, b}


def test_without_linked_plans_it_reads_the_years_plans_that_are_not_drafts(world):
    consolidated = consolidated_for(world.org)
    submitted = plan_for(None, world.unit, world.unit_head, status=PlanStatus.UNIT_APPROVED)
    draft = plan_for(None, world.sibling_unit, world.unit_head, status=PlanStatus.DRAFT)
    complete_line(submitted, needs_travel=True, budget=Decimal(0))
    complete_line(draft, needs_travel=True, budget=Decimal(0))
    findings = run(world, consolidated)
    assert [f.unit_id for f in findings] == [world.unit.pk]
    assert set(plans_in_scope(consolidated)) == {submitted}


def test_another_organizations_lines_are_never_read(setup):
    world, consolidated, a, b = setup
    # a row of another organization attached to this plan must never be read (every query
    # of the engine filters by organization)
    PlanLine.objects.create(organization=world.other, plan=a, activity="Ajena", months=[99])
    assert run(world, consolidated) == []


def test_run_persists_sets_checked_at_and_records_one_event(setup):
    world, consolidated, a, b = setup
    complete_line(a, needs_travel=True, budget=Decimal(0))
    complete_line(b, start_date=datetime.date(2000, 1, 1), end_date=datetime.date(2000, 1, 2))
    findings = run(world, consolidated)
    assert consolidated.checked_at is not None
    consolidated.refresh_from_db()
    assert consolidated.checked_at is not None
    assert Finding.objects.filter(consolidated=consolidated).count() == len(findings) == 2
    assert all(f.pk and f.status == FindingStatus.OPEN for f in findings)
    events = Event.objects.filter(step_key=CHECKS_RUN_KEY, object_id=str(consolidated.pk))
    assert events.count() == 1
    event = events.get()
    assert event.actor == world.planner
    assert event.after["open"]["blocking"] == 2
    assert event.after["new"] == 2


def test_findings_are_sorted_blocking_first(setup):
    world, consolidated, a, b = setup
    complete_line(a, programme="", with_need=False)  # warning
    complete_line(a, needs_travel=True, budget=Decimal(0))  # blocking
    findings = run(world, consolidated)
    assert [f.severity for f in findings] == [FindingSeverity.BLOCKING, FindingSeverity.WARNING]


def test_fingerprints_are_stable_across_reruns(setup):
    world, consolidated, a, b = setup
    school = stakeholder(world.org)
    complete_line(a, stakeholders=[school], needs_travel=True, budget=Decimal(0))
    complete_line(b, stakeholders=[school])
    first = {f.fingerprint: f.pk for f in run(world, consolidated)}
    second = {f.fingerprint: f.pk for f in run(world, consolidated)}
    assert first == second
    assert Finding.objects.filter(consolidated=consolidated).count() == len(first)


def test_edu5_accepted_stays_accepted_and_fixed_when_the_cause_is_removed(setup):
    """EDU-5: a justified finding stays justified; a fixed line closes its finding."""
    world, consolidated, a, b = setup
    travel = complete_line(a, needs_travel=True, budget=Decimal(0))
    dated = complete_line(
        a, start_date=datetime.date(2000, 1, 1), end_date=datetime.date(2000, 1, 2)
    )
    findings = {f.rule: f for f in run(world, consolidated)}
    finding_accept(
        actor=world.planner, finding=findings["outside_fiscal_year"], justification=JUSTIFICATION
    )
    assert unjustified_blocking_findings(consolidated).count() == 1

    PlanLine.objects.filter(pk=travel.pk).update(budget=Decimal(300_000))
    rerun = {f.rule: f for f in run(world, consolidated)}
    assert set(rerun) == {"outside_fiscal_year"}
    assert rerun["outside_fiscal_year"].status == FindingStatus.ACCEPTED
    fixed = Finding.objects.get(pk=findings["travel_without_budget"].pk)
    assert fixed.status == FindingStatus.FIXED
    assert unjustified_blocking_findings(consolidated).count() == 0

    # the problem comes back: the open one reopens, the justified one is accepted again
    PlanLine.objects.filter(pk=travel.pk).update(budget=Decimal(0))
    fiscal = fiscal_year(world.org)
    PlanLine.objects.filter(pk=dated.pk).update(
        start_date=fiscal.start_date, end_date=fiscal.start_date
    )
    run(world, consolidated)
    assert Finding.objects.get(pk=fixed.pk).status == FindingStatus.OPEN
    assert Finding.objects.get(pk=findings["outside_fiscal_year"].pk).status == FindingStatus.FIXED
    PlanLine.objects.filter(pk=dated.pk).update(start_date=datetime.date(2000, 1, 1))
    run(world, consolidated)
    again = Finding.objects.get(pk=findings["outside_fiscal_year"].pk)
    assert again.status == FindingStatus.ACCEPTED
    assert again.justification == JUSTIFICATION


def test_messages_follow_the_line_while_the_fingerprint_stays(setup):
    world, consolidated, a, b = setup
    line = complete_line(a, activity="Taller inicial", needs_travel=True, budget=Decimal(0))
    [before] = run(world, consolidated)
    PlanLine.objects.filter(pk=line.pk).update(activity="Taller renombrado")
    [after] = run(world, consolidated)
    assert after.pk == before.pk and after.fingerprint == before.fingerprint
    assert "Taller renombrado" in Finding.objects.get(pk=before.pk).message


def test_a_new_duplicated_line_is_a_new_finding(setup):
    world, consolidated, a, b = setup
    school = stakeholder(world.org)
    complete_line(a, stakeholders=[school])
    complete_line(b, stakeholders=[school])
    [first] = run(world, consolidated)
    third_unit_plan = plan_for(consolidated, UnitFactory(organization=world.org), world.unit_head)
    complete_line(third_unit_plan, stakeholders=[school])
    findings = [f for f in run(world, consolidated) if f.rule == "duplicated_activity"]
    assert len(findings) == 3  # one per pair of units
    assert first.pk in {f.pk for f in findings}


def test_unjustified_blocking_findings_are_the_open_blocking_ones(setup):
    world, consolidated, a, b = setup
    complete_line(a, needs_travel=True, budget=Decimal(0))
    complete_line(a, programme="", with_need=False)
    run(world, consolidated)
    pending = unjustified_blocking_findings(consolidated)
    assert [f.rule for f in pending] == ["travel_without_budget"]
    finding_accept(actor=world.planner, finding=pending.get(), justification=JUSTIFICATION)
    assert not unjustified_blocking_findings(consolidated).exists()


def _lines(world, plans, n, school_pool):
    """``n`` lines spread over ``plans``, with duplicates and missing fields."""
    for i in range(n):
        plan = plans[i % len(plans)]
        complete_line(
            plan,
            stakeholders=[school_pool[i % len(school_pool)]],
            months=[1 + i % 12],
            needs_travel=i % 7 == 0,
            budget=Decimal(0) if i % 14 == 0 else Decimal(100_000),
            programme="" if i % 5 == 0 else "Programa",
            with_need=i % 3 == 0,
            responsible=world.planner if i % 4 == 0 else None,
        )


def _count_queries(world, consolidated):
    ContentType.objects.get_for_model(consolidated)  # the event's content type, cached
    with CaptureQueriesContext(connection) as first:
        run(world, consolidated)
    with CaptureQueriesContext(connection) as again:
        run(world, consolidated)
    return len(first.captured_queries), len(again.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_lines(world):
    """DESIGN section 8: 10 lines and 200 lines cost the same number of queries."""
    small = consolidated_for(world.org)
    schools = [stakeholder(world.org, f"IE {n}") for n in range(8)]
    _lines(world, [plan_for(small, world.unit, world.unit_head)], 10, schools)
    small_counts = _count_queries(world, small)

    big_world_org = world.other
    big = consolidated_for(big_world_org)
    units = [UnitFactory(organization=big_world_org) for _ in range(4)]
    plans = [plan_for(big, unit, world.outsider) for unit in units]
    other_schools = [stakeholder(big_world_org, f"IE {n}") for n in range(40)]
    _lines(world, plans, 200, other_schools)
    big_counts = _count_queries(world, big)
    assert Finding.objects.filter(consolidated=big).count() > 50
    assert small_counts == big_counts, (small_counts, big_counts)
    assert big_counts[0] <= 25


def test_texts_with_quotes_braces_and_backslashes_are_stored_as_they_are(setup):
    world, consolidated, a, b = setup
    activity = 'Taller "A" {x}, \\ y; ¿ñ?'
    line = complete_line(a, activity=activity, needs_travel=True, budget=Decimal(0))
    [finding] = run(world, consolidated)
    stored = Finding.objects.get(pk=finding.pk)
    assert activity in stored.message
    assert stored.line_ids == [line.pk]
    PlanLine.objects.filter(pk=line.pk).update(activity=activity + " (2)")
    run(world, consolidated)
    assert activity + " (2)" in Finding.objects.get(pk=finding.pk).message


def test_only_the_latest_priority_list_of_the_year_counts(setup):
    world, consolidated, a, b = setup
    old = stakeholder(world.org, "Municipio de la lista vieja", kind="municipality")
    new = stakeholder(world.org, "Municipio no seleccionado", kind="municipality")
    priority_list(
        world,
        [(old, True)],
        name="Vieja",
        saved_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    )
    priority_list(world, [(new, False)], name="Nueva")
    complete_line(a)
    assert [f for f in run(world, consolidated) if f.rule == "priority_coverage"] == []
