"""A plan as an Excel workbook in the official format's columns, and back.

The layout follows the organization's record (``header_for(org, step_key="plan.submitted")``):

* EDU — MI-GE-RG-217 "Plan de Asistencia Técnica a EE Oficiales del Departamento" (EDU-2,
  EDU-4; the EDU-5 field list: programme, need, activity, objective, date, mechanism, place,
  school data, responsible, procedures and resources, type);
* SAL — MI-GS-RG-869 "Plan de Asistencia Técnica" (SAL-2: trainings, workshops, visits, field
  work for the actors of the health system);
* FP and DNP — a generic layout under their record names (FP-5 "Formato Plan de asistencia
  técnica integral", with the national entities' legal obligation and the territorial
  manager; DNP-3 "Plan de trabajo").

Sheet: a header block (entity, process, format name, code, version, approval date, unit,
fiscal year, state), an empty row, then the table: one row per line, Spanish headers (a data
contract: not translated). Text cells starting with ``= + - @`` are escaped with ``'``.

The import reads the same layout (any of the layouts: headers are matched without accents,
case or punctuation), finds the table's header row below the header block, resolves every
reference (municipality DANE code, catalogue values by name or code, the unit's services,
stakeholders by identifier — NIT, DANE, school or REPS code, optionally prefixed ``NIT:``,
``DANE:``, ``REPS:``, ``SEDE:`` —, need numbers, the responsible person's e-mail) and runs the
line rules of ``validation.clean_line`` on each row. The preview lists every row with its
values or its errors; a file with any bad row imports nothing (``services.plan_lines_import``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from acompana.catalog.models import Mechanism, Modality, Service, ServiceType, Topic
from acompana.core.documents import DocumentHeader, header_for
from acompana.core.exports import FORMULA_PREFIXES, MONEY_FORMAT, escape_cell
from acompana.core.models import Organization, User
from acompana.core.procedures import get_profile
from acompana.core.tabular import (
    MAX_BYTES,
    MAX_ROWS,
    Column,
    FileProblem,
    ImportPreview,
    PreviewRow,
    bounded,
    header_key,
    read_table,
)
from acompana.core.validators import normalize_search
from acompana.geo.models import Municipality
from acompana.planning.models import Need, Plan, PlanLine
from acompana.planning.plans.validation import (
    LineContext,
    LineInput,
    clean_line,
    format_months,
    parse_bool,
    parse_budget,
    parse_date,
    parse_months,
    quarters_label,
)
from acompana.registry.choices import StakeholderKind
from acompana.registry.models import Stakeholder

HEADER_SEARCH_ROWS = 30
#: the export's total row starts with "Total" in the "N.º" column; the import stops there
TOTAL_KEY = "total"
PLAN_FALLBACK_NAME = "Plan de asistencia técnica"

#: columns whose cells are read on import (the others are for people and ignored)
IMPORTED = {
    "programme",
    "need_ids",
    "activity",
    "objective",
    "topic",
    "service",
    "service_type",
    "mechanism",
    "modality",
    "months",
    "start_date",
    "end_date",
    "place",
    "municipality_code",
    "stakeholder_ids",
    "responsible_email",
    "responsible_team",
    "budget",
    "needs_contract",
    "needs_travel",
    "needs_logistics",
    "procurement_notes",
    "legal_obligation",
    "legal_basis",
    "territorial_manager",
    "line_id",
}
INFORMATIVE = {
    "position",
    "entity_order",
    "need_titles",
    "quarters",
    "municipality_name",
    "stakeholder_names",
    "responsible_name",
    "unit",
}
WIDTHS = {
    "position": 6,
    "activity": 40,
    "objective": 32,
    "programme": 28,
    "need_titles": 30,
    "stakeholder_names": 36,
    "stakeholder_ids": 24,
    "procurement_notes": 28,
    "responsible_team": 24,
    "place": 22,
    "unit": 24,
}

EDU_LAYOUT: list[tuple[str, str]] = [
    ("position", "N.º"),
    ("programme", "Programa del plan de desarrollo"),
    ("need_titles", "Necesidad detectada"),
    ("need_ids", "N.º de necesidad"),
    ("activity", "Actividades / proyectos"),
    ("objective", "Objetivo a alcanzar"),
    ("topic", "Temática"),
    ("service", "Servicio"),
    ("service_type", "Tipo de asistencia técnica"),
    ("mechanism", "Mecanismo o instrumento técnico"),
    ("modality", "Modalidad"),
    ("months", "Meses de ejecución"),
    ("quarters", "Trimestre"),
    ("start_date", "Fecha de inicio"),
    ("end_date", "Fecha de finalización"),
    ("place", "Lugar de ejecución"),
    ("municipality_code", "Código DANE del municipio"),
    ("municipality_name", "Municipio"),
    ("stakeholder_ids", "Código DANE de los establecimientos educativos"),
    ("stakeholder_names", "Establecimientos educativos atendidos"),
    ("responsible_email", "Correo del responsable"),
    ("responsible_name", "Responsable"),
    ("responsible_team", "Equipo de trabajo"),
    ("needs_contract", "Requiere contratación"),
    ("needs_travel", "Requiere viáticos"),
    ("needs_logistics", "Requiere logística"),
    ("procurement_notes", "Trámites y recursos necesarios"),
    ("budget", "Presupuesto (COP)"),
]

SAL_LAYOUT: list[tuple[str, str]] = [
    ("position", "N.º"),
    ("topic", "Tema"),
    ("activity", "Actividad (capacitación, taller, visita, trabajo de campo)"),
    ("objective", "Objetivo"),
    ("need_titles", "Necesidad identificada"),
    ("need_ids", "N.º de necesidad"),
    ("programme", "Plan, programa o meta (PDSP)"),
    ("service", "Servicio"),
    ("service_type", "Tipo de asistencia técnica"),
    ("mechanism", "Mecanismo"),
    ("modality", "Modalidad"),
    ("months", "Meses programados"),
    ("quarters", "Trimestre"),
    ("start_date", "Fecha de inicio"),
    ("end_date", "Fecha de finalización"),
    ("place", "Lugar"),
    ("municipality_code", "Código DANE del municipio"),
    ("municipality_name", "Municipio"),
    ("stakeholder_ids", "Identificación de los actores del SGSSS (NIT, REPS)"),
    ("stakeholder_names", "Actores del SGSSS"),
    ("responsible_email", "Correo del responsable"),
    ("responsible_name", "Responsable"),
    ("responsible_team", "Equipo responsable"),
    ("budget", "Recursos (COP)"),
    ("needs_contract", "Contratación"),
    ("needs_travel", "Viáticos"),
    ("needs_logistics", "Logística"),
    ("procurement_notes", "Observaciones de logística y recursos"),
]

GENERIC_LAYOUT: list[tuple[str, str]] = [
    ("position", "N.º"),
    ("stakeholder_ids", "Identificación de la entidad o grupo de valor (NIT, DANE)"),
    ("stakeholder_names", "Entidad o grupo de valor"),
    ("topic", "Temática"),
    ("activity", "Actividad"),
    ("objective", "Objetivo"),
    ("need_titles", "Necesidad"),
    ("need_ids", "N.º de necesidad"),
    ("programme", "Programa o meta"),
    ("service", "Servicio"),
    ("service_type", "Tipo de asistencia técnica"),
    ("mechanism", "Mecanismo"),
    ("modality", "Modalidad"),
    ("months", "Meses"),
    ("quarters", "Trimestre"),
    ("start_date", "Fecha de inicio"),
    ("end_date", "Fecha de finalización"),
    ("place", "Lugar"),
    ("municipality_code", "Código DANE del municipio"),
    ("municipality_name", "Municipio"),
    ("responsible_email", "Correo del responsable"),
    ("responsible_name", "Responsable"),
    ("responsible_team", "Equipo de trabajo"),
    ("budget", "Presupuesto (COP)"),
    ("needs_contract", "Requiere contratación"),
    ("needs_travel", "Requiere viáticos"),
    ("needs_logistics", "Requiere logística"),
    ("procurement_notes", "Trámites y recursos"),
]
FP_EXTRA: list[tuple[str, str]] = [
    ("entity_order", "Orden de la entidad (nacional o territorial)"),
    ("legal_obligation", "Obligación normativa (entidad del orden nacional)"),
    ("legal_basis", "Norma que la establece"),
    ("territorial_manager", "Gestor territorial"),
]
UNIT_COLUMN = ("unit", "Dependencia")
#: the line's id, last column of every export: re-importing the plan's own file updates
#: those lines instead of adding copies (``services.plan_lines_import``)
LINE_ID_COLUMN = ("line_id", "Id. de línea (no modificar)")


def layout_for(organization: Organization) -> list[tuple[str, str]]:
    """The columns (key, Spanish header) of the organization's plan format."""
    code = get_profile(organization).code
    if code == "EDU":
        layout = list(EDU_LAYOUT)
    elif code == "SAL":
        layout = list(SAL_LAYOUT)
    elif code == "DNP":
        layout = list(GENERIC_LAYOUT)
    else:
        layout = list(GENERIC_LAYOUT) + list(FP_EXTRA)
    return [*layout, LINE_ID_COLUMN]


def _aliases() -> dict[str, str]:
    """Normalised header → column key, over every layout (a file of any layout imports)."""
    index: dict[str, str] = {}
    for layout in (EDU_LAYOUT, SAL_LAYOUT, GENERIC_LAYOUT, FP_EXTRA, [UNIT_COLUMN, LINE_ID_COLUMN]):
        for key, header in layout:
            index.setdefault(header_key(header), key)
    for key in IMPORTED | INFORMATIVE:
        index.setdefault(key, key)
    return index


def plan_header(organization: Organization) -> DocumentHeader:
    return header_for(organization, step_key="plan.submitted", fallback_name=PLAN_FALLBACK_NAME)


def consolidated_header(organization: Organization) -> DocumentHeader:
    return header_for(organization, step_key="plan.consolidated", fallback_name=PLAN_FALLBACK_NAME)


# --- export ----------------------------------------------------------------------------------


def stakeholder_identifier(stakeholder: Stakeholder) -> str:
    """The identifier the import finds the stakeholder by (sites carry ``SEDE:``)."""
    if stakeholder.kind == StakeholderKind.SCHOOL_SITE and stakeholder.school_code:
        return f"SEDE:{stakeholder.school_code}"
    for value in (
        stakeholder.school_code,
        stakeholder.reps_code,
        stakeholder.dane_code,
        stakeholder.nit,
    ):
        if value:
            return value
    return ""


def line_cells(line: PlanLine, *, number: int, unit_name: str = "") -> dict[str, Any]:
    """The values of one line by column key (``line`` from ``selectors.lines_queryset``)."""
    stakeholders = [link.stakeholder for link in line.stakeholder_links.all()]
    needs = [link.need for link in line.need_links.all()]
    responsible: User | None = line.responsible
    return {
        "position": number,
        "unit": unit_name,
        "programme": line.programme,
        "need_titles": "; ".join(n.title for n in needs),
        "need_ids": ", ".join(str(n.pk) for n in needs),
        "activity": line.activity,
        "objective": line.objective,
        "topic": line.topic.name if line.topic else "",
        "service": line.service.name if line.service else "",
        "service_type": line.service_type.name if line.service_type else "",
        "mechanism": line.mechanism.name if line.mechanism else "",
        "modality": line.modality.name if line.modality else "",
        "months": format_months(line.months),
        "quarters": quarters_label(line.months),
        "start_date": line.start_date,
        "end_date": line.end_date,
        "place": line.place,
        "municipality_code": line.municipality.code if line.municipality else "",
        "municipality_name": line.municipality.name.title() if line.municipality else "",
        "stakeholder_ids": "; ".join(
            filter(None, (stakeholder_identifier(s) for s in stakeholders))
        ),
        "stakeholder_names": "; ".join(s.name for s in stakeholders),
        "responsible_email": responsible.email if responsible else "",
        "responsible_name": (responsible.full_name or responsible.email) if responsible else "",
        "responsible_team": line.responsible_team,
        "budget": line.budget,
        "needs_contract": "Sí" if line.needs_contract else "No",
        "needs_travel": "Sí" if line.needs_travel else "No",
        "needs_logistics": "Sí" if line.needs_logistics else "No",
        "procurement_notes": line.procurement_notes,
        "legal_obligation": _yes_no(line.legal_obligation),
        "legal_basis": line.legal_basis,
        "entity_order": "; ".join(
            sorted({s.entity_order_label for s in stakeholders if s.entity_order})
        ),
        "territorial_manager": line.territorial_manager,
        "line_id": line.pk,
    }


def _yes_no(value: bool | None) -> str:
    """Sí / No, and an empty cell for what was not stated."""
    return "" if value is None else ("Sí" if value else "No")


def _print_setup(sheet: Any, *, header: DocumentHeader, table_header_row: int) -> None:
    """Print-ready like every export (``core.exports.print_setup``): landscape, one page
    wide, the header block and the table's header row repeated on every printed page, the
    format's code and version in the page header, "Página x de y" in the footer."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{table_header_row}"
    code = " ".join(
        x
        for x in (
            header.format_code,
            _("Version %(version)s") % {"version": header.format_version}
            if header.format_version
            else "",
        )
        if x
    )
    sheet.oddHeader.left.text = header.entity.replace("&", "&&")
    sheet.oddHeader.left.size = 8
    if code:
        sheet.oddHeader.right.text = code.replace("&", "&&")
        sheet.oddHeader.right.size = 8
    sheet.oddFooter.right.text = _("Page &P of &N")
    sheet.oddFooter.right.size = 8


def export_workbook(
    *,
    organization: Organization,
    header: DocumentHeader,
    info: Sequence[tuple[str, str]],
    lines: Iterable[PlanLine],
    with_unit: bool = False,
) -> bytes:
    """A styled .xlsx (openpyxl, write-only so memory stays flat) of ``lines``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    layout = layout_for(organization)
    if with_unit:
        layout = [layout[0], UNIT_COLUMN, *layout[1:]]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Plan")
    thin = Side(style="thin", color="555555")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    title_font = Font(bold=True, size=12)
    head_fill = PatternFill("solid", fgColor="DCE6F0")
    label_fill = PatternFill("solid", fgColor="F2F2F2")
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, (key, _header) in enumerate(layout, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(key, 16)

    def cell(value: Any, *, font: Any = None, fill: Any = None, framed: bool = False) -> Any:
        result = WriteOnlyCell(sheet, value=escape_cell(value) if isinstance(value, str) else value)
        if font is not None:
            result.font = font
        if fill is not None:
            result.fill = fill
        if framed:
            result.border = border
            result.alignment = wrap
        return result

    block = [
        ("Entidad", header.entity),
        ("Proceso", header.process),
        ("Formato", header.format_name),
        ("Código", header.format_code or "—"),
        ("Versión", header.format_version or "—"),
        ("Fecha de aprobación", header.approval_date or "—"),
        *info,
    ]
    # a write-only sheet writes its views and properties with the first row: set them first
    table_header_row = len(block) + 3  # title, the block, an empty row, then the table
    sheet.freeze_panes = f"A{table_header_row + 1}"
    _print_setup(sheet, header=header, table_header_row=table_header_row)
    sheet.append([cell(header.format_name, font=title_font)])
    for label, value in block:
        sheet.append(
            [cell(label, font=bold, fill=label_fill, framed=True), cell(value, framed=True)]
        )
    sheet.append([])
    sheet.append([cell(h, font=bold, fill=head_fill, framed=True) for _k, h in layout])
    count, budget = 0, Decimal(0)
    for number, line in enumerate(lines, start=1):
        unit_name = line.plan.unit.name if with_unit else ""
        values = line_cells(line, number=number, unit_name=unit_name)
        row = []
        for key, _header in layout:
            value = values[key]
            item = cell(value, framed=True)
            if key in ("start_date", "end_date") and value is not None:
                item.number_format = "DD/MM/YYYY"
            elif key == "budget":
                item.number_format = MONEY_FORMAT
            row.append(item)
        sheet.append(row)
        count += 1
        budget += line.budget or 0
    total_label = ngettext("Total: %(count)s line", "Total: %(count)s lines", count) % {
        "count": count
    }
    total_row = []
    for index, (key, _header) in enumerate(layout):
        if index == 0:
            item = cell(total_label, font=bold, fill=label_fill, framed=True)
        elif key == "budget":
            item = cell(budget, font=bold, fill=label_fill, framed=True)
            item.number_format = MONEY_FORMAT
        else:
            item = cell("", fill=label_fill, framed=True)
        total_row.append(item)
    sheet.append(total_row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- import ----------------------------------------------------------------------------------


@dataclass
class PlanImportPreview(ImportPreview):
    """The shared preview; the ``values`` of a good row are its ``LineInput``.

    ``line_ids``: row number → id of the line of THIS plan the row carries (column
    «Id. de línea» of the plan's own export); those rows update their line."""

    line_ids: dict[int, int] = field(default_factory=dict)

    @property
    def lines(self) -> list[LineInput]:
        return [row.values for row in self.rows if row.values is not None]

    @property
    def entries(self) -> list[tuple[int | None, LineInput]]:
        """(id of the plan's line the row updates, or None for a new line, values)."""
        return [
            (self.line_ids.get(row.number), row.values)
            for row in self.rows
            if row.values is not None
        ]

    def as_error(self, limit: int = 50) -> ValidationError:
        """The problems as a ``ValidationError`` (file errors, then ``row_N`` messages)."""
        if self.file_errors:
            return ValidationError({"file": self.file_errors})
        if not self.rows:
            return ValidationError({"file": [_("The file has no lines.")]})
        errors: dict[str, list[str]] = {}
        for row in self.bad_rows[:limit]:
            errors[f"row_{row.number}"] = row.errors
        return ValidationError(errors)


def _unescape(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1:2] and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def _read(
    content: bytes, filename: str
) -> tuple[list[str | None], list[str], list[tuple[int, list[str]]]]:
    """(column key per cell of the header row, the header texts, [(row number, cells)])."""
    aliases = _aliases()
    activity_keys = {k for k, v in aliases.items() if v == "activity"}
    # at most MAX_ROWS rows read, empty ones counted, plus the title block above the table
    table = bounded(read_table(content, filename), MAX_ROWS + 50)
    header_row: list[str] | None = None
    number = 0
    for number, cells in enumerate(table, start=1):
        found = {header_key(c) for c in cells}
        if found & activity_keys:
            header_row = cells
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if header_row is None:
        raise FileProblem(
            _(
                "The table header was not found: the sheet must have the column «%(column)s» "
                "(download the plan in Excel to see the format)."
            )
            % {"column": dict(EDU_LAYOUT)["activity"]}
        )
    keys: list[str | None] = []
    seen: set[str] = set()
    problems: list[str] = []
    for text in header_row:
        key = header_key(text)
        if not key:
            keys.append(None)
            continue
        column = aliases.get(key)
        if column is None:
            problems.append(_("Unknown column «%(header)s».") % {"header": text.strip()})
        elif column in seen:
            problems.append(_("The column «%(header)s» appears twice.") % {"header": text.strip()})
        seen.add(column or "")
        keys.append(column)
    if problems:
        raise FileProblem(" ".join(problems))
    rows: list[tuple[int, list[str]]] = []
    for offset, cells in enumerate(table, start=number + 1):
        if not any(c.strip() for c in cells):
            continue
        if cells and header_key(cells[0]).startswith(TOTAL_KEY):
            break  # the export's total row ends the table
        if len(rows) >= MAX_ROWS:
            raise FileProblem(
                _("The file has more than %(max)s lines; split it in several files.")
                % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        rows.append((offset, cells))
    return keys, [text.strip() for text in header_row], rows


class _References:
    """Everything the rows point at, read with one query per kind of reference."""

    def __init__(self, plan: Plan, raw_rows: list[dict[str, str]]) -> None:
        organization_id = plan.organization_id
        self.values: dict[str, dict[str, Any]] = {}
        for name, model in (
            ("topic", Topic),
            ("service_type", ServiceType),
            ("mechanism", Mechanism),
            ("modality", Modality),
        ):
            index: dict[str, Any] = {}
            for obj in model.objects.filter(organization_id=organization_id):  # type: ignore[attr-defined]
                index.setdefault(normalize_search(obj.name), obj)
                if obj.code:
                    index.setdefault(normalize_search(obj.code), obj)
            self.values[name] = index
        services: dict[str, Service] = {}
        for service in Service.objects.filter(
            organization_id=organization_id, unit_id=plan.unit_id
        ):
            services.setdefault(normalize_search(service.name), service)
            if service.code:
                services.setdefault(normalize_search(service.code), service)
        self.values["service"] = services
        codes = {
            r.get("municipality_code", "").zfill(5) for r in raw_rows if r.get("municipality_code")
        }
        self.municipalities = {
            m.code: m
            for m in Municipality.objects.filter(code__in=codes).select_related("department")
        }
        need_ids = {int(t) for r in raw_rows for t in re.findall(r"\d+", r.get("need_ids", ""))}
        self.needs = {
            n.pk: n for n in Need.objects.filter(organization_id=organization_id, pk__in=need_ids)
        }
        emails = {r.get("responsible_email", "").strip().lower() for r in raw_rows}
        emails.discard("")
        self.users = {
            u.email.lower(): u
            for u in User.objects.filter(
                email__in=emails,
                memberships__organization_id=organization_id,
                memberships__is_active=True,
            )
        }
        tokens = [t for r in raw_rows for t in split_identifiers(r.get("stakeholder_ids", ""))]
        self.stakeholders = _stakeholder_index(organization_id, tokens)


def split_identifiers(text: str) -> list[tuple[str, str]]:
    """``"NIT:800197268-4; 141001000123"`` → ``[("nit", "800197268-4"), ("", "141001000123")]``."""
    result = []
    for part in re.split(r"[;,\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        prefix = ""
        match = re.fullmatch(r"(?i)(nit|dane|reps|sede)\s*:\s*(.+)", part)
        if match:
            prefix, part = match.group(1).lower(), match.group(2)
        value = re.sub(r"[\s.]", "", part)
        result.append((prefix, value))
    return result


def _stakeholder_index(
    organization_id: int, tokens: list[tuple[str, str]]
) -> dict[tuple[str, str], list[Stakeholder]]:
    """(prefix, value) → the stakeholders it identifies (best kind of match first)."""
    if not tokens:
        return {}
    values = {value for _prefix, value in tokens}
    bodies = {value for value in values if value.isdigit() and 8 <= len(value) <= 10}
    condition = (
        Q(nit__in=values)
        | Q(dane_code__in=values)
        | Q(school_code__in=values)
        | Q(reps_code__in=values)
    )
    if bodies:
        condition |= reduce(or_, (Q(nit__startswith=f"{body}-") for body in bodies))
    candidates = list(Stakeholder.objects.filter(organization_id=organization_id).filter(condition))
    index: dict[tuple[str, str], list[Stakeholder]] = {}
    for prefix, value in set(tokens):
        found: list[Stakeholder] = []
        if prefix in ("", "nit"):
            found = [s for s in candidates if s.nit == value] or [
                s for s in candidates if s.nit and s.nit.split("-")[0] == value
            ]
        if not found and prefix in ("", "dane"):
            found = [s for s in candidates if s.dane_code == value] or [
                s
                for s in candidates
                if s.school_code == value and s.kind != StakeholderKind.SCHOOL_SITE
            ]
        if not found and prefix == "sede":
            found = [
                s
                for s in candidates
                if s.school_code == value and s.kind == StakeholderKind.SCHOOL_SITE
            ]
        if not found and prefix in ("", "reps"):
            found = [s for s in candidates if s.reps_code == value]
        index[(prefix, value)] = found
    return index


def _resolve_row(
    raw: dict[str, str], labels: dict[str, str], refs: _References
) -> tuple[LineInput, list[str]]:
    errors: list[str] = []
    data = LineInput()

    def label(key: str) -> str:
        return labels.get(key, key)

    for key in (
        "activity",
        "programme",
        "objective",
        "place",
        "responsible_team",
        "procurement_notes",
        "territorial_manager",
        "legal_basis",
    ):
        setattr(data, key, raw.get(key, ""))
    for key in ("topic", "service_type", "mechanism", "modality", "service"):
        text = raw.get(key, "").strip()
        if not text:
            continue
        found = refs.values[key].get(normalize_search(text))
        if found is None:
            if key == "service":
                errors.append(
                    _("%(column)s: «%(value)s» is not a service of the unit's catalogue.")
                    % {"column": label(key), "value": text}
                )
            else:
                errors.append(
                    _("%(column)s: «%(value)s» is not in the catalogue.")
                    % {"column": label(key), "value": text}
                )
        setattr(data, key, found)
    if raw.get("months", "").strip():
        try:
            data.months = parse_months(raw["months"])
        except ValueError:
            errors.append(
                _(
                    "%(column)s: «%(value)s» are not months; write month numbers 1 to 12 separated by commas."
                )
                % {"column": label("months"), "value": raw["months"]}
            )
    for key in ("start_date", "end_date"):
        try:
            setattr(data, key, parse_date(raw.get(key, "")))
        except ValueError:
            errors.append(
                _("%(column)s: «%(value)s» is not a date; write it as dd/mm/aaaa.")
                % {"column": label(key), "value": raw.get(key, "")}
            )
    try:
        data.budget = parse_budget(raw.get("budget", ""))
    except ValueError:
        errors.append(
            _("%(column)s: «%(value)s» is not a number.")
            % {"column": label("budget"), "value": raw.get("budget", "")}
        )
    for key in ("needs_contract", "needs_travel", "needs_logistics", "legal_obligation"):
        text = raw.get(key, "")
        if key == "legal_obligation" and not text.strip():
            data.legal_obligation = None  # not stated: the checks ask for it (FP-5)
            continue
        try:
            setattr(data, key, parse_bool(text))
        except ValueError:
            errors.append(
                _("%(column)s: «%(value)s» must be Sí or No.")
                % {"column": label(key), "value": raw.get(key, "")}
            )
    code = raw.get("municipality_code", "").strip()
    if code:
        municipality = refs.municipalities.get(code.zfill(5)) if code.isdigit() else None
        if municipality is None:
            errors.append(
                _("%(column)s: «%(value)s» is not a DIVIPOLA municipality code (5 digits).")
                % {"column": label("municipality_code"), "value": code}
            )
        data.municipality = municipality
    email = raw.get("responsible_email", "").strip().lower()
    if email:
        user = refs.users.get(email)
        if user is None:
            errors.append(
                _(
                    "%(column)s: «%(value)s» is not the e-mail of an active member of the organization."
                )
                % {"column": label("responsible_email"), "value": email}
            )
        data.responsible = user
    for prefix, value in split_identifiers(raw.get("stakeholder_ids", "")):
        found = refs.stakeholders.get((prefix, value), [])
        shown = f"{prefix.upper()}:{value}" if prefix else value
        if not found:
            errors.append(
                _("%(column)s: no stakeholder of the registry has the identifier «%(value)s».")
                % {"column": label("stakeholder_ids"), "value": shown}
            )
        elif len(found) > 1:
            errors.append(
                _(
                    "%(column)s: «%(value)s» identifies several stakeholders; write NIT:, "
                    "DANE:, REPS: or SEDE: before it."
                )
                % {"column": label("stakeholder_ids"), "value": shown}
            )
        else:
            data.stakeholders.append(found[0])
    for token in re.split(r"[;,\s]+", raw.get("need_ids", "").strip()):
        token = token.lstrip("#")
        if not token:
            continue
        need = refs.needs.get(int(token)) if token.isdigit() else None
        if need is None:
            errors.append(
                _("%(column)s: there is no need number «%(value)s» in the organization.")
                % {"column": label("need_ids"), "value": token}
            )
        else:
            data.needs.append(need)
    return data, errors


def parse_plan_file(*, plan: Plan, content: bytes, filename: str) -> PlanImportPreview:
    """Read and validate a whole file against ``plan``. Never writes."""
    preview = PlanImportPreview(filename=filename)
    if not content:
        preview.file_errors.append(_("The file is empty."))
        return preview
    if len(content) > MAX_BYTES:
        preview.file_errors.append(
            _("The file is larger than %(mb)s MB; split it in several files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
        return preview
    try:
        keys, texts, rows = _read(content, filename)
    except FileProblem as exc:
        preview.file_errors.append(str(exc))
        return preview
    if not rows:
        preview.file_errors.append(_("The file has the table header but no lines."))
        return preview
    # errors name the columns as the file names them (else as the organization's format)
    labels = dict(layout_for(plan.organization))
    labels.update({key: text for key, text in zip(keys, texts, strict=False) if key})
    preview.columns = [Column(key, labels.get(key, key)) for key in keys if key and key in IMPORTED]
    raw_rows: list[tuple[int, dict[str, str], list[str]]] = []
    for number, cells in rows:
        raw: dict[str, str] = {}
        problems: list[str] = []
        if any(c.strip() for c in cells[len(keys) :]):
            problems.append(_("The row has more cells than the header has columns."))
        for key, value in zip(keys, cells, strict=False):
            if key in IMPORTED:
                raw[key] = _unescape(value.strip())
        raw_rows.append((number, raw, problems))
    refs = _References(plan, [raw for _n, raw, _p in raw_rows])
    context = LineContext(plan)
    own_lines = _own_lines(plan, raw_rows)
    if "line_id" in keys:
        preview.columns.insert(0, Column("target", _("Line of this plan")))
    claimed: dict[int, int] = {}
    for number, raw, problems in raw_rows:
        row = PreviewRow(number=number, raw=raw, errors=list(problems))
        line_text = raw.get("line_id", "").strip()
        raw["target"] = _("New line")
        if line_text:
            line_id = int(line_text) if line_text.isdigit() else None
            if line_id is None:
                row.errors.append(
                    _(
                        "%(column)s: «%(value)s» is not a line id; leave the exported value or empty the cell."
                    )
                    % {"column": labels.get("line_id", "line_id"), "value": line_text}
                )
            elif line_id in own_lines:
                if line_id in claimed:
                    row.errors.append(
                        _("%(column)s: the line %(id)s is also in row %(row)s; each line once.")
                        % {
                            "column": labels.get("line_id", "line_id"),
                            "id": line_id,
                            "row": claimed[line_id],
                        }
                    )
                else:
                    claimed[line_id] = number
                    preview.line_ids[number] = line_id
                    raw["target"] = _("Updates line %(number)s") % {"number": own_lines[line_id]}
            # an id of another plan (a copied file): the row is a new line of this plan
        data, errors = _resolve_row(raw, labels, refs)
        row.errors.extend(errors)
        if not errors:
            try:
                row.values = clean_line(context=context, data=data)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    column = {
                        "stakeholders": "stakeholder_ids",
                        "needs": "need_ids",
                        "municipality": "municipality_code",
                        "responsible": "responsible_email",
                    }.get(key, key)
                    row.errors.extend(f"{labels.get(column, column)}: {m}" for m in messages)
        if row.errors:
            row.values = None
        preview.rows.append(row)
    return preview


def _own_lines(plan: Plan, raw_rows: list[tuple[int, dict[str, str], list[str]]]) -> dict[int, int]:
    """id → number of the plan's lines that the file's «Id. de línea» cells name (one query)."""
    ids = {
        int(text)
        for _n, raw, _p in raw_rows
        if (text := raw.get("line_id", "").strip()).isdigit() and len(text) < 19
    }
    if not ids or plan.pk is None:
        return {}
    return dict(PlanLine.objects.filter(plan=plan, pk__in=ids).values_list("pk", "position"))


def budget_total(lines: Iterable[LineInput]) -> Decimal:
    return sum((line.budget for line in lines), Decimal(0))
