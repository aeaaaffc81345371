"""Issue 11 §6: exports open cleanly in a Colombian Excel and print well; documents carry
es-CO money and dates, the procedure's process and the format in force, and their real
page count."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import timezone
from openpyxl import load_workbook

from acompana.core.documents import (
    count_pdf_pages,
    date_text,
    document_store,
    header_for,
    money_text,
    render_pdf,
)
from acompana.core.exports import Money, csv_response, xlsx_response


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_money_and_dates_in_es_co():
    assert money_text(Decimal("1234567")) == "$ 1.234.567"
    assert money_text(Decimal("1234567.5")) == "$ 1.234.568"
    assert money_text(Decimal("-2500.25"), decimals=2) == "-$ 2.500,25"
    assert money_text(0) == "$ 0" and money_text(None) == ""
    assert date_text(datetime.date(2026, 12, 2)) == "02/12/2026"
    assert date_text("2025-01-11") == "11/01/2025"
    moment = datetime.datetime(2026, 12, 2, 15, 30, tzinfo=datetime.UTC)
    assert date_text(moment) == timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def test_the_documents_filters_format_whatever_the_language():
    from django.utils import translation

    template = engines["django"].from_string(
        "{% load documents %}{{ amount|money }} · {{ day|dmy }}"
    )
    with translation.override("en"):
        text = template.render({"amount": Decimal("6150000"), "day": datetime.date(2026, 2, 3)})
    assert text == "$ 6.150.000 · 03/02/2026"


def test_csv_is_for_a_colombian_excel():
    """``;`` between fields, UTF-8 BOM, dates dd/mm/aaaa, decimal comma, Sí/No, formulas
    escaped, identifiers as written (leading zeros kept)."""
    response = csv_response(
        ["NIT", "Fecha", "Valor", "Activo", "Nombre"],
        [
            ["800103913-1", datetime.date(2026, 12, 2), Decimal("1234.50"), True, "=1+1"],
            ["05001", None, 67.4, False, "Alcaldía; de Medellín"],
        ],
        "prueba",
    )
    text = _csv(response)
    assert text.startswith("\ufeff")
    lines = text[1:].splitlines()
    assert lines[0] == "NIT;Fecha;Valor;Activo;Nombre"
    assert lines[1] == "800103913-1;02/12/2026;1234,50;Sí;'=1+1"
    assert lines[2] == '05001;;67,4;No;"Alcaldía; de Medellín"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="prueba.csv"' in response["Content-Disposition"]


def test_xlsx_is_print_ready_with_real_dates_and_money():
    response = xlsx_response(
        ["NIT", "Fecha", "Presupuesto", "Registrado", "Activo"],
        [
            [
                "0800103913",
                datetime.date(2026, 12, 2),
                Money("1234567"),
                datetime.datetime(2026, 12, 2, 15, 30, tzinfo=datetime.UTC),
                True,
            ]
        ],
        "prueba",
        sheet="Grupos de valor",
        title="Grupos de valor",
        entity="Secretaría A&B",
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$1"  # the header row repeats on every page
    assert sheet.freeze_panes == "A2"  # and stays on screen
    assert sheet.oddFooter.right.text == "Página &P de &N"
    assert sheet.oddHeader.left.text == "Secretaría A&&B"
    assert "Grupos de valor" in sheet.oddHeader.center.text
    nit, day, budget, moment, active = (sheet.cell(row=2, column=c) for c in range(1, 6))
    assert nit.value == "0800103913"  # an identifier stays text
    assert day.value == datetime.datetime(2026, 12, 2) and day.number_format == "dd/mm/yyyy"
    assert budget.value == 1234567 and budget.number_format == '"$" #,##0'
    local = timezone.localtime(datetime.datetime(2026, 12, 2, 15, 30, tzinfo=datetime.UTC))
    assert moment.value == local.replace(tzinfo=None)
    assert active.value == "Sí"


@pytest.mark.django_db
def test_the_header_prints_the_procedures_process_and_the_format_in_force(world):
    """FP printed another process (the organization's free field); the format's code,
    version and date follow the admin's adjustments when the document is generated."""
    from acompana.core.tests.factories import build_world

    fp = build_world(procedure_code="FP")
    fp.org.process_name = "Gestión del conocimiento y asistencia técnica integral"
    fp.org.save(update_fields=["process_name"])
    header = header_for(fp.org, step_key="plan.submitted", fallback_name="Plan")
    assert header.process.startswith("Fortalecimiento y Desarrollo de la Gestión")
    sal = header_for(world.org, step_key="plan.submitted", fallback_name="Plan")
    assert sal.process == "Gestión en Salud y Seguridad Social"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", sal.approval_date)
    world.org.procedure_overrides = {
        "records": {"MI-GS-RG-869": {"code": "MI-GS-RG-869", "version": "7", "date": "2026-03-01"}}
    }
    world.org.save(update_fields=["procedure_overrides"])
    adjusted = header_for(world.org, step_key="plan.submitted", fallback_name="Plan")
    assert (adjusted.format_version, adjusted.approval_date) == ("7", "01/03/2026")


@pytest.mark.django_db
def test_a_stored_pdf_keeps_its_real_page_count(world, tmp_path, monkeypatch):
    from django.template import loader

    if not shutil.which("pdfinfo"):
        pytest.fail("pdfinfo (Debian package poppler-utils) is required")
    template = engines["django"].from_string(
        '{% extends "core/pdf/base.html" %}{% block content %}'
        "{% for i in rows %}<p>Fila {{ i }}</p>{% endfor %}{% endblock %}"
    )
    monkeypatch.setattr(loader, "get_template", lambda name, using=None: template)
    header = header_for(world.org, step_key="plan.submitted", fallback_name="Plan")
    content = render_pdf(template="ignored.html", context={"rows": range(300)}, header=header)
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)[1])  # type: ignore[index]
    assert pages >= 5
    assert content.pages == pages
    # bytes read back (no page count attached) are counted from the page tree
    assert count_pdf_pages(bytes(content)) == pages
    document = document_store(
        actor=world.admin,
        organization=world.org,
        obj=world.unit,
        kind="test.pdf",
        title="Prueba",
        content=content,
        header=header,
    )
    assert document.pages == pages
