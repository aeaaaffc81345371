"""Rows of the registry exports (stakeholders, people); the writers are ``core.exports``.

The stakeholder export has the import template's columns, so an export can be corrected
and imported again; after them come columns for people (names, the kind as a label), which
the import ignores. Identifiers (NIT, DANE, school, REPS codes) each have their own column. Sensitive columns of people follow consent and the exporter's role.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from acompana.core.exports import CHUNK, csv_response
from acompana.registry.choices import SENSITIVE_FIELDS
from acompana.registry.imports import COLUMNS
from acompana.registry.models import Person, Stakeholder
from acompana.registry.selectors import SENSITIVE_LABELS

# --- rows ------------------------------------------------------------------------------------


def stakeholder_header() -> list[str]:
    # the import template's (Spanish, untranslated) headers, plus columns it ignores
    return [c.header for c in COLUMNS] + [
        "Nombre del departamento",
        "Nombre del municipio",
        "Activo",
        "Tipo de grupo de valor (descripción)",
    ]


def stakeholder_rows(queryset: QuerySet[Stakeholder]) -> Iterator[list[Any]]:
    kind_words = {
        "national_entity": "entidad_nacional",
        "territorial_entity": "entidad_territorial",
        "municipality": "alcaldia",
        "department": "gobernacion",
        "school": "establecimiento",
        "school_site": "sede",
        "social_organization": "organizacion_social",
        "other": "otro",
    }
    for s in queryset.iterator(chunk_size=CHUNK):
        kind = s.health_subtype if s.kind == "health_actor" else kind_words.get(s.kind, s.kind)
        values = {
            "kind": kind,
            "name": s.name,
            "nit": s.nit,
            "dane_code": s.dane_code,
            "school_code": s.school_code,
            "parent_school_code": s.parent.school_code if s.parent_id and s.parent else "",
            "reps_code": s.reps_code,
            "department_code": s.department.code if s.department else "",
            "municipality_code": s.municipality.code if s.municipality else "",
            "address": s.address,
            "phone": s.phone,
            "email": s.email,
            "website": s.website,
            "category": s.category,
            "notes": s.notes,
        }
        yield [values[c.key] for c in COLUMNS] + [
            str(s.department) if s.department else "",
            s.municipality.name.title() if s.municipality else "",
            s.is_active,  # the writer prints Sí / No
            s.get_kind_display()
            + (f" — {s.get_health_subtype_display()}" if s.health_subtype else ""),
        ]


def person_header(*, include_sensitive: bool) -> list[str]:
    header = [
        _("Document type"),
        _("Document number"),
        _("First names"),
        _("Last names"),
        _("E-mail"),
        _("Phone"),
        _("Position"),
        _("Stakeholder"),
        _("Valid consent for sensitive data"),
    ]
    if include_sensitive:
        header += [
            _("Life course"),
            _("Gender identity"),
            _("Ethnic self-recognition"),
            _("Disability"),
            _("Victim of the armed conflict"),
        ]
    return header


def person_rows(queryset: QuerySet[Person], *, include_sensitive: bool) -> Iterator[list[Any]]:
    """``queryset`` must come from ``selectors.people_for_user`` (consent annotation).

    Sensitive cells are filled only when ``include_sensitive`` (the exporter's role) and
    the person's consent for sensitive data is valid; revoked consent leaves them empty.
    """
    for p in queryset.iterator(chunk_size=CHUNK):
        consent = bool(getattr(p, "has_sensitive_consent", False))
        row: list[Any] = [
            p.get_document_type_display(),
            p.document_number,
            p.first_name,
            p.last_name,
            p.email,
            p.phone,
            p.position,
            p.stakeholder.name if p.stakeholder else "",
            consent,  # the writer prints Sí / No
        ]
        if include_sensitive:
            for name in SENSITIVE_FIELDS:
                value = getattr(p, name) if consent else ""
                row.append(str(SENSITIVE_LABELS[name].get(value, "")) if value else "")
        yield row


def template_response(file_format: str) -> StreamingHttpResponse | FileResponse:
    """The import template: header, example rows and, in XLSX, a sheet of instructions."""
    from acompana.registry.imports import template_rows

    header, examples = template_rows()
    if file_format == "csv":
        return csv_response(header, examples, "plantilla-grupos-de-valor")
    import xlsxwriter

    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook = xlsxwriter.Workbook(handle, {"in_memory": False})
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    data = workbook.add_worksheet(_("Stakeholders")[:31])
    for col, title in enumerate(header):
        data.write_string(0, col, title, bold)
        data.set_column(col, col, 22, text)  # text cells keep the leading zeros of codes
    for row_number, row in enumerate(examples, start=1):
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
    workbook.close()
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename="plantilla-grupos-de-valor.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
