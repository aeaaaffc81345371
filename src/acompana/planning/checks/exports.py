"""Export of the findings of a consolidated plan (CSV or Excel), streamed with constant memory.

Reuses the registry's writers, which escape cells starting with ``= + - @`` (DESIGN 7).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from acompana.core.exports import CHUNK, csv_response, export_filename, xlsx_response
from acompana.planning.checks.rules import RULES
from acompana.planning.models import ConsolidatedPlan, Finding


def findings_header() -> list[str]:
    return [
        _("Severity"),
        _("Rule"),
        _("Status"),
        _("Unit"),
        _("Finding"),
        _("How to fix"),
        _("Lines (ids)"),
        _("Justification"),
        _("Accepted by"),
        _("Accepted at"),
        _("Detected at"),
    ]


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def findings_rows(queryset: QuerySet[Finding]) -> Iterator[list[Any]]:
    for f in queryset.iterator(chunk_size=CHUNK):
        rule = RULES.get(f.rule)
        yield [
            f.get_severity_display(),
            str(rule.label) if rule else f.rule,
            f.get_status_display(),
            f.unit.name if f.unit else "",
            f.message,
            f.fix_hint,
            " ".join(str(pk) for pk in f.line_ids),
            f.justification,
            str(f.accepted_by) if f.accepted_by else "",
            _when(f.accepted_at),
            _when(f.created_at),
        ]


def findings_response(
    queryset: QuerySet[Finding], *, consolidated: ConsolidatedPlan, file_format: str
) -> StreamingHttpResponse | FileResponse:
    name = export_filename(f"hallazgos-{consolidated.fiscal_year.year}")
    header, rows = findings_header(), findings_rows(queryset)
    if file_format == "xlsx":
        return xlsx_response(header, rows, name, sheet=_("Findings"))
    return csv_response(header, rows, name)
