"""The procedure trail tells the truth, in Spanish (issue 11 §2), as people meet it.

An EDU unit plan is submitted, returned by the group leader with comments (EDU-3 ↩),
submitted again and approved: the plan's trail shows both rounds of EDU-2 and of EDU-3 with
who, when and the comments; an empty draft completed nothing. The Procedimiento page, the
audit log and the plan's history print no raw key (``plan.submitted``) and no Python value
(``None``, ``{'budget': ...}``).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import Page, expect

from acompana.core.procedures.keys import AUDIT_KEYS, STEP_KEYS
from acompana.core.tests.factories import build_world

pytestmark = pytest.mark.browser

COMMENTS = "Falta la sede de la visita: escríbala antes de aprobar."
DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
KEYS = sorted(set(STEP_KEYS) | set(AUDIT_KEYS))


@pytest.fixture
def edu_world(transactional_db):
    return build_world(procedure_code="EDU")


@pytest.fixture
def act_as(page, login):
    def switch(user) -> Page:
        page.context.clear_cookies()
        return login(user)

    return switch


def assert_no_internals(page: Page) -> None:
    """No step key, no Python value in what the page shows."""
    text = page.locator("main").inner_text()
    for key in KEYS:
        assert key not in text, key
    for raw in ("None", "{'", "'}", "[]", "Decimal("):
        assert raw not in text, raw


def step_item(page: Page, step: str):
    trail = page.get_by_role("region", name=re.compile("Recorrido del procedimiento"))
    return trail.locator(f"li[data-step='{step}']")


def test_edu_return_and_resubmission_show_both_rounds(page, act_as, edu_world):
    from acompana.planning.models import Plan
    from acompana.planning.plans import services
    from acompana.planning.tests.cases_plans import complete_line
    from acompana.planning.tests.factories import fiscal_year

    world = edu_world
    # the group leader opens the draft; the professional writes and submits it
    plan = services.plan_create(
        actor=world.unit_head,
        organization=world.org,
        unit=world.unit,
        fiscal_year=fiscal_year(world.org),
        title="Plan de asistencia técnica GCE 2027",
    )
    complete_line(world, plan, activity="Taller de resignificación del PEI")
    plan_url = page.base_url + f"/planificacion/planes/{plan.pk}/"

    # an empty draft opened: EDU-2 is not done
    act_as(world.professional)
    page.goto(plan_url)
    expect(step_item(page, "EDU-2")).to_contain_text("Pendiente")

    # EDU-2: the professional submits
    page.get_by_role("button", name="Enviar a revisión").click()
    expect(page.get_by_role("button", name="Enviar a revisión")).to_have_count(0)

    # EDU-3 "sí": the group leader returns it with comments
    act_as(world.unit_head)
    page.goto(plan_url)
    page.get_by_label(re.compile("^Comentarios para la dependencia")).fill(COMMENTS)
    page.get_by_role("button", name="Devolver con comentarios").click()
    expect(step_item(page, "EDU-3")).to_have_attribute("data-status", "returned")
    expect(step_item(page, "EDU-3")).to_contain_text("↩")
    expect(step_item(page, "EDU-3")).to_contain_text(COMMENTS)

    # EDU-2 again, then EDU-3 "no": approved
    act_as(world.professional)
    page.goto(plan_url)
    page.get_by_role("button", name="Enviar a revisión").click()
    expect(page.get_by_role("button", name="Enviar a revisión")).to_have_count(0)
    act_as(world.unit_head)
    page.goto(plan_url)
    page.get_by_role("button", name="Aprobar").click()
    expect(step_item(page, "EDU-3")).to_have_attribute("data-status", "done")

    # the trail: EDU-2 done twice by the professional (rounds 1 and 2) ...
    edu2 = step_item(page, "EDU-2")
    expect(edu2).to_contain_text("Hecho")
    rounds2 = edu2.locator(".trail-round")
    expect(rounds2).to_have_count(2)
    for n in (0, 1):
        expect(rounds2.nth(n)).to_contain_text(world.professional.full_name)
        expect(rounds2.nth(n)).to_contain_text(DATE)
    expect(rounds2.nth(0)).to_contain_text("ronda 1")
    expect(rounds2.nth(1)).to_contain_text("ronda 2")
    # ... EDU-3 returned by the leader with the comments, then approved by the leader
    rounds3 = step_item(page, "EDU-3").locator(".trail-round")
    expect(rounds3).to_have_count(2)
    expect(rounds3.nth(0)).to_contain_text("↩")
    expect(rounds3.nth(0)).to_contain_text(world.unit_head.full_name)
    expect(rounds3.nth(0)).to_contain_text(DATE)
    expect(rounds3.nth(0)).to_contain_text(COMMENTS)
    expect(rounds3.nth(1)).to_contain_text("✓")
    expect(rounds3.nth(1)).to_contain_text(world.unit_head.full_name)
    # EDU-2 is the professional's (who submitted), not whoever opened the draft
    assert world.unit_head.full_name not in step_item(page, "EDU-2").inner_text()
    assert_no_internals(page)
    assert Plan.objects.get(pk=plan.pk).round == 2

    # the Procedimiento page, the audit log and the plan's history speak Spanish
    act_as(world.admin)
    page.goto(page.base_url + "/procedimiento/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_internals(page)
    page.goto(page.base_url + "/auditoria/")
    expect(page.get_by_role("table")).to_contain_text(world.unit_head.full_name)
    assert_no_internals(page)
    ct = ContentType.objects.get_for_model(plan)
    page.goto(page.base_url + f"/auditoria/{ct.app_label}/{ct.model}/{plan.pk}/")
    history = page.get_by_role("table")
    expect(history).to_contain_text(COMMENTS)
    expect(history).to_contain_text(DATE)
    assert_no_internals(page)
    page.goto(page.base_url + "/")
    assert_no_internals(page)
