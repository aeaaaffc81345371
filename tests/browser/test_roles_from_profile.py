"""Who does a step comes from the organization's procedure, as people meet it (issue 11 §1).

* DNP-3: the professional finalises his work plan (no unit head's approval in DNP).
* SAL-2: the unit head finalises his plan in one action (no "send to review" + "approve").
* EDU-7: the planner does not see "Registrar la decisión del comité"; a committee member does.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from acompana.core.tests.factories import build_world
from acompana.planning.choices import ConsolidatedStatus, PlanStatus
from acompana.planning.models import Plan
from acompana.planning.tests.cases_plans import make_consolidated, make_plan

pytestmark = pytest.mark.browser


def _es(msgid: str) -> str:
    """The button as the Spanish UI shows it."""
    with translation.override("es-co"):
        return gettext(msgid)


def _open(page, path):
    page.goto(page.base_url + path)


def _finalise(page, plan):
    _open(page, f"/planificacion/planes/{plan.pk}/")
    actions = page.get_by_role("region", name="Siguiente paso")
    expect(actions.get_by_role("button")).to_have_count(1)  # one action, no review round
    page.once("dialog", lambda dialog: dialog.accept())
    actions.get_by_role("button", name=_es("Finalise the plan")).click()
    expect(page.get_by_role("status").first).to_contain_text(plan.title)
    expect(page.get_by_role("region", name="Siguiente paso")).to_have_count(0)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.PUBLISHED


def test_a_dnp_professional_finalises_his_work_plan(page, login, transactional_db):
    world = build_world(procedure_code="DNP")
    plan = make_plan(world)
    login(world.unit_head)
    _open(page, f"/planificacion/planes/{plan.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)
    expect(page.get_by_role("region", name="Siguiente paso")).to_have_count(0)
    page.context.clear_cookies()
    login(world.professional)
    _finalise(page, plan)


def test_a_sal_unit_head_finalises_his_plan_in_one_action(page, login, transactional_db):
    world = build_world()
    plan = make_plan(world)
    login(world.unit_head)
    _open(page, f"/planificacion/planes/{plan.pk}/")
    actions = page.get_by_role("region", name="Siguiente paso")
    expect(actions.get_by_role("button", name="Enviar a revisión")).to_have_count(0)
    _finalise(page, plan)


def test_the_planner_does_not_record_the_committee_decision(page, login, transactional_db):
    world = build_world(procedure_code="EDU")
    consolidated = make_consolidated(
        world, status=ConsolidatedStatus.COMMITTEE_REVIEWED, plan_status=PlanStatus.VERIFIED
    )
    url = f"/planificacion/planes/consolidados/{consolidated.pk}/"
    login(world.planner)
    _open(page, url)
    expect(page.get_by_role("heading", level=1)).to_have_text(consolidated.title)
    expect(page.get_by_role("link", name="Registrar la decisión del comité")).to_have_count(0)
    page.context.clear_cookies()
    login(world.committee)
    _open(page, url)
    expect(page.get_by_role("link", name="Registrar la decisión del comité")).to_have_count(1)
