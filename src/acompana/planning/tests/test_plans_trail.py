"""The procedure trail of the planning cycle tells the truth (issue 11 §2).

A step is done when its control point is met, by who met it (a plan submitted, not a draft
opened); a "no" at a control point is a round of the step it refused (EDU-3 ↩, EDU-5 ↩,
FP-4 ↩ with its acta), and a redone step shows every round.
"""

from __future__ import annotations

import datetime

import pytest

from acompana.core.events import event_record
from acompana.core.procedures.trail import procedure_trail
from acompana.core.tests.factories import build_world
from acompana.planning.choices import PlanStatus
from acompana.planning.models import Strategy
from acompana.planning.plans import services
from acompana.planning.tests.cases_plans import complete_line, make_plan
from acompana.planning.tests.factories import fiscal_year

pytestmark = pytest.mark.django_db

P = PlanStatus


def _steps(trail):
    return {item.id: item for item in trail}


@pytest.mark.parametrize(
    ("code", "step_id"), [("SAL", "SAL-2"), ("EDU", "EDU-2"), ("DNP", "DNP-3"), ("FP", "FP-5")]
)
def test_opening_an_empty_draft_completes_no_plan_step(code, step_id):
    """Today's defect: SAL-2 / EDU-2 / DNP-3 / FP-5 showed ✓ the moment a draft was opened,
    by whoever opened it."""
    world = build_world(procedure_code=code)
    plan = services.plan_create(
        actor=world.admin,
        organization=world.org,
        unit=world.unit,
        fiscal_year=fiscal_year(world.org),
    )
    step = _steps(procedure_trail(user=world.admin, obj=plan))[step_id]
    assert not step.done and step.status == "pending" and step.rounds == []


def test_edu_return_and_resubmission_show_both_rounds():
    """EDU-2 submitted twice (rounds 1 and 2), EDU-3 returned with comments then approved —
    each round with its actor, date and comments; EDU-2 is done by the professional."""
    world = build_world(procedure_code="EDU")
    plan = services.plan_create(
        actor=world.admin,
        organization=world.org,
        unit=world.unit,
        fiscal_year=fiscal_year(world.org),
    )
    complete_line(world, plan)
    services.plan_submit(actor=world.professional, plan=plan)
    services.plan_return(actor=world.unit_head, plan=plan, comments="Falta la sede de la visita.")
    steps = _steps(procedure_trail(user=world.planner, obj=plan))
    assert steps["EDU-3"].status == "returned" and not steps["EDU-3"].done
    services.plan_submit(actor=world.professional, plan=plan)
    services.plan_approve(actor=world.unit_head, plan=plan)

    steps = _steps(procedure_trail(user=world.planner, obj=plan))
    edu2, edu3 = steps["EDU-2"], steps["EDU-3"]
    assert edu2.done and edu2.actor == world.professional
    assert [(r.kind, r.number, r.actor) for r in edu2.rounds] == [
        ("done", 1, world.professional),
        ("done", 2, world.professional),  # the resubmission opens round 2
    ]
    assert [r.kind for r in edu3.rounds] == ["returned", "done"]
    returned, approved = edu3.rounds
    assert returned.actor == world.unit_head and returned.number == 1
    assert returned.comments == "Falta la sede de la visita."
    assert isinstance(returned.when, datetime.datetime)
    assert approved.actor == world.unit_head and edu3.status == "done"


def test_edu_5_return_to_the_units_is_a_round_of_edu_5():
    """EDU-5 "no": planning returns the consolidated plan's unit plans to EDU-2 — one round
    for the act (consolidated plan + unit plans), with planning's comments."""
    world = build_world(procedure_code="EDU")
    plans = []
    for unit in (world.unit, world.sibling_unit):
        plan = make_plan(world, unit=unit, lines=0, status=P.UNIT_APPROVED)
        complete_line(world, plan, activity=f"Visita a {unit.name}")
        plans.append(plan)
    consolidated = services.consolidated_plan_create(
        actor=world.planner, organization=world.org, fiscal_year=fiscal_year(world.org)
    )
    services.consolidated_plan_return(
        actor=world.planner,
        consolidated=consolidated,
        comments="Ajusten las metas al presupuesto.",
        plans=[plans[0]],
    )
    trail = procedure_trail(user=world.planner, obj=plans[0], related=[consolidated])
    edu5 = _steps(trail)["EDU-5"]
    assert edu5.status == "returned"
    assert len(edu5.rounds) == 1
    (round_,) = edu5.rounds
    assert round_.returned and round_.actor == world.planner
    assert round_.comments.startswith("Ajusten las metas al presupuesto.")
    # the unit head's review is not touched by planning's return
    assert _steps(trail)["EDU-3"].status != "returned"


def test_fp_4_committee_no_with_its_acta_is_a_round_of_fp_4():
    """FP-4 "no": the committee's return names its acta, its session date and the comments
    (the proposals it returned carry them); an approval later is the next round."""
    world = build_world(procedure_code="FP")
    strategy = Strategy.objects.create(organization=world.org, fiscal_year=fiscal_year(world.org))
    event_record(
        actor=world.committee,
        organization=world.org,
        step_key="committee.returned",
        obj=strategy,
        summary="Devuelta",
        after={"acta": "03-2026", "date": "2026-11-20", "decision": "rejected", "round": 1},
        record="Acta",
    )
    event_record(
        actor=world.committee,
        organization=world.org,
        step_key="strategy.committee_decided",
        obj=strategy,
        after={"acta": "04-2026", "date": "2026-11-27", "decision": "approved", "round": 2},
    )
    fp4 = _steps(procedure_trail(user=world.planner, obj=strategy))["FP-4"]
    assert [r.kind for r in fp4.rounds] == ["returned", "done"]
    returned = fp4.rounds[0]
    assert (returned.acta, returned.acta_date, returned.number) == ("03-2026", "20/11/2026", 1)
    assert returned.actor == world.committee
    assert fp4.done and fp4.rounds[1].acta == "04-2026"
