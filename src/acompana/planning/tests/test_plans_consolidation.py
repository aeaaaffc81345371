"""Issue 11, section 4: plans, consolidation and the plan page as public servants met them.

* returning one unit's plan never returns them all (nothing pre-ticked);
* a refused verification lists its blocking findings;
* a professional of the unit imports into the unit's draft; re-importing the plan's own
  export updates its lines instead of doubling them; the import mode is an explicit choice;
* line numbers stay consecutive after a deletion;
* the plan list API reads totals and write scope in its one query;
* the plan page shows each stakeholder's entity order and the FP-5 legal basis.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from acompana.core.models import Event
from acompana.core.tests.factories import build_world
from acompana.planning.choices import FindingSeverity, FindingStatus, PlanStatus
from acompana.planning.models import Finding, PlanLine
from acompana.planning.plans import excel, selectors, services
from acompana.planning.tests.cases_plans import (
    complete_line,
    make_consolidated,
    make_plan,
    use_procedure,
)
from acompana.registry.choices import StakeholderKind
from acompana.registry.tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def _export(plan) -> bytes:
    return excel.export_workbook(
        organization=plan.organization,
        header=excel.plan_header(plan.organization),
        info=[("Dependencia", plan.unit.name)],
        lines=selectors.plan_lines(plan=plan),
    )


def _edit_activity(content: bytes, old: str, new: str) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == old:
                cell.value = new
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- return to the units: nothing pre-ticked ------------------------------------------------


def test_the_return_form_ticks_no_plan_and_names_those_with_blocking_findings(world, client_for):
    consolidated = make_consolidated(world)
    make_plan(
        world, status=PlanStatus.CONSOLIDATED, consolidated=consolidated, unit=world.sibling_unit
    )
    Finding.objects.create(
        organization=world.org,
        consolidated=consolidated,
        rule="required_fields",
        severity=FindingSeverity.BLOCKING,
        message="Falta el programa.",
        unit=world.unit,
        fingerprint="x",
    )
    page = client_for(world.planner).get(
        reverse("planning:consolidated_return", args=[consolidated.pk])
    )
    html = page.content.decode()
    boxes = re.findall(r'<input type="checkbox" name="plans"[^>]*>', html)
    assert len(boxes) == 2
    assert not any("checked" in box for box in boxes)
    assert html.count("with blocking findings") + html.count("con hallazgos bloqueantes") == 1


def test_returning_one_plan_leaves_the_others_in_the_consolidated_plan(world, client_for):
    consolidated = make_consolidated(world)
    other = make_plan(
        world, status=PlanStatus.CONSOLIDATED, consolidated=consolidated, unit=world.sibling_unit
    )
    mine = consolidated.plans.exclude(pk=other.pk).get()
    response = client_for(world.planner).post(
        reverse("planning:consolidated_return", args=[consolidated.pk]),
        {"plans": [mine.pk], "comments": "Ajusten las fechas.", "version": consolidated.version},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == PlanStatus.RETURNED
    assert other.status == PlanStatus.CONSOLIDATED


# --- a refused verification lists its blocking findings -------------------------------------


def test_a_refused_verification_lists_the_blocking_findings(world, client_for):
    consolidated = make_consolidated(world)  # EDU: the factory's line lacks EDU-5 fields
    with pytest.raises(ValidationError) as info:
        services.consolidated_plan_verify(actor=world.planner, consolidated=consolidated)
    blocking = Finding.objects.filter(
        consolidated=consolidated, severity=FindingSeverity.BLOCKING, status=FindingStatus.OPEN
    )
    assert blocking.exists()
    assert info.value.code == "blocking_findings"
    messages = info.value.messages
    assert len(messages) == 1 + blocking.count()
    for finding in blocking:
        assert any(finding.message in m and finding.unit.name in m for m in messages[1:])
    response = client_for(world.planner).post(
        reverse("planning:consolidated_verify", args=[consolidated.pk]), follow=True
    )
    html = response.content.decode()
    assert 'id="blocking-findings"' in html
    assert blocking.first().message.split("«")[0][:20] in html


def test_a_refusal_with_many_findings_names_ten_and_counts_the_rest(world):
    consolidated = make_consolidated(world)
    findings = [
        Finding(
            organization=world.org,
            consolidated=consolidated,
            rule="required_fields",
            severity=FindingSeverity.BLOCKING,
            message=f"Hallazgo {n}",
            unit=world.unit,
            fingerprint=f"f{n}",
        )
        for n in range(13)
    ]
    error = services.blocking_findings_error(findings)
    assert len(error.messages) == 1 + services.BLOCKING_LISTED + 1
    assert "3" in error.messages[-1]


# --- import: who may, and no silent duplicates ----------------------------------------------


def test_a_professional_of_the_unit_imports_into_the_units_draft(world, client_for):
    plan = make_plan(world, lines=0)
    complete_line(world, plan, activity="Visita de acompañamiento")
    content = _export(plan)
    client = client_for(world.professional)
    page = client.get(reverse("planning:plan_detail", args=[plan.pk]))
    assert reverse("planning:plan_import", args=[plan.pk]) in page.content.decode()
    response = client.post(
        reverse("planning:plan_import", args=[plan.pk]),
        {"file": SimpleUploadedFile("plan.xlsx", content)},
    )
    assert response.status_code == 302
    preview = client.get(reverse("planning:plan_import_preview", args=[plan.pk]))
    html = preview.content.decode()
    assert 'id="import-updates"' in html
    assert not re.search(r'<input[^>]*name="mode"[^>]*checked', html)  # no default
    # confirming without choosing imports nothing
    client.post(reverse("planning:plan_import_confirm", args=[plan.pk]), {})
    assert plan.lines.count() == 1
    client.post(reverse("planning:plan_import_confirm", args=[plan.pk]), {"mode": "update"})
    assert plan.lines.count() == 1


def test_reimporting_the_plans_own_export_updates_its_lines(world):
    plan = make_plan(world, lines=0)
    first = complete_line(world, plan, activity="Visita de acompañamiento")
    complete_line(world, plan, activity="Taller de evaluación")
    content = _edit_activity(_export(plan), "Visita de acompañamiento", "Visita de seguimiento")
    result = services.plan_lines_import(
        actor=world.professional, plan=plan, content=content, filename="plan.xlsx", mode="update"
    )
    assert (result.created, result.updated, result.removed) == (0, 2, 0)
    assert plan.lines.count() == 2
    first.refresh_from_db()
    assert first.activity == "Visita de seguimiento" and first.version == 2
    assert first.stakeholder_links.count() == 1 and first.need_links.count() == 1
    event = Event.objects.filter(step_key="plan.lines_imported").latest("id")
    assert event.after["updated"] == 2 and event.after["created"] == 0


def test_adding_the_plans_own_export_as_new_lines_is_refused(world):
    plan = make_plan(world, lines=0)
    complete_line(world, plan, activity="Visita de acompañamiento")
    with pytest.raises(ValidationError) as info:
        services.plan_lines_import(
            actor=world.professional,
            plan=plan,
            content=_export(plan),
            filename="plan.xlsx",
            mode="append",
        )
    assert "mode" in info.value.message_dict
    assert plan.lines.count() == 1
    with pytest.raises(ValidationError):
        services.plan_lines_import(
            actor=world.professional, plan=plan, content=_export(plan), filename="p.xlsx", mode=""
        )


def test_another_plans_export_adds_new_lines(world):
    source = make_plan(world, lines=0)
    complete_line(world, source, activity="Visita de acompañamiento")
    target = make_plan(world, unit=world.sibling_unit, lines=0)
    preview = excel.parse_plan_file(plan=target, content=_export(source), filename="p.xlsx")
    assert preview.ok and preview.line_ids == {}
    result = services.plan_lines_import(
        actor=world.admin, plan=target, content=_export(source), filename="p.xlsx", mode="update"
    )
    assert (result.created, result.updated) == (1, 0)
    assert source.lines.count() == 1


def test_a_line_id_twice_in_the_file_is_a_row_error(world):
    plan = make_plan(world, lines=0)
    line = complete_line(world, plan, activity="Visita de acompañamiento")
    rows = list(load_workbook(io.BytesIO(_export(plan))).active.iter_rows(values_only=True))
    header = next(row for row in rows if row and row[0] == "N.º")
    data = next(row for row in rows if "Visita de acompañamiento" in row)
    workbook = Workbook()
    for row in (header, data, data):
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = excel.parse_plan_file(plan=plan, content=buffer.getvalue(), filename="p.xlsx")
    assert not preview.ok, [(r.number, r.raw.get("line_id"), r.errors) for r in preview.rows]
    assert any(str(line.pk) in e for row in preview.bad_rows for e in row.errors)


# --- line numbers ---------------------------------------------------------------------------


def test_line_numbers_stay_consecutive_after_a_deletion(world, client_for):
    plan = make_plan(world, lines=4)
    second = plan.lines.order_by("position")[1]
    services.plan_line_delete(actor=world.professional, line=second, expected_version=1)
    assert list(plan.lines.order_by("position").values_list("position", flat=True)) == [1, 2, 3]
    third = plan.lines.order_by("position")[1]
    body = client_for(world.professional).post(
        reverse("planning:plan_line_delete", args=[third.pk]),
        {"version": third.version},
        HTTP_HX_REQUEST="true",
    )
    numbers = re.findall(r'class="plan-line">\s*<td>(\d+)</td>', body.content.decode())
    assert numbers == ["1", "2"]


# --- the plan list API: no N+1 --------------------------------------------------------------


def test_the_plan_list_reads_totals_and_scope_in_one_query(world):
    for unit in (world.unit, world.sibling_unit):
        make_plan(world, unit=unit, lines=3)
    plans = list(selectors.plan_list(user=world.professional, params={}))
    assert {p.line_count for p in plans} == {3}
    writable = {p.unit_id: p.writable for p in plans}
    assert writable == {world.unit.pk: True, world.sibling_unit.pk: False}


def test_write_scope_is_remembered_per_user_not_per_plan(world):
    plan = make_plan(world, unit=world.sibling_unit)
    assert selectors.can_write_plan(user=world.admin, plan=plan) is True
    assert selectors.can_write_plan(user=world.professional, plan=plan) is False


# --- FP-5 on the page: entity order and legal basis -----------------------------------------


def test_the_fp_plan_page_shows_entity_order_and_the_norm():
    world = build_world(procedure_code="FP")
    plan = make_plan(world, lines=0)
    ministry = StakeholderFactory(
        organization=world.org, kind=StakeholderKind.NATIONAL_ENTITY, name="Ministerio de Salud"
    )
    line = complete_line(
        world,
        plan,
        activity="Asesoría MIPG",
        legal_obligation=True,
        legal_basis="Ley 1955 de 2019, art. 8",
    )
    line.stakeholder_links.create(organization=world.org, stakeholder=ministry)
    assert ministry.entity_order == "national"
    from django.test import Client

    client = Client()
    client.force_login(world.professional)
    html = client.get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
    assert "Ley 1955 de 2019, art. 8" in html
    assert str(ministry.entity_order_label) in html
    assert PlanLine.objects.get(pk=line.pk).legal_obligation is True


def test_the_line_form_states_yes_no_or_nothing_for_the_legal_obligation():
    world = build_world(procedure_code="FP")
    use_procedure(world, "FP")
    plan = make_plan(world, lines=0)
    from acompana.planning.plans.forms import PlanLineForm

    form = PlanLineForm(
        {"activity": "Asesoría", "legal_obligation": "", "legal_basis": ""},
        user=world.professional,
        plan=plan,
        fp_fields=True,
    )
    assert form.is_valid(), form.errors
    assert form.line_input().legal_obligation is None
    form = PlanLineForm(
        {"activity": "Asesoría", "legal_obligation": "no"},
        user=world.professional,
        plan=plan,
        fp_fields=True,
    )
    assert form.is_valid() and form.line_input().legal_obligation is False
