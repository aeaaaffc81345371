"""Export of the services list to CSV and Excel, streamed with constant memory.

Cells are escaped against formula injection (DESIGN section 7): a text starting with
``= + - @`` (or a tab or carriage return, which spreadsheet programs also strip) gets a
leading apostrophe, so it is shown as text and never evaluated.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from acompana.catalog.models import Service

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500


def spreadsheet_safe(value: Any) -> Any:
    """The value, with text that a spreadsheet would read as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _headers() -> list[str]:
    return [
        _("Unit"),
        _("Service"),
        _("Code"),
        _("Service type"),
        _("Origin"),
        _("Topics"),
        _("Mechanisms"),
        _("Modalities"),
        _("Aimed at"),
        _("Estimated duration (days)"),
        _("Estimated hours"),
        _("Milestones"),
        _("Description"),
        _("State"),
    ]


def _row(service: Service) -> list[Any]:
    return [
        service.unit.name,
        service.name,
        service.code,
        service.service_type.name,
        service.get_origin_display(),
        "; ".join(t.full_name for t in service.topics.all()),
        "; ".join(m.name for m in service.mechanisms.all()),
        "; ".join(m.name for m in service.modalities.all()),
        "; ".join(service.target_stakeholder_kind_labels()),
        service.duration_days,
        service.estimated_hours,
        getattr(service, "milestone_count", None),
        service.description,
        pgettext("catalogue", "Active") if service.is_active else pgettext("catalogue", "Inactive"),
    ]


def _rows(services: QuerySet[Service]) -> Iterator[list[Any]]:
    yield _headers()
    for service in services.iterator(chunk_size=CHUNK):
        yield [spreadsheet_safe(v) for v in _row(service)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _filename(extension: str) -> str:
    return f"servicios-{timezone.localdate():%Y%m%d}.{extension}"


def export_services(services: QuerySet[Service], *, file_format: str) -> HttpResponseBase:
    """A download of ``services`` (already scoped and filtered) as ``csv`` or ``xlsx``."""
    if file_format == "xlsx":
        return _xlsx(services)
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # BOM: Excel opens the UTF-8 file with the right accents
        for row in _rows(services):
            yield writer.writerow(["" if v is None else v for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def _xlsx(services: QuerySet[Service]) -> HttpResponseBase:
    import xlsxwriter

    output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(_("Services")[:31])
    bold = workbook.add_format({"bold": True})
    for row_index, row in enumerate(_rows(services)):
        for col_index, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(row_index, col_index, value, bold if row_index == 0 else None)
            else:
                sheet.write_number(row_index, col_index, value)
    sheet.freeze_panes(1, 0)
    workbook.close()
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
