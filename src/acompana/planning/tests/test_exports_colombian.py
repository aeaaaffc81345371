"""Issue 11 §6: the list exports of planning and the registry open in a Colombian Excel
(``;``, UTF-8 BOM, dd/mm/aaaa) and print well; identifiers sit in their own columns and
people read labels, not codes or database ids."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from acompana.planning.checks.exports import findings_rows
from acompana.planning.models import Finding
from acompana.planning.tests.cases_checks import consolidated_for, open_finding
from acompana.planning.tests.cases_plans import make_plan
from acompana.planning.tests.factories import NeedFactory
from acompana.registry.choices import StakeholderKind
from acompana.registry.tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # UTF-8 BOM: Excel shows the accents
    text = raw.decode("utf-8-sig")
    assert ";" in text.splitlines()[0]
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_needs_csv_has_dates_dd_mm_aaaa(world, client_for):
    NeedFactory(organization=world.org, title="Metas del plan territorial")
    rows = _csv(client_for(world.planner).get(reverse("planning:need_export"), {"format": "csv"}))
    registered = rows[0].index("Fecha de registro")
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", rows[1][registered])


def test_needs_xlsx_is_print_ready(world, client_for):
    NeedFactory(organization=world.org)
    response = client_for(world.planner).get(reverse("planning:need_export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$1" and sheet.freeze_panes == "A2"
    assert sheet.oddFooter.right.text == "Página &P de &N"


def test_findings_name_lines_by_their_number_not_their_id(world):
    consolidated = consolidated_for(world.org)
    plan = make_plan(world, lines=3, consolidated=consolidated)
    third = plan.lines.get(position=3)
    open_finding(consolidated, line_ids=[third.pk], unit=world.unit)
    with translation.override("es-co"):
        (row,) = list(findings_rows(Finding.objects.filter(consolidated=consolidated)))
    assert row[6] == "N.º 3"


def test_stakeholder_export_identifiers_in_their_columns_and_labels(world, client_for):
    StakeholderFactory(
        organization=world.org,
        kind=StakeholderKind.MUNICIPALITY,
        name="Alcaldía de Garzón",
        nit="800095511-0",
        dane_code="41298",
    )
    client = client_for(world.planner)
    rows = _csv(client.get(reverse("registry:stakeholder_export"), {"format": "csv"}))
    header, row = rows[0], rows[1]
    assert row[header.index("NIT")] == "800095511-0"
    assert row[header.index("Activo")] == "Sí"
    assert row[header.index("Tipo de grupo de valor (descripción)")] == str(
        StakeholderKind.MUNICIPALITY.label
    )
    response = client.get(reverse("registry:stakeholder_export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$1" and sheet.freeze_panes == "A2"
