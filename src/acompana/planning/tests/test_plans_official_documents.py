"""Issue 11 §6: the plan documents carry what control interno checks.

The plan and consolidated plan PDFs (parsed with pdftotext) show every stakeholder with its
identifiers, a total row in "$ 1.234.567", who prepared, reviewed, verified and approved with
dates dd/mm/aaaa, and the acta that approved it; the header row repeats on every page and a
row never splits; the stored document keeps the real page count. The acta carries place,
object, attendees, decision, the unit plans and next steps that fit the decision. The plan
workbook (openpyxl) is print-ready and still imports back.
"""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from acompana.core.models import Document
from acompana.core.tests.factories import build_world
from acompana.planning.choices import DecisionOutcome
from acompana.planning.plans import excel, selectors, services
from acompana.planning.tests.cases_plans import complete_line, make_plan
from acompana.planning.tests.factories import PlanLineFactory, fiscal_year
from acompana.registry.choices import StakeholderKind
from acompana.registry.tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today().strftime("%d/%m/%Y")


def _pages(content: bytes, tmp_path, name: str = "doc.pdf") -> list[str]:
    """The text of each page (pdftotext -raw), whitespace collapsed."""
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (Debian package poppler-utils) is required")
    path = tmp_path / name
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [" ".join(page.split()) for page in out.split("\f") if page.strip()]


def _pdfinfo_pages(content: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M)[1])  # type: ignore[index]


def _edu_cycle():
    """EDU: a plan with a school (DANE code) and an alcaldía (NIT + DANE), submitted by the
    professional, approved by the leader, consolidated and verified by planning and approved
    by the committee in acta 12-2026."""
    world = build_world(procedure_code="EDU")
    year = fiscal_year(world.org)
    plan = services.plan_create(
        actor=world.professional, organization=world.org, unit=world.unit, fiscal_year=year
    )
    line = complete_line(world, plan, activity="Acompañamiento al PEI", budget=Decimal("1234567"))
    school = StakeholderFactory(
        organization=world.org,
        kind=StakeholderKind.SCHOOL,
        name="Institución Educativa Técnica de Garzón",
        nit="",
        school_code="141298000123",
    )
    town = StakeholderFactory(
        organization=world.org,
        kind=StakeholderKind.MUNICIPALITY,
        name="Alcaldía de Garzón",
        nit="800095511-0",
        dane_code="41298",
    )
    for stakeholder in (school, town):
        line.stakeholder_links.create(organization=world.org, stakeholder=stakeholder)
    complete_line(world, plan, activity="Taller de evaluación", budget=Decimal("765433"))
    services.plan_submit(actor=world.professional, plan=plan)
    services.plan_approve(actor=world.unit_head, plan=plan)
    consolidated = services.consolidated_plan_create(
        actor=world.planner, organization=world.org, fiscal_year=year
    )
    services.consolidated_plan_verify(actor=world.planner, consolidated=consolidated)
    services.consolidated_plan_send_to_committee(actor=world.planner, consolidated=consolidated)
    services.consolidated_plan_committee_review(actor=world.committee, consolidated=consolidated)
    services.consolidated_plan_committee_decide(
        actor=world.committee,
        consolidated=consolidated,
        acta_number="12-2026",
        date=datetime.date.today(),
        attendees="Secretaria de Educación\nLíder de Planeación Educativa",
        decision=DecisionOutcome.APPROVED,
    )
    plan.refresh_from_db()
    consolidated.refresh_from_db()
    return world, plan, consolidated


def test_edu_plan_pdf_has_identifiers_total_signatures_and_acta(tmp_path):
    world, plan, _consolidated = _edu_cycle()
    text = " ".join(_pages(services.plan_pdf(plan=plan), tmp_path))
    # every stakeholder with its identifiers; the municipality with its DIVIPOLA code
    assert "Institución Educativa Técnica de Garzón (DANE 141298000123)" in text
    assert "Alcaldía de Garzón (NIT 800095511-0 · DANE 41298)" in text
    assert "(41298)" in text
    # money in es-CO and a total row
    assert "$ 1.234.567" in text
    assert "Total: 2 líneas $ 2.000.000" in text
    # the header: the procedure's process (not another one), format code and version, date
    assert "Proceso: Gestión Educativa" in text
    assert "Código: MI-GE-RG-217" in text and "Versión: 1" in text
    assert re.search(r"Fecha de aprobación: \d{2}/\d{2}/\d{4}", text)
    # who prepared, reviewed, verified and approved, with dates; the approving acta
    for label, user in (
        ("Elaboró", world.professional),
        ("Revisó", world.unit_head),
        ("Verificó", world.planner),
    ):
        assert re.search(rf"{label} {re.escape(user.full_name)} .*?{TODAY}", text), label
    assert "Aprobó" in text and "Acta 12-2026" in text
    assert f"Aprobado por el Comité Directivo en el acta n.º 12-2026 del {TODAY}." in text
    assert re.search(rf"Generado por Acompaña el {TODAY} \d{{2}}:\d{{2}}", text)


def test_consolidated_pdf_has_totals_signatures_and_acta(tmp_path):
    world, plan, consolidated = _edu_cycle()
    text = " ".join(_pages(services.consolidated_pdf(consolidated=consolidated), tmp_path))
    assert "Alcaldía de Garzón (NIT 800095511-0 · DANE 41298)" in text
    assert "Total 2 $ 2.000.000" in text
    assert re.search(rf"Elaboró {re.escape(world.planner.full_name)} .*?{TODAY}", text)
    assert re.search(rf"Verificó {re.escape(world.planner.full_name)} .*?{TODAY}", text)
    assert re.search(rf"Revisó {re.escape(world.committee.full_name)} .*?{TODAY}", text)
    assert "Acta 12-2026" in text


def test_a_plan_without_approval_says_pending(world, tmp_path):
    """SAL-2: no review stage; whoever the step names finalises the plan (prepared and
    approved). Before that both rows are pending; no review or verification rows."""
    plan = make_plan(world, lines=0)
    complete_line(world, plan)
    text = " ".join(_pages(services.plan_pdf(plan=plan), tmp_path))
    assert "Elaboró Pendiente" in text and "Aprobó Pendiente" in text
    assert "Revisó" not in text and "Verificó" not in text
    services.plan_finalise(actor=world.unit_head, plan=plan)
    plan.refresh_from_db()
    text = " ".join(_pages(services.plan_pdf(plan=plan), tmp_path))
    name = re.escape(world.unit_head.full_name)
    assert re.search(rf"Elaboró {name} .*?{TODAY}", text)
    assert re.search(rf"Aprobó {name} .*?{TODAY}", text)


def test_long_plan_repeats_the_header_row_never_splits_rows_and_counts_pages(
    world, tmp_path, client_for
):
    plan = make_plan(world, lines=0)
    objective = " ".join(["Verificar el cumplimiento de los lineamientos del plan decenal"] * 4)
    for number in range(1, 71):
        PlanLineFactory(
            plan=plan,
            position=number,
            activity=f"Visita de inspección número {number} fin",
            objective=objective,
        )
    content = services.plan_pdf(plan=plan)
    pages = _pages(content, tmp_path)
    assert len(pages) >= 3
    for page in pages:
        # the table's header row is on every page
        assert "Actividad / proyecto" in page and "Presupuesto (COP)" in page
    for number in range(1, 71):
        # a row (its activity and its whole objective) is on one page only
        holder = [p for p in pages if f"Visita de inspección número {number} fin" in p]
        assert len(holder) == 1
    # the real page count, as a PDF reader counts it, is stored on the document
    services.plan_finalise(actor=world.unit_head, plan=plan)
    document = Document.objects.filter(object_id=str(plan.pk), kind="plan.pdf").first()
    stored = document.file.read()
    assert document.pages == _pdfinfo_pages(stored, tmp_path) == len(_pages(stored, tmp_path))
    # and the plan's document list shows it
    page = client_for(world.auditor).get(reverse("planning:plan_detail", args=[plan.pk]))
    assert f"{document.pages} páginas" in page.content.decode()


def test_fp_documents_print_the_fp_process_not_the_organization_field(tmp_path):
    world = build_world(procedure_code="FP")
    world.org.process_name = "Gestión del conocimiento"
    world.org.save(update_fields=["process_name"])
    plan = make_plan(world, lines=1)
    text = " ".join(_pages(services.plan_pdf(plan=plan), tmp_path))
    assert "Fortalecimiento y Desarrollo de la Gestión y Desempeño" in text
    assert "Gestión del conocimiento" not in text


def test_the_acta_has_place_object_attendees_units_and_next_steps(tmp_path):
    from acompana.planning.models import CommitteeDecision

    world, plan, consolidated = _edu_cycle()
    acta = Document.objects.get(
        content_type=ContentType.objects.get_for_model(consolidated),
        object_id=str(consolidated.pk),
        kind="committee_acta.pdf",
    )
    content = acta.file.read()
    text = " ".join(_pages(content, tmp_path))
    assert "Acta No. 12-2026" in text
    assert f"Fecha {TODAY}" in text
    assert "Lugar" in text and "Objeto " + consolidated.title in text
    assert "Secretaria de Educación" in text and "Líder de Planeación Educativa" in text
    decision = CommitteeDecision.objects.get(acta_number="12-2026")
    assert f"Decisión {decision.get_decision_display()}" in text
    # the unit plans decided on, with their lines and budget
    assert f"{plan.unit.name} {plan.title} 2 $ 2.000.000" in text
    # next steps fit the approval of a plan: publication, then execution
    assert "Planeación publica el plan aprobado" in text
    assert "presenta de nuevo" not in text
    assert acta.pages == _pdfinfo_pages(content, tmp_path)


def test_the_acta_of_a_return_says_the_plan_comes_back(tmp_path):
    from acompana.planning.committee import acta_context
    from acompana.planning.models import CommitteeDecision

    world, plan, consolidated = _edu_cycle()
    decision = CommitteeDecision(
        organization=world.org,
        content_type=ContentType.objects.get_for_model(consolidated),
        object_id=str(consolidated.pk),
        acta_number="13-2026",
        date=datetime.date.today(),
        attendees="Secretaria de Educación",
        decision=DecisionOutcome.REJECTED,
        comments="Ajustar metas",
        recorded_by=world.committee,
    )
    context = acta_context(
        decision=decision,
        obj=consolidated,
        subject=consolidated.title,
        step_key="plan.committee_approved",
        place="Tunja, sala de juntas",
        unit_comments={plan.pk: "Faltan las sedes rurales"},
    )
    assert context["place"] == "Tunja, sala de juntas"
    assert context["units"][0]["comments"] == "Faltan las sedes rurales"
    assert any("presenta de nuevo" in str(step) for step in context["next_steps"])
    assert not any("publica" in str(step) for step in context["next_steps"])


def test_plan_workbook_is_print_ready_with_money_dates_total_and_reimports(world):
    from openpyxl import load_workbook

    plan = make_plan(world, lines=0)
    complete_line(
        world,
        plan,
        activity="Visita a la ESE",
        budget=Decimal("1234567"),
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 20),
        months=[3],
    )
    content = excel.export_workbook(
        organization=world.org,
        header=excel.plan_header(world.org),
        info=[("Vigencia", "2026")],
        lines=selectors.plan_lines(plan=plan),
    )
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    cells = {str(c.value): c for row in sheet.iter_rows() for c in row if c.value not in (None, "")}
    header_row = cells["Actividad (capacitación, taller, visita, trabajo de campo)"].row
    assert sheet.print_title_rows == f"$1:${header_row}"
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.oddFooter.right.text == "Página &P de &N"
    assert "MI-GS-RG-869" in sheet.oddHeader.right.text
    assert cells["Gestión en Salud y Seguridad Social"]  # the procedure's process
    assert re.fullmatch(
        r"\d{2}/\d{2}/\d{4}", str(sheet.cell(row=cells["Fecha de aprobación"].row, column=2).value)
    )
    budget = next(c for c in cells.values() if c.value == Decimal("1234567") or c.value == 1234567)
    assert budget.number_format == '"$" #,##0'
    start = next(c for c in cells.values() if isinstance(c.value, datetime.datetime))
    assert start.number_format.upper() == "DD/MM/YYYY"
    total = cells["Total: 1 línea"]
    assert sheet.cell(row=total.row, column=budget.column).value == 1234567
    # the export imports back: the total row ends the table
    preview = excel.parse_plan_file(plan=plan, content=content, filename="plan.xlsx")
    assert not preview.file_errors and len(preview.rows) == 1 and not preview.bad_rows
