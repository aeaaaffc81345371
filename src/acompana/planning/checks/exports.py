"""Export of the findings of a consolidated plan (CSV or Excel), streamed with constant memory.

Written by ``core.exports`` (``;`` and BOM for a Colombian Excel, a print-ready sheet, dates
dd/mm/aaaa, cells starting with ``= + - @`` escaped: DESIGN sections 7 and 9).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from acompana.core.exports import CHUNK, csv_response, export_filename, xlsx_response
from acompana.planning.checks.rules import RULES
from acompana.planning.models import ConsolidatedPlan, Finding, PlanLine


def findings_header() -> list[str]:
    return [
        _("Severity"),
        _("Rule"),
        _("Status"),
        _("Unit"),
        _("Finding"),
        _("How to fix"),
        _("Lines"),
        _("Justification"),
        _("Accepted by"),
        _("Accepted at"),
        _("Detected at"),
    ]


def _line_numbers(findings: list[Finding]) -> dict[int, str]:
    """Line id → "N.º 3" (the number people see in the plan), one query per chunk."""
    ids = {pk for f in findings for pk in f.line_ids}
    return {
        pk: _("No. %(number)s") % {"number": position}
        for pk, position in PlanLine.objects.filter(pk__in=ids).values_list("pk", "position")
    }


def _rows(findings: list[Finding]) -> Iterator[list[Any]]:
    numbers = _line_numbers(findings)
    for f in findings:
        rule = RULES.get(f.rule)
        yield [
            f.get_severity_display(),
            str(rule.label) if rule else f.rule,
            f.get_status_display(),
            f.unit.name if f.unit else "",
            f.message,
            f.fix_hint,
            ", ".join(numbers.get(pk, str(pk)) for pk in f.line_ids),
            f.justification,
            str(f.accepted_by) if f.accepted_by else "",
            f.accepted_at,  # the writer prints dd/mm/aaaa hh:mm (local time)
            f.created_at,
        ]


def findings_rows(queryset: QuerySet[Finding]) -> Iterator[list[Any]]:
    """The rows, the lines named by their number in the plan (not their database ids)."""
    chunk: list[Finding] = []
    for finding in queryset.iterator(chunk_size=CHUNK):
        chunk.append(finding)
        if len(chunk) >= CHUNK:
            yield from _rows(chunk)
            chunk = []
    yield from _rows(chunk)


def findings_response(
    queryset: QuerySet[Finding], *, consolidated: ConsolidatedPlan, file_format: str
) -> StreamingHttpResponse | FileResponse:
    name = export_filename(f"hallazgos-{consolidated.fiscal_year.year}")
    header, rows = findings_header(), findings_rows(queryset)
    if file_format == "xlsx":
        return xlsx_response(
            header,
            rows,
            name,
            sheet=_("Findings"),
            title=_("Findings of %(title)s") % {"title": consolidated.title},
            entity=consolidated.organization.name,
        )
    return csv_response(header, rows, name)
