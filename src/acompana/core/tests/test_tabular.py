"""The shared reading of import files (``core.tabular``): malformed files people and attackers
send. Every problem is a Spanish message naming what to fix; a decompression bomb and a sheet
padded with empty rows are refused within the limits, before (or instead of) being walked."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from acompana.core import tabular
from acompana.core.tabular import Column, UnknownColumn, map_headers, parse_date, read_rows

COLUMNS = [
    Column("name", "Nombre", required=True),
    Column("nit", "NIT"),
    Column("dane_code", "Código DANE entidad territorial"),
    Column("year", "Año"),
    Column("value", "Valor"),
]


def _read(content: bytes, filename: str = "f.csv", **kwargs):
    return read_rows(
        content,
        filename,
        columns=COLUMNS,
        max_bytes=tabular.MAX_BYTES,
        max_rows=kwargs.pop("max_rows", tabular.MAX_ROWS),
        **kwargs,
    )


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _padded_with_empty_rows(content: bytes, empty_rows: int) -> bytes:
    """The workbook with ``empty_rows`` empty ``<row>`` elements after its data: a few KB
    compressed, a million rows to walk for a reader that skips empty rows unbounded."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                padding = "<row><c/></row>" * empty_rows
                data = data.replace(b"</sheetData>", padding.encode() + b"</sheetData>")
                data = re.sub(rb"<dimension[^>]*/>", b"", data)  # no declared extent
            target.writestr(item, data)
    return output.getvalue()


def test_a_sheet_of_a_million_empty_rows_is_refused_quickly():
    content = _padded_with_empty_rows(_xlsx([["Nombre", "NIT"], ["Alcaldía", ""]]), 1_000_000)
    assert len(content) < 200 * 1024  # a small upload
    started = time.monotonic()
    rows, problems = _read(content, "bomba.xlsx", max_rows=20_000)
    elapsed = time.monotonic() - started
    assert rows == []
    assert "20.000" in problems[0]
    assert elapsed < 4, elapsed  # stopped after 20.000 rows, not a million
    with pytest.raises(tabular.FileProblem):
        tabular.count_rows(content, "bomba.xlsx", max_rows=20_000)


def test_a_workbook_that_inflates_past_the_limit_is_refused_before_parsing(monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024 * 1024))
    monkeypatch.setattr(tabular, "MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)
    with translation.override("es"):
        rows, problems = _read(buffer.getvalue(), "bomba.xlsx")
    assert rows == []
    assert "2 MB" in problems[0], problems


def test_the_actual_inflated_size_is_checked_not_only_the_declared_one(monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", b"x" * (1024 * 1024))
        archive.writestr("b.xml", b"y" * (1024 * 1024))
    content = buffer.getvalue()
    # a declared total under the limit passes the first check; the members still inflate past it
    monkeypatch.setattr(
        zipfile.ZipInfo, "file_size", property(lambda self: 1, lambda self, value: None)
    )
    with pytest.raises(tabular.FileProblem):
        tabular.check_workbook(content, limit=1024 * 1024 + 10)


def test_a_csv_with_a_huge_field_says_so_in_spanish():
    content = b'Nombre,NIT\n"Alcald\xc3\xada,' + b"x" * 200_000 + b"\n"
    with translation.override("es"):
        rows, problems = _read(content)
    assert rows == []
    message = " ".join(problems)
    assert "field larger" not in message and "131072" not in message
    assert "2" in message  # names the line


def test_empty_rows_count_towards_the_row_limit_of_a_csv():
    content = b"Nombre\n" + b"\n" * 50 + b"Alcald\xc3\xada\n"
    rows, problems = _read(content, max_rows=10)
    assert rows == [] and problems


def test_header_variants_are_recognised():
    header = ["  NOMBRE ", "nit", "DV", "codigo_dane", "VIGENCIA", "Valor"]
    mapped, problems = map_headers(
        header, [*COLUMNS[:3], Column("fiscal_year", "Vigencia"), COLUMNS[4]]
    )
    assert problems == []
    assert [c.key if c else None for c in mapped] == [
        "name",
        "nit",
        tabular.CHECK_DIGIT.key,
        "dane_code",
        "fiscal_year",
        "value",
    ]
    mapped, problems = map_headers(["Nombre", "Año vigencia", "Cód. DANE"], COLUMNS)
    assert problems == [], problems
    assert [c.key for c in mapped if c] == ["name", "year", "dane_code"]


def test_nit_and_check_digit_in_two_columns_are_joined():
    content = "Nombre;NIT;DV\nAlcaldía;891180008;2\nOtra;891.180.008;\n".encode()
    rows, problems = _read(content)
    assert problems == []
    assert rows[0].cells["nit"] == "891180008-2"
    assert rows[1].cells["nit"] == "891.180.008"
    assert "__check_digit__" not in rows[0].cells


def test_a_check_digit_column_without_a_nit_is_unknown():
    _mapped, problems = map_headers(["Nombre", "DV"], [COLUMNS[0]])
    assert any(isinstance(p, UnknownColumn) and p.header == "DV" for p in problems)


def test_an_unknown_column_names_its_header():
    _mapped, problems = map_headers(["Nombre", "Observaciones"], COLUMNS)
    unknown = [p for p in problems if isinstance(p, UnknownColumn)]
    assert [p.header for p in unknown] == ["Observaciones"]
    _mapped, problems = map_headers(
        ["Nombre", "Observaciones"], COLUMNS, remembered={"observaciones": ""}
    )
    assert problems == []  # remembered as ignored
    mapped, problems = map_headers(
        ["Entidad", "Observaciones"], COLUMNS, remembered={"entidad": "name", "observaciones": ""}
    )
    assert problems == [] and mapped[0].key == "name"


def test_dates_as_people_type_them():
    assert str(parse_date("02/12/2026")) == "2026-12-02"
    assert str(parse_date("2/1/2026")) == "2026-01-02"
    assert str(parse_date("2026-12-02 00:00:00")) == "2026-12-02"
    assert parse_date("ayer") is None
    assert parse_date("31/02/2026") is None


def test_the_limits_are_stated_once():
    from acompana.core.imports import import_limits

    limits = import_limits()
    assert limits == {"max_rows": "20.000", "max_mb": "15", "sync_max_rows": "1.000"}


def test_the_cells_of_a_workbook_are_bounded_before_parsing():
    content = _xlsx([["Nombre", "NIT"], *[["x", "y"] for _ in range(30)]])
    tabular.check_workbook(content, max_cells=100)
    with pytest.raises(tabular.FileProblem):
        tabular.check_workbook(content, max_cells=50)
    with pytest.raises(tabular.FileProblem):
        tabular.check_workbook(content, max_rows=20)
