"""Reading a CSV or Excel (.xlsx) file of stakeholders into a row-by-row preview.

The preview says, for every row, the values it will import or the reasons it cannot:
wrong or missing columns, undecodable text, bad NIT/DANE/REPS codes, unknown municipality,
duplicates inside the file and against the registry, empty file, too many rows. A file with
any bad row imports nothing (``services.stakeholders_import``).

Columns are matched by their header without accents, case or punctuation, so "Código DANE
establecimiento" and "codigo_dane_establecimiento" are the same column. Cells of code
columns typed as numbers in Excel (which drops leading zeros) are padded back.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acompana.core.models import Organization
from acompana.core.validators import nit_with_check_digit
from acompana.registry.choices import HealthSubtype, StakeholderKind
from acompana.registry.models import Stakeholder
from acompana.registry.validation import (
    Geography,
    IdentifierIndex,
    clean_stakeholder,
    identifier_keys,
)
from acompana.registry.validators import normalize_search, strip_accents

MAX_ROWS = 20_000
MAX_BYTES = 15 * 1024 * 1024
#: files with more rows than this are imported by a background job (``tasks.py``)
SYNC_MAX_ROWS = 1_000


@dataclass(frozen=True)
class Column:
    key: str  # input key of ``validation.clean_stakeholder``
    #: Spanish header of the template. A data contract, so not translated: a file made with
    #: the template imports whatever the user's language.
    header: str
    required: bool = False
    #: zero-padded width when Excel stored the code as a number
    pad: int | None = None
    help: Any = ""
    example: str = ""


COLUMNS = [
    Column(
        "kind",
        "Tipo",
        required=True,
        help=gettext_lazy(
            "alcaldia, gobernacion, entidad_nacional, entidad_territorial, establecimiento, "
            "sede, ips, ese, eps, organizacion_social, otro"
        ),
        example="alcaldia",
    ),
    Column("name", "Nombre", required=True, example="Alcaldía de Garzón"),
    Column("nit", "NIT", help=gettext_lazy("With check digit, e.g. 800197268-4")),
    Column(
        "dane_code",
        "Código DANE entidad territorial",
        pad=None,
        help=gettext_lazy("Alcaldía: municipality (5 digits). Gobernación: department (2)."),
        example="41298",
    ),
    Column(
        "school_code",
        "Código DANE establecimiento",
        pad=12,
        help=gettext_lazy("12 digits, schools and school sites"),
    ),
    Column(
        "parent_school_code",
        "Establecimiento de la sede",
        pad=12,
        help=gettext_lazy("School sites: DANE code of their school (in the registry or the file)"),
    ),
    Column(
        "reps_code",
        "Código REPS",
        help=gettext_lazy("Health actors: código de habilitación, 10 to 12 digits"),
    ),
    Column(
        "department_code",
        "Departamento",
        pad=2,
        help=gettext_lazy("DANE code, 2 digits (optional when the municipality is given)"),
        example="41",
    ),
    Column(
        "municipality_code",
        "Municipio",
        pad=5,
        help=gettext_lazy("DANE code, 5 digits"),
        example="41298",
    ),
    Column("address", "Dirección", example="Carrera 3 # 4-51"),
    Column("phone", "Teléfono", example="608 833 2000"),
    Column("email", "Correo electrónico", example="contactenos@garzon-huila.gov.co"),
    Column("website", "Sitio web", example="https://www.garzon-huila.gov.co"),
    Column(
        "category",
        "Categoría",
        help=gettext_lazy("Municipalities: E, 1 to 6; departments: E, 1 to 4 (Ley 617)"),
        example="6",
    ),
    Column("notes", "Notas"),
]

#: informational columns of the export, accepted and ignored so an export can be re-imported
IGNORED_HEADERS = {
    "active",
    "activo",
    "department_name",
    "nombre_del_departamento",
    "municipality_name",
    "nombre_del_municipio",
    "health_actor_type",
}

_KIND_WORDS = {
    "entidad_publica_nacional": (StakeholderKind.NATIONAL_ENTITY, ""),
    "entidad_nacional": (StakeholderKind.NATIONAL_ENTITY, ""),
    "nacional": (StakeholderKind.NATIONAL_ENTITY, ""),
    "entidad_publica_territorial": (StakeholderKind.TERRITORIAL_ENTITY, ""),
    "entidad_territorial": (StakeholderKind.TERRITORIAL_ENTITY, ""),
    "territorial": (StakeholderKind.TERRITORIAL_ENTITY, ""),
    "alcaldia": (StakeholderKind.MUNICIPALITY, ""),
    "municipio": (StakeholderKind.MUNICIPALITY, ""),
    "gobernacion": (StakeholderKind.DEPARTMENT, ""),
    "departamento": (StakeholderKind.DEPARTMENT, ""),
    "establecimiento": (StakeholderKind.SCHOOL, ""),
    "establecimiento_educativo": (StakeholderKind.SCHOOL, ""),
    "institucion_educativa": (StakeholderKind.SCHOOL, ""),
    "colegio": (StakeholderKind.SCHOOL, ""),
    "sede": (StakeholderKind.SCHOOL_SITE, ""),
    "sede_educativa": (StakeholderKind.SCHOOL_SITE, ""),
    "actor_de_salud": (StakeholderKind.HEALTH_ACTOR, ""),
    "actor_salud": (StakeholderKind.HEALTH_ACTOR, ""),
    "ips": (StakeholderKind.HEALTH_ACTOR, HealthSubtype.IPS),
    "ese": (StakeholderKind.HEALTH_ACTOR, HealthSubtype.ESE),
    "eps": (StakeholderKind.HEALTH_ACTOR, HealthSubtype.EPS),
    "organizacion_social": (StakeholderKind.SOCIAL_ORGANIZATION, ""),
    "otro": (StakeholderKind.OTHER, ""),
    "otra": (StakeholderKind.OTHER, ""),
}


def header_key(text: str) -> str:
    """``"Código DANE establecimiento"`` → ``"codigo_dane_establecimiento"``."""
    return re.sub(r"[^a-z0-9]+", "_", strip_accents(text or "")).strip("_")


def kind_from_text(text: str) -> tuple[str, str] | None:
    key = header_key(text)
    if key in StakeholderKind.values:
        return key, ""
    for value, label in StakeholderKind.choices:
        if header_key(str(label)) == key:
            return value, ""
    return _KIND_WORDS.get(key)


def _column_index() -> dict[str, Column]:
    """Header key → column, for the Spanish headers and the English input keys."""
    index: dict[str, Column] = {}
    for column in COLUMNS:
        index[header_key(column.header)] = column
        index[column.key] = column
    return index


@dataclass
class PreviewRow:
    number: int  # row number as the user sees it (the header is row 1)
    raw: dict[str, str]
    values: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    filename: str
    rows: list[PreviewRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.bad_rows

    @property
    def bad_rows(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.errors]

    @property
    def row_errors(self) -> list[tuple[int, list[str]]]:
        return [(row.number, row.errors) for row in self.rows if row.errors]


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, format, columns, size)."""


# --- reading ---------------------------------------------------------------------------------


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; or a clear error."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in content[:4096]:
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            # Excel "CSV" on Spanish Windows writes Windows-1252 (a superset of Latin-1 for
            # the accents and ñ); its five unassigned bytes make binary files fail here.
            return content.decode("cp1252")
        except UnicodeDecodeError:
            pass
    raise FileProblem(
        _(
            "The file could not be read as text: it is not UTF-8, UTF-16 or Windows-1252 "
            "(Latin-1), or it is not a CSV file. Save it from the spreadsheet as "
            "«CSV UTF-8» or as Excel (.xlsx)."
        )
    )


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = decode_text(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first_line.count)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(
            _("The file is not a valid Excel (.xlsx) workbook; it may be damaged.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in row]
    finally:
        workbook.close()


def read_table(content: bytes, filename: str) -> Iterator[list[str]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _csv_rows(content)
    if name.endswith(".xls"):
        raise FileProblem(
            _("Old Excel files (.xls) are not supported: save it as .xlsx or as CSV UTF-8.")
        )
    raise FileProblem(_("Upload a CSV or Excel (.xlsx) file."))


# --- validating ------------------------------------------------------------------------------


def _map_headers(header: list[str]) -> tuple[list[Column | None], list[str]]:
    index = _column_index()
    mapped: list[Column | None] = []
    problems: list[str] = []
    seen: set[str] = set()
    for text in header:
        key = header_key(text)
        if not key:
            mapped.append(None)
            continue
        if key in IGNORED_HEADERS:
            mapped.append(None)
            continue
        column = index.get(key)
        if column is None:
            problems.append(_("Unknown column «%(header)s».") % {"header": text.strip()})
            mapped.append(None)
            continue
        if column.key in seen:
            problems.append(_("The column «%(header)s» appears twice.") % {"header": text.strip()})
        seen.add(column.key)
        mapped.append(column)
    for column in COLUMNS:
        if column.required and column.key not in seen:
            problems.append(
                _("The required column «%(header)s» is missing.") % {"header": column.header}
            )
    if problems:
        expected = ", ".join(str(c.header) for c in COLUMNS)
        problems.append(_("The expected columns are: %(columns)s.") % {"columns": expected})
    return mapped, problems


def _padded(column: Column, value: str) -> str:
    if column.pad and value.isdigit() and len(value) < column.pad:
        return value.zfill(column.pad)
    if column.key == "reps_code" and value.isdigit() and len(value) in (9, 11):
        return value.zfill(len(value) + 1)  # Excel dropped the leading zero (Antioquia: 05…)
    if column.key == "dane_code" and value.isdigit() and len(value) in (1, 4):
        return value.zfill(len(value) + 1)
    return value


def parse_stakeholder_file(
    *,
    organization: Organization,
    content: bytes,
    filename: str,
    progress: Callable[[int], None] | None = None,
) -> ImportPreview:
    """Read and validate a whole file. Never writes; see ``ImportPreview``."""
    preview = ImportPreview(filename=filename, columns=COLUMNS)
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
        table = read_table(content, filename)
        header = next(table, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(table, None)
        if header is None:
            preview.file_errors.append(_("The file is empty."))
            return preview
        columns, problems = _map_headers(header)
        if problems:
            preview.file_errors.extend(problems)
            return preview
        raw_rows: list[tuple[int, dict[str, str], list[str]]] = []
        for offset, cells in enumerate(table, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(raw_rows) >= MAX_ROWS:
                preview.file_errors.append(
                    _("The file has more than %(max)s rows; split it in several files.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
                )
                return preview
            raw: dict[str, str] = {}
            row_problems: list[str] = []
            extra = [c for c in cells[len(columns) :] if c.strip()]
            if extra:
                row_problems.append(_("The row has more cells than the header has columns."))
            for column, cell in zip(columns, cells, strict=False):
                if column is not None:
                    raw[column.key] = _padded(column, cell.strip())
            raw_rows.append((offset, raw, row_problems))
    except FileProblem as exc:
        preview.file_errors.append(str(exc))
        return preview
    except (csv.Error, UnicodeError) as exc:
        preview.file_errors.append(
            _("The file could not be read as CSV: %(error)s") % {"error": exc}
        )
        return preview
    if not raw_rows:
        preview.file_errors.append(_("The file has a header but no rows to import."))
        return preview
    if progress:
        progress(10)
    _validate_rows(preview, organization, raw_rows, progress)
    return preview


def _validate_rows(
    preview: ImportPreview,
    organization: Organization,
    raw_rows: list[tuple[int, dict[str, str], list[str]]],
    progress: Callable[[int], None] | None,
) -> None:
    geography = Geography(preload=True)
    existing = IdentifierIndex.for_organization(organization.pk)
    labels = {c.key: str(c.header) for c in COLUMNS}
    file_schools: set[str] = set()
    parent_codes: set[str] = set()
    for _row_number, raw, _row_problems in raw_rows:
        kind = kind_from_text(raw.get("kind", ""))
        if kind and kind[0] == StakeholderKind.SCHOOL and raw.get("school_code"):
            file_schools.add(raw["school_code"])
        if raw.get("parent_school_code"):
            parent_codes.add(raw["parent_school_code"])
    registry_schools = {
        school.school_code: school
        for school in Stakeholder.objects.filter(
            organization=organization,
            kind=StakeholderKind.SCHOOL,
            school_code__in=sorted(parent_codes),
        )
    }

    def parent_lookup(code: str) -> Stakeholder | str | None:
        if code in registry_schools:
            return registry_schools[code]
        if code in file_schools:
            return code  # a school of the same file: linked when importing
        return None

    in_file = IdentifierIndex()
    total = len(raw_rows)
    for position, (number, raw, problems) in enumerate(raw_rows, start=1):
        row = PreviewRow(number=number, raw=raw, errors=list(problems))
        data = dict(raw)
        kind = kind_from_text(raw.get("kind", ""))
        if kind is None:
            row.errors.append(
                _("%(column)s: «%(value)s» is not a known kind of stakeholder.")
                % {"column": labels["kind"], "value": raw.get("kind", "")}
            )
            data["kind"] = ""
        else:
            data["kind"] = kind[0]
            if kind[1] and not data.get("health_subtype"):
                data["health_subtype"] = kind[1]
        parent_code = raw.get("parent_school_code", "")
        try:
            values = clean_stakeholder(data, geography=geography, parent_lookup=parent_lookup)
        except ValidationError as exc:
            if data["kind"]:
                for field_key, messages in exc.message_dict.items():
                    label = labels.get(field_key, field_key)
                    row.errors.extend(f"{label}: {message}" for message in messages)
        else:
            if parent_code and values["parent"] is None and not row.errors:
                row.errors.append(_("The school of the site was not found."))
            clashes = existing.clashes(values)
            for field_name, message in clashes.items():
                row.errors.append(f"{labels.get(field_name, field_name)}: {message}")
            for key in identifier_keys(
                kind=values["kind"],
                nit=values["nit"],
                dane_code=values["dane_code"],
                school_code=values["school_code"],
                reps_code=values["reps_code"],
            ):
                earlier = in_file.holders.get(key)
                if earlier is not None:
                    row.errors.append(
                        _("%(column)s: %(value)s is repeated; it already appears in row %(row)s.")
                        % {
                            "column": labels.get(key[0], key[0]),
                            "value": key[-1],
                            "row": earlier[0],
                        }
                    )
            in_file.add(values, number, values["name"])
            values["search_name"] = normalize_search(values["name"])
            row.values = values
        if row.errors:
            row.values = None
        preview.rows.append(row)
        if progress and position % 500 == 0:
            progress(10 + int(70 * position / total))
    if progress:
        progress(80)


# --- template --------------------------------------------------------------------------------


def template_rows() -> tuple[list[str], list[list[str]]]:
    """Header and example rows of the downloadable template (Spanish headers)."""
    header = [c.header for c in COLUMNS]
    examples = [
        [c.example for c in COLUMNS],
        [
            "ese",
            "E.S.E. Hospital Departamental San Vicente de Paúl",
            nit_with_check_digit("800123456"),
            "",
            "",
            "",
            "4129800123",
            "41",
            "41298",
            "Calle 7 # 14-69",
            "608 833 2424",
            "",
            "",
            "",
            "",
        ],
    ]
    return header, examples
