"""Export of the needs list (CSV/XLSX) and the import template.

The writers are ``core.exports``'s (streamed CSV with ``;`` and BOM for a Colombian Excel,
constant-memory print-ready XLSX, dates dd/mm/aaaa, every text cell that starts with
``= + - @`` escaped). The export starts with the import template's columns,
in the words the import understands, so an export can be corrected and imported again;
the columns after them (reference, status, requester...) are ignored by the import.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from acompana.core.exports import csv_response, escape_cell, xlsx_response
from acompana.planning.choices import NeedOrigin, NeedSource, Priority
from acompana.planning.models import Need
from acompana.planning.needs.imports import COLUMNS, EXPORT_ONLY_HEADERS, template_rows

CHUNK = 1000

ORIGIN_WORD = {NeedOrigin.OFFER: "oferta", NeedOrigin.DEMAND: "demanda"}
SOURCE_WORD = {
    NeedSource.REQUEST: "solicitud",
    NeedSource.EMAIL: "correo",
    NeedSource.DEVELOPMENT_PLAN: "plan de desarrollo",
    NeedSource.ACTION_PLAN: "plan de acción",
    NeedSource.PAM: "PAM",
    NeedSource.INSPECTION_VISIT: "visita de inspección",
    NeedSource.INDICATOR_RESULT: "resultado de indicador",
    NeedSource.COURT_ACTION: "acción judicial",
    NeedSource.EVALUATION_RESULT: "resultado de evaluación",
    NeedSource.GROUP_GUIDELINES: "lineamientos",
    NeedSource.OTHER: "otra",
}
PRIORITY_WORD = {Priority.HIGH: "alta", Priority.MEDIUM: "media", Priority.LOW: "baja"}


def need_header() -> list[str]:
    return [c.header for c in COLUMNS] + list(EXPORT_ONLY_HEADERS)


def _identifier(stakeholder: Any) -> str:
    return str(
        stakeholder.nit
        or stakeholder.dane_code
        or stakeholder.school_code
        or stakeholder.reps_code
        or ""
    )


def need_rows(queryset: QuerySet[Need]) -> Iterator[list[Any]]:
    """Rows of ``queryset`` (from ``selectors.needs_for_user``: links prefetched by chunk)."""
    for need in queryset.iterator(chunk_size=CHUNK):
        stakeholders = [link.stakeholder for link in need.stakeholder_links.all()]
        identifiers = [i for i in (_identifier(s) for s in stakeholders) if i]
        yield [
            need.title,
            need.description,
            ORIGIN_WORD.get(need.origin, need.origin),  # type: ignore[call-overload]
            SOURCE_WORD.get(need.source, need.source),  # type: ignore[call-overload]
            PRIORITY_WORD.get(need.priority, need.priority),  # type: ignore[call-overload]
            (need.topic.code or need.topic.name) if need.topic else "",
            (need.unit.code or need.unit.name) if need.unit else "",
            "; ".join(identifiers),
            need.fiscal_year.year if need.fiscal_year else "",
            need.radicado,
            need.received_on.strftime("%d/%m/%Y") if need.received_on else "",
            # export-only columns
            "; ".join(s.name for s in stakeholders),
            need.topic.name if need.topic else "",
            need.unit.name if need.unit else "",
            need.get_status_display(),
            need.reference,
            need.requester_name,
            need.requester_email,
            need.requester_phone,
            need.requester_entity,
            need.created_at,  # the writer prints dd/mm/aaaa hh:mm (local time)
        ]


def export_response(queryset: QuerySet[Need], file_format: str) -> Any:
    name = f"necesidades-{timezone.localdate():%Y%m%d}"
    header, rows = need_header(), need_rows(queryset)
    if file_format == "xlsx":
        return xlsx_response(header, rows, name, sheet=_("Needs"))
    return csv_response(header, rows, name)


def template_response(file_format: str) -> StreamingHttpResponse | FileResponse:
    """The import template: header, an example row and, in XLSX, a sheet of instructions."""
    header, examples = template_rows()
    if file_format == "csv":
        return csv_response(header, examples, "plantilla-necesidades")
    import xlsxwriter

    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook = xlsxwriter.Workbook(handle, {"in_memory": False})
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    data = workbook.add_worksheet(_("Needs")[:31])
    for col, title in enumerate(header):
        data.write_string(0, col, title, bold)
        data.set_column(col, col, 26, text)  # text cells keep the leading zeros of codes
    for row_number, row in enumerate(examples, start=1):
        for col, value in enumerate(row):
            data.write_string(row_number, col, str(escape_cell(value)))
    help_sheet = workbook.add_worksheet(_("Instructions")[:31])
    help_sheet.set_column(0, 0, 38)
    help_sheet.set_column(1, 1, 12)
    help_sheet.set_column(2, 2, 90)
    help_sheet.write_row(
        0, 0, [_("Column"), pgettext("import column", "Required"), _("What to write")], bold
    )
    for row_number, column in enumerate(COLUMNS, start=1):
        help_sheet.write_row(
            row_number,
            0,
            [column.header, _("Yes") if column.required else _("No"), str(column.help)],
        )
    workbook.close()
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename="plantilla-necesidades.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
