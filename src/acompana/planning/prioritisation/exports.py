"""Exports of indicator values, the ranking and priority lists (CSV and XLSX).

Writing (streaming CSV, constant-memory XLSX, formula escaping) is the registry's
(``registry.exports``); this module only builds headers and rows. The values export has the
import template's columns first, so it can be corrected and imported again. The ranking and
priority list exports carry rank and total, the identifiers (DANE code, NIT) beside the name,
the breakdown (raw, normalised, weight and points per criterion), the rule of every row
(normalisation, missing values, date) and, after the rows, the rule stated in sentences
(``selectors.Rules.statements``), so a file read alone says how it was computed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from acompana.core.exports import CHUNK, csv_response, export_filename, xlsx_response
from acompana.planning.models import Indicator, IndicatorValue, PriorityListEntry
from acompana.planning.prioritisation.imports import COLUMNS, stakeholder_identifier
from acompana.planning.prioritisation.selectors import (
    CriterionSpec,
    RankingRow,
    Rules,
    entry_cells,
)

__all__ = [
    "export_filename",
    "ranking_header",
    "ranking_rows",
    "respond",
    "template_response",
    "value_header",
    "value_rows",
]


def respond(
    file_format: str, header: list[str], rows: Iterable[list[Any]], name: str, sheet: str
) -> StreamingHttpResponse | FileResponse:
    if file_format == "xlsx":
        return xlsx_response(header, rows, name, sheet=sheet)
    return csv_response(header, rows, name)


def _number(value: Any) -> Any:
    """Numbers stay numbers in XLSX; CSV writes them with a dot."""
    if value is None:
        return ""
    return float(value)


# --- indicator values ------------------------------------------------------------------------


def value_header() -> list[str]:
    # the import template's (Spanish, untranslated) headers, then informational columns
    return [c.header for c in COLUMNS] + [
        "Nombre del grupo de valor",
        "Nombre del indicador",
        "Unidad de medida",
        "Departamento",
        "Municipio",
    ]


def value_rows(queryset: QuerySet[IndicatorValue]) -> Iterator[list[Any]]:
    for v in queryset.iterator(chunk_size=CHUNK):
        s = v.stakeholder
        yield [
            v.indicator.code,
            stakeholder_identifier(s),
            v.year,
            _number(v.value),
            s.name,
            v.indicator.name,
            v.indicator.unit_label,
            str(s.department) if s.department else "",
            s.municipality.name.title() if s.municipality else "",
        ]


# --- ranking and priority lists --------------------------------------------------------------


#: the columns after the criteria: the rule of every row, so a copied row still says it
RULE_COLUMNS = 3


def ranking_header(criteria: Sequence[CriterionSpec], rules: Rules) -> list[str]:
    """Rank, total, identifiers beside the name, then raw / normalised / weight / points
    per criterion, then the rules (normalisation, missing values, date)."""
    header = [
        _("Rank"),
        _("Score (0–100)") if not rules.is_zscore else _("Score (mean z-score)"),
        _("Stakeholder"),
        _("DANE code"),
        _("NIT"),
        _("Kind"),
        _("Department"),
        _("Municipality"),
    ]
    normalised = (
        _("%(criterion)s: normalised z-score")
        if rules.is_zscore
        else _("%(criterion)s: normalised (0–100)")
    )
    for c in criteria:
        header += [
            _("%(criterion)s: raw value") % {"criterion": c.label},
            normalised % {"criterion": c.label},
            _("%(criterion)s: weight") % {"criterion": c.label},
            _("%(criterion)s: points") % {"criterion": c.label},
        ]
    header += [_("Normalisation"), _("Missing values"), _("Date of the model")]
    return header


def _rule_cells(rules: Rules) -> list[Any]:
    return [rules.normalisation_label, rules.missing_label, rules.reference_date]


def rule_rows(rules: Rules, width: int) -> Iterator[list[Any]]:
    """After the data: an empty row, then the rule stated in sentences, one per row."""
    yield [""] * width
    for sentence in rules.statements():
        yield [_("Rule"), sentence] + [""] * (width - 2)


def ranking_rows(rows: Iterable[RankingRow], rules: Rules, width: int) -> Iterator[list[Any]]:
    tail = _rule_cells(rules)
    for row in rows:
        s = row.stakeholder
        line: list[Any] = [
            row.rank,
            row.score,
            s.name,
            s.dane_code,
            s.nit,
            s.kind_label,
            s.department_name,
            s.municipality_name,
        ]
        for cell in row.cells:
            line += [_number(cell.raw), cell.normalised, cell.weight, cell.points]
        yield line + tail
    yield from rule_rows(rules, width)


def entry_header(criteria: Sequence[CriterionSpec], rules: Rules) -> list[str]:
    return [pgettext("priority list", "Selected")] + ranking_header(criteria, rules)


def entry_rows(
    queryset: QuerySet[PriorityListEntry],
    criteria: Sequence[CriterionSpec],
    rules: Rules,
    width: int,
) -> Iterator[list[Any]]:
    tail = _rule_cells(rules)
    for entry in queryset.iterator(chunk_size=CHUNK):
        s = entry.stakeholder
        line: list[Any] = [
            _("Yes") if entry.selected else _("No"),
            entry.rank,
            float(entry.score),
            s.name,
            s.dane_code or s.school_code or (s.municipality.code if s.municipality else ""),
            s.nit,
            s.get_kind_display(),
            str(s.department) if s.department else "",
            s.municipality.name.title() if s.municipality else "",
        ]
        for cell in entry_cells(entry, criteria):
            line += [
                _number(cell["raw"]),
                cell["normalised"],
                cell["weight"],
                cell["points"],
            ]
        yield line + tail
    yield from rule_rows(rules, width)


# --- template --------------------------------------------------------------------------------


def template_response(
    file_format: str, header: list[str], rows: list[list[str]], indicator: Indicator | None
) -> StreamingHttpResponse | FileResponse:
    """The import template: header (and prefilled rows for one indicator); in XLSX, text
    cells (so codes keep their leading zeros) and a sheet of instructions."""
    name = f"plantilla-valores-{indicator.code}" if indicator else "plantilla-valores-indicadores"
    if file_format == "csv":
        return csv_response(header, rows, name)
    import xlsxwriter

    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook = xlsxwriter.Workbook(handle, {"in_memory": False})
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    data = workbook.add_worksheet(_("Values")[:31])
    for col, title in enumerate(header):
        data.write_string(0, col, title, bold)
        data.set_column(col, col, 28 if col in (1, 4) else 18, text)
    for row_number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            data.write_string(row_number, col, str(value))
    help_sheet = workbook.add_worksheet(_("Instructions")[:31])
    help_sheet.set_column(0, 0, 34)
    help_sheet.set_column(1, 1, 12)
    help_sheet.set_column(2, 2, 90)
    help_sheet.write_row(
        0, 0, [_("Column"), pgettext("import column", "Required"), _("What to write")], bold
    )
    for row_number, column in enumerate(COLUMNS, start=1):
        help_sheet.write_row(
            row_number,
            0,
            [str(column.header), _("Yes") if column.required else _("No"), str(column.help)],
        )
    notes = [
        _("One row per indicator, stakeholder and year. A value already imported is replaced."),
        _("If any row has a problem, nothing is imported: fix the file and upload it again."),
        _("Rows without a value are errors: fill them in or delete them."),
        _("The column «Nombre del grupo de valor» is only a help and is ignored."),
    ]
    for offset, note in enumerate(notes, start=len(COLUMNS) + 2):
        help_sheet.write_string(offset, 0, note)
    workbook.close()
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
