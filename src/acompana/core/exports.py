"""Exports (CSV and XLSX), streamed with constant memory: the one writer every list uses.

* CSV: a generator feeds a ``StreamingHttpResponse`` row by row, made for a Colombian Excel
  (DESIGN section 9): ``;`` between fields (its list separator, the comma being the decimal
  mark), UTF-8 with BOM (so Excel shows accents), dates dd/mm/aaaa, numbers with a decimal
  comma and no grouping (``1234567,5``), ``Sí``/``No`` for booleans.
* XLSX: xlsxwriter in ``constant_memory`` mode writes rows to a temporary file as they come;
  the finished file is streamed from disk by ``FileResponse``. The sheet prints well:
  landscape, one page wide, the header row frozen and repeated on every printed page, the
  entity and title in the page header and "Página x de y" in the footer; dates are real
  dates shown dd/mm/aaaa, ``Money`` values real numbers shown ``$ 1.234.567``.

Rows hold Python values (``date``, ``datetime``, ``Decimal``, ``Money``, ``bool``, text): the
writer formats them, so every export formats the same way. Identifiers (NIT, DANE codes) are
text and stay text (leading zeros kept).

Every text cell starting with ``= + - @`` (or a tab/carriage return) is prefixed with ``'``
so a spreadsheet never runs it as a formula (DESIGN section 7).
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from acompana.core.documents import date_text, number_text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000
#: the list separator of a Colombian Excel (the comma is its decimal mark)
CSV_DELIMITER = ";"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MONEY_FORMAT = '"$" #,##0'
NUMBER_FORMAT = "#,##0.####"


class Money(Decimal):
    """A money amount in a row: a number in the file, shown ``$ 1.234.567``."""


def escape_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV/formula injection)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_value(value: Any) -> Any:
    """``value`` as a Colombian Excel reads it from a CSV cell."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.date):
        return date_text(value)
    if isinstance(value, Decimal | float):
        return number_text(value)
    return escape_cell(value)


# --- writers ---------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    header: list[str],
    rows: Iterable[list[Any]],
    filename: str,
    *,
    delimiter: str = CSV_DELIMITER,
) -> StreamingHttpResponse:
    """A streamed CSV for a Colombian Excel (``;``, UTF-8 with BOM, values in es-CO)."""
    writer = csv.writer(_Echo(), delimiter=delimiter)

    def stream() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([escape_cell(str(h)) for h in header])
        for row in rows:
            yield writer.writerow([csv_value(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _header_text(value: str) -> str:
    # ``&`` starts a control code in a page header/footer; a literal one is doubled
    return value.replace("&", "&&")


def print_setup(worksheet: Any, *, header_row: int, title: str = "", entity: str = "") -> None:
    """Make an xlsxwriter sheet print-ready: landscape, one page wide, rows down to
    ``header_row`` repeated on every page and frozen on screen, the entity and title in the
    page header, "Página x de y" in the footer (also used by the plan workbook)."""
    worksheet.set_landscape()
    worksheet.set_paper(9)  # A4
    worksheet.fit_to_pages(1, 0)
    worksheet.repeat_rows(0, header_row)
    worksheet.freeze_panes(header_row + 1, 0)
    worksheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    left = f"&L&8{_header_text(entity)}" if entity else ""
    center = f"&C&B{_header_text(title)}" if title else ""
    if left or center:
        worksheet.set_header(left + center)
    # "&P"/"&N" are the page codes of the footer: kept inside the translated text
    worksheet.set_footer("&R&8" + _("Page &P of &N"))


def write_xlsx(
    handle: Any,
    header: list[str],
    rows: Iterable[list[Any]],
    sheet: str,
    *,
    title: str = "",
    entity: str = "",
) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        handle, {"constant_memory": True, "in_memory": False, "remove_timezone": True}
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    bold.set_bg_color("#DCE6F0")
    formats = {
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "datetime": workbook.add_format({"num_format": DATETIME_FORMAT}),
        "money": workbook.add_format({"num_format": MONEY_FORMAT}),
        "number": workbook.add_format({"num_format": NUMBER_FORMAT}),
    }
    print_setup(worksheet, header_row=0, title=title or sheet, entity=entity)
    for col, column_title in enumerate(header):
        worksheet.write_string(0, col, str(column_title), bold)
        worksheet.set_column(col, col, 18)
    yes, no = _("Yes"), _("No")
    for row_number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, bool):
                worksheet.write_string(row_number, col, yes if value else no)
            elif isinstance(value, datetime.datetime):
                moment = timezone.localtime(value) if timezone.is_aware(value) else value
                worksheet.write_datetime(row_number, col, moment, formats["datetime"])
            elif isinstance(value, datetime.date):
                worksheet.write_datetime(row_number, col, value, formats["date"])
            elif isinstance(value, Money):
                worksheet.write_number(row_number, col, float(value), formats["money"])
            elif isinstance(value, Decimal):
                worksheet.write_number(row_number, col, float(value), formats["number"])
            else:
                value = escape_cell(value)
                if isinstance(value, str):
                    worksheet.write_string(row_number, col, value)
                else:
                    worksheet.write(row_number, col, value)
    workbook.close()


def xlsx_response(
    header: list[str],
    rows: Iterable[list[Any]],
    filename: str,
    sheet: str,
    *,
    title: str = "",
    entity: str = "",
) -> FileResponse:
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_xlsx(handle, header, rows, sheet, title=title, entity=entity)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_filename(prefix: str) -> str:
    return f"{prefix}-{timezone.localdate():%Y%m%d}"
