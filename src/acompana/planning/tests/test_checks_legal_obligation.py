"""FP-5: "para entidades del orden nacional, si la temática es una obligación normativa".

The consolidation checks ask every FP line serving a national-order entity to state it, and a
"yes" to name the norm; the entity's order comes from the registry (``entity_order``)."""

from __future__ import annotations

import pytest
from django.utils import translation

from acompana.core.tests.factories import build_world
from acompana.planning.checks.engine import run_checks
from acompana.planning.checks.rules import RULES
from acompana.planning.choices import FindingSeverity
from acompana.planning.tests.cases_checks import (
    complete_line,
    consolidated_for,
    plan_for,
    stakeholder,
)
from acompana.registry.choices import StakeholderKind
from acompana.registry.models import Stakeholder

pytestmark = pytest.mark.django_db

RULE = "legal_obligation_stated"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _setup(code: str = "FP"):
    world = build_world(procedure_code=code)
    consolidated = consolidated_for(world.org)
    plan = plan_for(consolidated, world.unit, world.unit_head)
    ministry = stakeholder(world.org, "Ministerio de Educación", kind="national_entity")
    town = stakeholder(world.org, "Alcaldía de Neiva", kind="municipality")
    return world, consolidated, plan, ministry, town


def _findings(world, consolidated):
    return [f for f in run_checks(actor=world.planner, consolidated=consolidated) if f.rule == RULE]


def test_a_national_entity_line_must_state_the_legal_obligation():
    world, consolidated, plan, ministry, town = _setup()
    unstated = complete_line(plan, stakeholders=[ministry], legal_obligation=None)
    no_norm = complete_line(plan, stakeholders=[ministry], legal_obligation=True, legal_basis="")
    complete_line(
        plan, stakeholders=[ministry], legal_obligation=True, legal_basis="Ley 1955 de 2019, art. 8"
    )
    complete_line(plan, stakeholders=[ministry], legal_obligation=False)
    complete_line(plan, stakeholders=[town], legal_obligation=None)  # territorial: not asked
    found = {tuple(f.line_ids): f for f in _findings(world, consolidated)}
    assert set(found) == {(unstated.pk,), (no_norm.pk,)}
    assert all(f.severity == FindingSeverity.BLOCKING for f in found.values())
    assert "Ministerio de Educación" in found[(unstated.pk,)].message
    assert "does not say whether" in found[(unstated.pk,)].message
    assert "norm" in found[(no_norm.pk,)].message
    assert "Ley 1955" in found[(no_norm.pk,)].fix_hint


def test_other_procedures_are_not_asked():
    world, consolidated, plan, ministry, _town = _setup("EDU")
    complete_line(plan, stakeholders=[ministry], legal_obligation=None)
    assert _findings(world, consolidated) == []


def test_the_rule_is_declared_blocking():
    assert RULES[RULE].severity == FindingSeverity.BLOCKING


def test_entity_order_follows_the_kind():
    orders = {kind: Stakeholder(kind=kind).entity_order for kind in StakeholderKind.values}
    assert orders[StakeholderKind.NATIONAL_ENTITY] == "national"
    assert orders[StakeholderKind.MUNICIPALITY] == "territorial"
    assert orders[StakeholderKind.DEPARTMENT] == "territorial"
    assert orders[StakeholderKind.TERRITORIAL_ENTITY] == "territorial"
    assert orders[StakeholderKind.SCHOOL] == ""
    assert Stakeholder(kind=StakeholderKind.SCHOOL).entity_order_label == ""
