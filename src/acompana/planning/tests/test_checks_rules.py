"""Each consolidation rule (EDU-4, EDU-5) with a case that finds and a case that does not."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from acompana.core.choices import ProcedureCode, Role
from acompana.core.tests.factories import UnitFactory, build_world, member
from acompana.planning.checks.engine import run_checks
from acompana.planning.checks.rules import REQUIRED_FIELDS, RULES
from acompana.planning.choices import FindingSeverity, StrategyStatus
from acompana.planning.models import (
    StrategyProposal,
)
from acompana.planning.tests.cases_checks import (
    catalogue,
    complete_line,
    consolidated_for,
    plan_for,
    priority_list,
    stakeholder,
)
from acompana.planning.tests.factories import StrategyFactory, fiscal_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are stored in the language of the run: read them in English here."""
    with translation.override("en"):
        yield


def run(world, consolidated):
    return run_checks(actor=world.planner, consolidated=consolidated)


def of_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


@pytest.fixture
def edu():
    return build_world(ProcedureCode.EDU)


@pytest.fixture
def setup(world):
    """A SAL organization with a consolidated plan and a plan per unit."""
    consolidated = consolidated_for(world.org)
    a = plan_for(consolidated, world.unit, world.unit_head)
    b = plan_for(consolidated, world.sibling_unit, world.unit_head)
    return world, consolidated, a, b


def year(world):
    return fiscal_year(world.org).year


# --- required_fields -----------------------------------------------------------------------------


def test_edu5_complete_line_has_no_required_fields_finding(edu):
    """EDU-5: a line with every field of the MI-GE-RG-217 list passes."""
    consolidated = consolidated_for(edu.org)
    plan = plan_for(consolidated, edu.unit, edu.unit_head)
    complete_line(plan)
    assert of_rule(run(edu, consolidated), "required_fields") == []


def test_edu5_missing_fields_are_named_with_the_line(edu):
    """EDU-5: incomplete line → blocking finding naming unit, line number, activity, fields."""
    consolidated = consolidated_for(edu.org)
    plan = plan_for(consolidated, edu.unit, edu.unit_head)
    complete_line(plan)
    line = complete_line(
        plan, activity="Visita de convivencia", programme="", objective="", with_need=False
    )
    [finding] = of_rule(run(edu, consolidated), "required_fields")
    assert finding.severity == FindingSeverity.BLOCKING
    assert finding.line_ids == [line.pk]
    assert finding.unit_id == edu.unit.pk
    assert "Salud Pública" in finding.message
    assert "2" in finding.message  # second line of its plan
    assert "Visita de convivencia" in finding.message
    assert "EDU-5" in finding.message
    for label in ("development plan programme", "need addressed", "objective"):
        assert label in finding.message
    assert "mechanism" not in finding.message
    assert finding.fix_hint


@pytest.mark.parametrize(
    ("code", "missing", "found"),
    [
        (ProcedureCode.SAL, {"programme": "", "objective": ""}, False),
        (ProcedureCode.SAL, {"mechanism": None}, True),
        (ProcedureCode.SAL, {"months": []}, True),
        (ProcedureCode.FP, {"topic": None}, True),
        (ProcedureCode.FP, {"budget": Decimal(0)}, True),
        (
            ProcedureCode.FP,
            {"budget": Decimal(0), "procurement_notes": "Sin costo: virtual"},
            False,
        ),
        (ProcedureCode.FP, {"mechanism": None, "programme": ""}, False),
        (ProcedureCode.DNP, {"mechanism": None, "topic": None, "months": []}, False),
        (ProcedureCode.DNP, {"budget": Decimal(0)}, True),
        (ProcedureCode.EDU, {"place": ""}, True),
    ],
)
def test_required_fields_follow_the_procedure(code, missing, found):
    """EDU-5 / FP-5 / SAL-2 / DNP-3: each procedure requires its own list of fields."""
    world = build_world(code)
    consolidated = consolidated_for(world.org)
    plan = plan_for(consolidated, world.unit, world.unit_head)
    complete_line(plan, with_need=code != ProcedureCode.SAL, **missing)
    assert bool(of_rule(run(world, consolidated), "required_fields")) is found


def test_required_fields_lists_exist_for_every_procedure():
    assert set(REQUIRED_FIELDS) == set(ProcedureCode.values)
    assert REQUIRED_FIELDS["EDU"][0] == "programme"


def test_a_line_without_stakeholders_misses_them(setup):
    world, consolidated, a, b = setup
    complete_line(a, stakeholders=[])
    [finding] = of_rule(run(world, consolidated), "required_fields")
    assert "stakeholders served" in finding.message


# --- duplicated_activity (EDU-4) -------------------------------------------------------------------


def test_edu4_same_stakeholder_topic_and_month_in_two_units_is_duplicated(setup):
    """EDU-4: no duplicated activities between groups."""
    world, consolidated, a, b = setup
    school = stakeholder(world.org, "IE La Esperanza")
    first = complete_line(a, stakeholders=[school], months=[3, 4])
    second = complete_line(b, stakeholders=[school], months=[4])
    [finding] = of_rule(run(world, consolidated), "duplicated_activity")
    assert finding.severity == FindingSeverity.BLOCKING
    assert finding.line_ids == sorted([first.pk, second.pk])
    assert finding.unit_id is None
    assert "IE La Esperanza" in finding.message
    assert "Convivencia escolar" in finding.message
    assert "Salud Pública" in finding.message and "Aseguramiento" in finding.message


@pytest.mark.parametrize(
    ("first", "second", "duplicated"),
    [
        ({"months": [3]}, {"months": [5]}, False),
        ({"months": [3]}, {"months": [3], "topic": "topic2"}, False),
        (
            {"start_date": (3, 2), "end_date": (3, 4)},
            {"start_date": (3, 20), "end_date": (3, 21)},
            False,
        ),
        (
            {"start_date": (3, 2), "end_date": (3, 10)},
            {"start_date": (3, 9), "end_date": (3, 12)},
            True,
        ),
        ({"start_date": (3, 20), "end_date": (3, 21)}, {"months": [3]}, True),
    ],
)
def test_duplicated_needs_overlapping_periods_and_the_same_topic(setup, first, second, duplicated):
    world, consolidated, a, b = setup
    values = catalogue(world.org)
    school = stakeholder(world.org)

    def fields(spec):
        result = {}
        for key, value in spec.items():
            if key in ("start_date", "end_date"):
                result[key] = datetime.date(year(world), *value)
            elif key == "topic":
                result[key] = values[value]
            else:
                result[key] = value
        return result

    complete_line(a, stakeholders=[school], **fields(first))
    complete_line(b, stakeholders=[school], **fields(second))
    assert bool(of_rule(run(world, consolidated), "duplicated_activity")) is duplicated


def test_the_same_unit_twice_is_not_a_duplicate_across_units(setup):
    world, consolidated, a, b = setup
    school = stakeholder(world.org)
    complete_line(a, stakeholders=[school])
    complete_line(a, stakeholders=[school])
    assert of_rule(run(world, consolidated), "duplicated_activity") == []


def test_one_finding_per_pair_names_every_shared_stakeholder(setup):
    world, consolidated, a, b = setup
    schools = [stakeholder(world.org, f"IE Número {n}") for n in range(3)]
    complete_line(a, stakeholders=schools)
    complete_line(b, stakeholders=schools[:2])
    [finding] = of_rule(run(world, consolidated), "duplicated_activity")
    assert "IE Número 0" in finding.message and "IE Número 1" in finding.message
    assert "IE Número 2" not in finding.message


# --- complementarity (EDU-4) ------------------------------------------------------------------------


def test_edu4_units_visiting_the_same_stakeholder_in_the_same_month_could_join(setup):
    """EDU-4: the activities of the groups are complementary, to optimise resources."""
    world, consolidated, a, b = setup
    values = catalogue(world.org)
    school = stakeholder(world.org, "IE El Carmen")
    complete_line(a, stakeholders=[school], months=[6])
    complete_line(b, stakeholders=[school], months=[6], topic=values["topic2"])
    findings = run(world, consolidated)
    [finding] = of_rule(findings, "complementarity")
    assert finding.severity == FindingSeverity.SUGGESTION
    assert "IE El Carmen" in finding.message
    assert of_rule(findings, "duplicated_activity") == []


@pytest.mark.parametrize(
    ("second", "suggested"),
    [
        ({"modality": "virtual"}, False),
        ({"modality": None, "mechanism": "remote"}, False),
        ({"modality": None}, True),
        ({"start_date": (6, 3), "end_date": (6, 3)}, True),  # same week as June 1-2
        ({"start_date": (6, 17), "end_date": (6, 18)}, False),  # two weeks later
    ],
)
def test_complementarity_needs_in_person_visits_in_the_same_week(setup, second, suggested):
    world, consolidated, a, b = setup
    values = catalogue(world.org)
    school = stakeholder(world.org)
    y = year(world)
    # 1 June of the fiscal year, moved to a Monday so the week is predictable
    monday = datetime.date(y, 6, 1) + datetime.timedelta(days=-datetime.date(y, 6, 1).weekday() % 7)
    first_fields = {"start_date": monday, "end_date": monday + datetime.timedelta(days=1)}
    complete_line(a, stakeholders=[school], **first_fields)
    fields = {"topic": values["topic2"], "months": [6]}
    for key, value in second.items():
        if key in ("start_date", "end_date"):
            offset = datetime.date(y, *value) - datetime.date(y, 6, 1)
            fields[key] = monday + offset
        elif key in ("modality", "mechanism"):
            fields[key] = values[value] if value else None
        else:
            fields[key] = value
    complete_line(b, stakeholders=[school], **fields)
    assert bool(of_rule(run(world, consolidated), "complementarity")) is suggested


# --- dates, responsible, travel -----------------------------------------------------------------------


def test_dates_outside_the_fiscal_year_block(setup):
    """EDU-5 (fecha de ejecución): every date within the fiscal year."""
    world, consolidated, a, b = setup
    y = year(world)
    inside = complete_line(a, start_date=datetime.date(y, 2, 1), end_date=datetime.date(y, 2, 2))
    outside = complete_line(
        a, start_date=datetime.date(y, 12, 20), end_date=datetime.date(y + 1, 1, 15)
    )
    reversed_line = complete_line(
        b, start_date=datetime.date(y, 5, 10), end_date=datetime.date(y, 5, 1)
    )
    findings = of_rule(run(world, consolidated), "outside_fiscal_year")
    assert {tuple(f.line_ids) for f in findings} == {(outside.pk,), (reversed_line.pk,)}
    assert all(f.severity == FindingSeverity.BLOCKING for f in findings)
    assert inside.pk not in {pk for f in findings for pk in f.line_ids}
    [later] = [f for f in findings if f.line_ids == [outside.pk]]
    assert str(y) in later.message


def test_responsible_must_belong_to_the_unit_or_a_sub_unit(setup):
    world, consolidated, a, b = setup
    group = UnitFactory(organization=world.org, parent=world.unit, name="Grupo de convivencia")
    in_group = member(world.org, Role.PROFESSIONAL, unit=group)
    other_unit = member(world.org, Role.PROFESSIONAL, unit=world.sibling_unit)
    ok = complete_line(a, responsible=world.professional)
    ok_group = complete_line(a, responsible=in_group)
    wrong = complete_line(a, responsible=other_unit)
    no_unit = complete_line(a, responsible=world.planner)
    findings = of_rule(run(world, consolidated), "responsible_not_in_unit")
    assert {f.line_ids[0] for f in findings} == {wrong.pk, no_unit.pk}
    assert all(f.severity == FindingSeverity.WARNING for f in findings)
    assert not {ok.pk, ok_group.pk} & {f.line_ids[0] for f in findings}
    [finding] = [f for f in findings if f.line_ids == [wrong.pk]]
    assert other_unit.full_name in finding.message
    [outside] = [f for f in findings if f.line_ids == [no_unit.pk]]
    assert world.planner.full_name in outside.message


def test_a_responsible_outside_the_organization_is_not_named(setup):
    world, consolidated, a, b = setup
    line = complete_line(a, responsible=world.outsider)
    [finding] = of_rule(run(world, consolidated), "responsible_not_in_unit")
    assert finding.line_ids == [line.pk]
    assert world.outsider.full_name not in finding.message
    assert "a person outside the organization" in finding.message


def test_an_inactive_membership_does_not_count(setup):
    world, consolidated, a, b = setup
    person = member(world.org, Role.PROFESSIONAL, unit=world.unit)
    person.memberships.update(is_active=False)
    complete_line(a, responsible=person)
    assert len(of_rule(run(world, consolidated), "responsible_not_in_unit")) == 1


def test_travel_without_budget_blocks(setup):
    world, consolidated, a, b = setup
    complete_line(a, needs_travel=True, budget=Decimal("250000"))
    bad = complete_line(a, needs_travel=True, budget=Decimal(0))
    [finding] = of_rule(run(world, consolidated), "travel_without_budget")
    assert finding.line_ids == [bad.pk]
    assert finding.severity == FindingSeverity.BLOCKING


# --- registry, needs, legal obligation --------------------------------------------------------------


def test_inactive_or_foreign_stakeholders_block(setup):
    world, consolidated, a, b = setup
    active = stakeholder(world.org, "IE Activa")
    inactive = stakeholder(world.org, "IE Cerrada", is_active=False)
    foreign = stakeholder(world.other, "Entidad de otra organización")
    complete_line(a, stakeholders=[active])
    first = complete_line(a, stakeholders=[inactive])
    second = complete_line(b, stakeholders=[inactive, foreign])
    findings = of_rule(run(world, consolidated), "stakeholder_inactive")
    assert len(findings) == 2
    [closed] = [f for f in findings if "IE Cerrada" in f.message]
    assert closed.line_ids == sorted([first.pk, second.pk])
    assert "inactive" in closed.message
    [unregistered] = [f for f in findings if "not in the organization's registry" in f.message]
    assert f"#{foreign.pk}" in unregistered.message
    assert "otra organización" not in unregistered.message  # another tenant's name is not shown
    assert unregistered.unit_id == world.sibling_unit.pk


def test_line_without_need_or_programme_warns_where_not_required(setup):
    world, consolidated, a, b = setup
    complete_line(a, programme="Salud pública", with_need=False)
    complete_line(a, programme="")  # linked to a need
    orphan = complete_line(a, programme="", with_need=False)
    [finding] = of_rule(run(world, consolidated), "line_without_need_or_programme")
    assert finding.line_ids == [orphan.pk]
    assert finding.severity == FindingSeverity.WARNING


def test_edu_reports_need_and_programme_as_required_fields_only(edu):
    consolidated = consolidated_for(edu.org)
    plan = plan_for(consolidated, edu.unit, edu.unit_head)
    complete_line(plan, programme="", with_need=False)
    findings = run(edu, consolidated)
    assert of_rule(findings, "line_without_need_or_programme") == []
    assert len(of_rule(findings, "required_fields")) == 1


def test_fp5_legal_obligation_only_for_national_entities(setup):
    """FP-5: the legal-obligation flag applies to national-order entities."""
    world, consolidated, a, b = setup
    ministry = stakeholder(world.org, "Ministerio", kind="national_entity")
    complete_line(a, stakeholders=[ministry], legal_obligation=True)
    wrong = complete_line(a, legal_obligation=True)
    [finding] = of_rule(run(world, consolidated), "legal_obligation_scope")
    assert finding.line_ids == [wrong.pk]


# --- priority coverage (FP-1, DNP-1) ----------------------------------------------------------------


def test_fp1_dnp1_prioritised_stakeholders_without_line_one_finding_each(setup):
    """FP-1/DNP-1: the plan covers the year's prioritised stakeholders."""
    world, consolidated, a, b = setup
    covered = stakeholder(world.org, "Municipio cubierto", kind="municipality")
    missing = stakeholder(world.org, "Municipio sin línea", kind="municipality")
    missing2 = stakeholder(world.org, "Otro sin línea", kind="municipality")
    not_selected = stakeholder(world.org, "No seleccionado", kind="municipality")
    old_only = stakeholder(world.org, "Solo en la lista anterior", kind="municipality")
    priority_list(
        world,
        [(old_only, True)],
        name="Lista anterior",
        saved_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    )
    priority_list(
        world, [(covered, True), (missing, True), (not_selected, False), (missing2, True)]
    )
    complete_line(a, stakeholders=[covered])
    findings = of_rule(run(world, consolidated), "priority_coverage")
    assert len(findings) == 2
    assert all(f.severity == FindingSeverity.WARNING and f.line_ids == [] for f in findings)
    messages = " ".join(f.message for f in findings)
    assert "Municipio sin línea" in messages and "Otro sin línea" in messages
    assert "Priorización 2026" in messages
    assert "No seleccionado" not in messages and "lista anterior" not in messages


def test_no_priority_list_no_coverage_findings(setup):
    world, consolidated, a, b = setup
    complete_line(a)
    assert of_rule(run(world, consolidated), "priority_coverage") == []


# --- budget vs strategy (FP-2..4) ---------------------------------------------------------------------


def _strategy(world, status, resources):
    strategy = StrategyFactory(organization=world.org, status=status)
    for unit, amount in resources.items():
        StrategyProposal.objects.create(
            organization=world.org, strategy=strategy, unit=unit, resources=Decimal(amount)
        )
    return strategy


def test_budget_above_the_approved_strategy_warns_per_unit_and_organization(setup):
    world, consolidated, a, b = setup
    _strategy(
        world, StrategyStatus.APPROVED, {world.unit: 1_000_000, world.sibling_unit: 5_000_000}
    )
    complete_line(a, budget=Decimal(2_000_000))
    complete_line(a, budget=Decimal(1_500_000))
    complete_line(b, budget=Decimal(1_000_000))
    findings = of_rule(run(world, consolidated), "budget_vs_strategy")
    assert len(findings) == 1
    [unit_finding] = findings
    assert unit_finding.unit_id == world.unit.pk
    assert "$ 3.500.000" in unit_finding.message and "$ 1.000.000" in unit_finding.message
    assert "$ 2.500.000" in unit_finding.message  # the difference


def test_budget_above_the_whole_strategy_and_unit_without_proposal(setup):
    world, consolidated, a, b = setup
    _strategy(world, StrategyStatus.APPROVED, {world.unit: 1_000_000})
    complete_line(a, budget=Decimal(500_000))
    complete_line(b, budget=Decimal(800_000))
    findings = of_rule(run(world, consolidated), "budget_vs_strategy")
    assert {f.unit_id for f in findings} == {world.sibling_unit.pk, None}
    [organization] = [f for f in findings if f.unit_id is None]
    assert "$ 1.300.000" in organization.message


@pytest.mark.parametrize("status", [StrategyStatus.DRAFT, StrategyStatus.SUBMITTED])
def test_no_approved_strategy_no_budget_findings(setup, status):
    world, consolidated, a, b = setup
    _strategy(world, status, {world.unit: 1})
    complete_line(a, budget=Decimal(2_000_000))
    assert of_rule(run(world, consolidated), "budget_vs_strategy") == []


def test_every_rule_has_a_label_severity_and_description():
    for code, rule in RULES.items():
        assert rule.code == code
        assert rule.severity in FindingSeverity.values
        assert str(rule.label) and str(rule.description)
