"""Export of the services list to CSV and Excel, streamed with constant memory.

The writing is ``core.exports``'s (cells starting with ``= + - @`` escaped, DESIGN section
7); this module only builds the header and the rows, with labels, not codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from acompana.catalog.models import Service
from acompana.core.exports import csv_response, export_filename, xlsx_response

CHUNK = 500


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
    for service in services.iterator(chunk_size=CHUNK):
        yield _row(service)


def export_services(services: QuerySet[Service], *, file_format: str) -> HttpResponseBase:
    """A download of ``services`` (already scoped and filtered) as ``csv`` or ``xlsx``,
    written by the one writer of every list (``core.exports``: ``;`` and BOM for a Colombian
    Excel, a print-ready sheet, formulas escaped)."""
    name = export_filename("servicios")
    if file_format == "xlsx":
        return xlsx_response(_headers(), _rows(services), name, sheet=_("Services"))
    return csv_response(_headers(), _rows(services), name)
