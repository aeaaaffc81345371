"""Issue 11, section 4, as a person meets it: return one unit's plan only (nothing is
pre-ticked), re-import an exported plan without doubling its lines, delete a line and read
consecutive numbers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from acompana.core.tests.factories import build_world
from acompana.planning.choices import PlanStatus
from acompana.planning.models import Plan
from acompana.planning.tests.cases_plans import complete_line, make_consolidated, make_plan

pytestmark = pytest.mark.browser


@pytest.fixture
def edu(transactional_db):
    return build_world(procedure_code="EDU")


def test_return_one_units_plan_only(edu, page, login):
    consolidated = make_consolidated(edu)
    mine = consolidated.plans.get()
    other = make_plan(
        edu, status=PlanStatus.CONSOLIDATED, consolidated=consolidated, unit=edu.sibling_unit
    )
    login(edu.planner)
    page.goto(page.base_url + reverse("planning:consolidated_return", args=[consolidated.pk]))
    boxes = page.locator('input[type="checkbox"][name="plans"]')
    expect(boxes).to_have_count(2)
    for index in range(2):
        expect(boxes.nth(index)).not_to_be_checked()
    page.get_by_label(re.compile(re.escape(mine.unit.name))).check()
    page.locator('textarea[name="comments"]').fill("Completen el programa del plan de desarrollo.")
    page.locator("form").filter(has=boxes.first).get_by_role("button").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
        mine.unit.name
    )
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == PlanStatus.RETURNED
    assert other.status == PlanStatus.CONSOLIDATED


def test_reimport_the_exported_plan_without_duplicates(edu, page, login, tmp_path):
    plan = make_plan(edu, lines=0)
    complete_line(edu, plan, activity="Visita de acompañamiento")
    complete_line(edu, plan, activity="Taller de evaluación")
    login(edu.professional)
    page.goto(page.base_url + reverse("planning:plan_detail", args=[plan.pk]))
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel", exact=True).click()
    saved = tmp_path / "plan.xlsx"
    download.value.save_as(saved)
    page.get_by_role("link", name=re.compile("Importar")).first.click()
    page.locator('input[type="file"]').set_input_files(str(saved))
    page.locator('form[enctype="multipart/form-data"] button[type="submit"]').click()
    expect(page.locator("#import-updates")).to_be_visible()
    modes = page.locator('input[name="mode"]')
    expect(modes).to_have_count(3)
    for index in range(3):
        expect(modes.nth(index)).not_to_be_checked()
    page.locator('input[name="mode"][value="update"]').check()
    page.get_by_role("button", name=re.compile("^Importar")).click()
    page.wait_for_url(re.compile(re.escape(reverse("planning:plan_detail", args=[plan.pk])) + "$"))
    expect(page.locator("tr.plan-line")).to_have_count(2)
    assert Plan.objects.get(pk=plan.pk).lines.count() == 2


def test_delete_a_line_and_read_consecutive_numbers(edu, page, login):
    plan = make_plan(edu, lines=0)
    for activity in ("Primera visita", "Segunda visita", "Tercera visita"):
        complete_line(edu, plan, activity=activity)
    login(edu.professional)
    page.goto(page.base_url + reverse("planning:plan_detail", args=[plan.pk]))
    rows = page.locator("tr.plan-line")
    expect(rows).to_have_count(3)
    page.on("dialog", lambda dialog: dialog.accept())
    rows.filter(has_text="Segunda visita").locator("button.btn-outline-danger").click()
    expect(rows).to_have_count(2)
    expect(rows.locator("td:first-child")).to_have_text(["1", "2"])
    page.reload()
    expect(page.locator("tr.plan-line td:first-child")).to_have_text(["1", "2"])
