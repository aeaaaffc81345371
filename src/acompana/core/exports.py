"""Exports (CSV and XLSX), streamed with constant memory: the one writer every list uses.

* CSV: a generator feeds a ``StreamingHttpResponse`` row by row (UTF-8 with BOM so Excel
  shows accents).
* XLSX: xlsxwriter in ``constant_memory`` mode writes rows to a temporary file as they come;
  the finished file is streamed from disk by ``FileResponse``.

Every text cell starting with ``= + - @`` (or a tab/carriage return) is prefixed with ``'``
so a spreadsheet never runs it as a formula (DESIGN section 7).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def escape_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV/formula injection)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# --- writers ---------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    header: list[str], rows: Iterable[list[Any]], filename: str
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([escape_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([escape_cell(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_xlsx(handle: Any, header: list[str], rows: Iterable[list[Any]], sheet: str) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "in_memory": False})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(header):
        worksheet.write_string(0, col, str(title), bold)
        worksheet.set_column(col, col, 18)
    for row_number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            value = escape_cell(value)
            if isinstance(value, str):
                worksheet.write_string(row_number, col, value)
            else:
                worksheet.write(row_number, col, value)
    workbook.close()


def xlsx_response(
    header: list[str], rows: Iterable[list[Any]], filename: str, sheet: str
) -> FileResponse:
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_xlsx(handle, header, rows, sheet)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_filename(prefix: str) -> str:
    return f"{prefix}-{timezone.localdate():%Y%m%d}"
