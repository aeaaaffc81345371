"""Importing rows from a CSV or Excel (.xlsx) file: the parts every import shares.

An import (stakeholders of the registry, needs, indicator values, lines of a plan) is:

1. the upload waits in storage under a random name; the session keeps only its path
   (``stash_upload``, ``pending_upload``, ``read_upload``, ``forget_upload``);
2. the file is read into raw rows: text decoding, delimiter, Excel cells, the header row
   matched to the flow's columns without accents, case or punctuation, size and row limits
   (``read_rows``, or ``read_table`` and ``header_key`` for a layout of its own);
3. the flow checks every raw row against the organization and builds an ``ImportPreview``;
4. the preview page lists every row with its values or its problems (``preview_context`` and
   the template ``import_preview.html``); confirming imports all rows or none, by a
   background job when the file has more than ``SYNC_MAX_ROWS`` rows.

Only step 3 belongs to each app; ``core.imports.ImportFlow`` runs the pages of steps 1 and 4.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

#: The limits of every import, stated once (the upload page shows them, ``import_limits``).
#: At most this many rows are read, empty rows included (a sheet of a million empty rows
#: is refused after MAX_ROWS, not walked to its end) ...
MAX_ROWS = 20_000
#: ... the uploaded file has at most this many bytes ...
MAX_BYTES = 15 * 1024 * 1024
#: ... and an Excel workbook (a zip) at most this many bytes once uncompressed, by what its
#: members declare and by what they really inflate to (a decompression bomb is refused
#: before the workbook is parsed).
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
#: ... and its sheets at most this many cells (``<c>`` elements, empty ones included):
#: the Excel reader walks every element of a sheet that does not declare its extent
MAX_CELLS = 1_000_000
#: a file with more rows than this is checked and imported by a background job
#: (``core.jobs``): the web request only checks its size, counts its rows and stashes it
SYNC_MAX_ROWS = 1_000
#: the preview page lists at most this many rows with problems (all of them are counted)
PREVIEW_BAD_ROWS = 500
PREVIEW_PAGE_SIZE = 200


@dataclass(frozen=True)
class Column:
    key: str  # the key of the cell in the raw row
    #: Spanish header of the template. A data contract, so not translated: a file made with
    #: the template imports whatever the user's language.
    header: str
    required: bool = False
    #: zero-padded width when Excel stored the code as a number
    pad: int | None = None
    help: Any = ""
    example: str = ""


class RawRow(NamedTuple):
    number: int  # row number as the user sees it (the header is row 1)
    cells: dict[str, str]  # column key → stripped cell text
    problems: list[str]  # problems of the row as read (extra cells)


@dataclass
class PreviewRow:
    number: int  # row number as the user sees it (the header is row 1)
    raw: dict[str, str]
    #: what the row imports (a dict, or the flow's input object); None while it has errors
    values: Any = None
    errors: list[str] = field(default_factory=list)
    #: what confirming does with the row when the import may update: ``"create"`` or
    #: ``"update"`` (an existing record matched by its identifier); empty otherwise
    action: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    """Every row of a file with what it would import or why it cannot. A file with any bad
    row, or with a problem of its own (``file_errors``), imports nothing."""

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


class ImportRejected(ValidationError):
    """A file with at least one bad row: nothing was imported. Carries every reason.

    Services raise it; pages list ``row_errors``; the API answers 400 ``import_rejected``
    with ``as_fields()``.
    """

    def __init__(self, *, file_errors: list[str], row_errors: list[tuple[int, list[str]]]) -> None:
        self.file_errors = file_errors
        self.row_errors = row_errors
        super().__init__(
            _("The file has errors; nothing was imported. Fix the rows listed and try again."),
            code="import_rejected",
        )

    @classmethod
    def from_preview(cls, preview: ImportPreview) -> ImportRejected:
        file_errors = list(preview.file_errors)
        if not file_errors and not preview.rows:
            file_errors = [_("The file has no rows to import.")]
        return cls(file_errors=file_errors, row_errors=preview.row_errors)

    def as_fields(self, limit: int = 500) -> dict[str, list[str]]:
        """The errors as the API's ``fields``: ``{"file": [...], "row_3": [...]}``."""
        fields: dict[str, list[str]] = {}
        if self.file_errors:
            fields["file"] = list(self.file_errors)
        for number, reasons in self.row_errors[:limit]:
            fields[f"row_{number}"] = reasons
        return fields


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, format, columns, size)."""


# --- reading ---------------------------------------------------------------------------------


def strip_accents(value: str) -> str:
    """Lower-case text without accents, for accent-insensitive search and header matching."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def header_key(text: str) -> str:
    """``"Código DANE establecimiento"`` → ``"codigo_dane_establecimiento"``."""
    return re.sub(r"[^a-z0-9]+", "_", strip_accents(text or "")).strip("_")


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


class UnknownColumn(str):
    """The problem «Unknown column …» of a header the flow does not know. Still a plain
    message, it carries the header so the preview can offer to map it to a field
    (``core.imports.ImportFlow``), once for the organization and the import."""

    header: str

    def __new__(cls, header: str) -> UnknownColumn:
        text = _("Unknown column «%(header)s».") % {"header": header}
        obj = super().__new__(cls, text)
        obj.header = header
        return obj


def _csv_problem(exc: csv.Error, line: int) -> FileProblem:
    # the csv module speaks English ("field larger than field limit (131072)"); say it in
    # Spanish with the line, and never show its text
    text = str(exc)
    if "field larger than field limit" in text:
        message = _(
            "Line %(line)s has a cell longer than %(max)s characters; a quotation mark may "
            "be left open. Check that line of the file."
        ) % {"line": line, "max": f"{csv.field_size_limit():,}".replace(",", ".")}
    elif "NUL" in text:
        message = _("Line %(line)s holds binary data: it is not a CSV file.") % {"line": line}
    else:
        message = _(
            "The file could not be read as CSV near line %(line)s: check its quotation marks "
            "and separators, or save it again as «CSV UTF-8»."
        ) % {"line": line}
    return FileProblem(message)


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = decode_text(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _csv_problem(exc, reader.line_num) from exc
        yield row


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _too_big(limit: int) -> FileProblem:
    return FileProblem(
        _(
            "The workbook takes more than %(mb)s MB once uncompressed; split it in several "
            "files or save it as CSV."
        )
        % {"mb": limit // (1024 * 1024)}
    )


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


def check_workbook(
    content: bytes,
    *,
    limit: int | None = None,
    max_rows: int | None = None,
    max_cells: int | None = None,
) -> None:
    """Refuse a workbook before it is parsed when it inflates past ``limit``
    (``MAX_UNCOMPRESSED_BYTES``) — by the sizes its members declare, then by what they really
    inflate to (a forged header may under-declare), reading in chunks and stopping at the
    limit — or when its sheets hold more row elements than ``max_rows`` (``MAX_ROWS``, empty
    rows counted) or more cell elements than ``max_cells`` (``MAX_CELLS``). The Excel reader
    walks a whole sheet that does not declare its extent before the first row is read: a
    15 KB file of a million empty rows held a web worker for seconds."""
    limit = MAX_UNCOMPRESSED_BYTES if limit is None else limit
    max_rows = MAX_ROWS if max_rows is None else max_rows
    max_cells = MAX_CELLS if max_cells is None else max_cells
    damaged = FileProblem(_("The file is not a valid Excel (.xlsx) workbook; it may be damaged."))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > limit:
                raise _too_big(limit)
            total = rows = cells = 0
            for member in members:
                sheet = member.filename.startswith("xl/worksheets/")
                tail = b""
                with archive.open(member) as handle:
                    while chunk := handle.read(1024 * 1024):
                        total += len(chunk)
                        if total > limit:
                            raise _too_big(limit)
                        if not sheet:
                            continue
                        # a tag cut between two chunks is counted once: the tail is short
                        # and only tags starting in the new chunk are added
                        text = tail + chunk
                        rows += len(_ROW_TAG.findall(text)) - len(_ROW_TAG.findall(tail))
                        cells += len(_CELL_TAG.findall(text)) - len(_CELL_TAG.findall(tail))
                        tail = chunk[-64:]
                        if rows > max_rows + 1:
                            raise FileProblem(too_many_rows(max_rows))
                        if cells > max_cells:
                            raise FileProblem(
                                _(
                                    "The workbook has more than %(max)s cells; split it in several files."
                                )
                                % {"max": f"{max_cells:,}".replace(",", ".")}
                            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise damaged from exc
    except NotImplementedError as exc:  # a compression method zipfile does not know
        raise damaged from exc


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    check_workbook(content)
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
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(
            _("The file is not a valid Excel (.xlsx) workbook; it may be damaged.")
        ) from exc
    finally:
        workbook.close()


def read_table(content: bytes, filename: str) -> Iterator[list[str]]:
    """The rows of the file (of the first sheet of a workbook) as lists of cell texts.

    A workbook is checked first (``check_workbook``); the caller bounds the rows it reads
    (``bounded``), empty ones included."""
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


def too_many_rows(max_rows: int) -> str:
    return _("The file has more than %(max)s rows; split it in several files.") % {
        "max": f"{max_rows:,}".replace(",", ".")
    }


def bounded(table: Iterator[list[str]], max_rows: int) -> Iterator[list[str]]:
    """The rows of ``table``, raising ``FileProblem`` past ``max_rows`` rows read, empty rows
    counted: a sheet padded with empty rows costs at most ``max_rows`` rows of work."""
    for count, cells in enumerate(table, start=1):
        if count > max_rows:
            raise FileProblem(too_many_rows(max_rows - 1))
        yield cells


def count_rows(content: bytes, filename: str, *, max_rows: int | None = None) -> int:
    """The non-empty rows below the header row, read within the limits (``FileProblem``
    otherwise): what the upload checks before a large file is left to a job."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    count = 0
    header_seen = False
    for cells in bounded(read_table(content, filename), max_rows + 1):
        if not any(cell.strip() for cell in cells):
            continue
        if header_seen:
            count += 1
        header_seen = True
    return count


#: Common ways people title a column (``header_key`` form) → the column keys they may mean,
#: in order; the first one the import has is taken. A flow's own headers and aliases win.
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "nit": ("nit", "stakeholders", "stakeholder"),
    "nit_entidad": ("nit", "stakeholders", "stakeholder"),
    "nit_de_la_entidad": ("nit", "stakeholders", "stakeholder"),
    "numero_nit": ("nit", "stakeholders", "stakeholder"),
    "no_nit": ("nit", "stakeholders", "stakeholder"),
    "nro_nit": ("nit", "stakeholders", "stakeholder"),
    "nit_sin_dv": ("nit", "stakeholders", "stakeholder"),
    "nit_sin_digito_de_verificacion": ("nit", "stakeholders", "stakeholder"),
    "codigo_dane": ("dane_code", "stakeholders", "stakeholder", "municipality_code"),
    "cod_dane": ("dane_code", "stakeholders", "stakeholder", "municipality_code"),
    "dane": ("dane_code", "stakeholders", "stakeholder", "municipality_code"),
    "codigo_divipola": ("dane_code", "municipality_code"),
    "divipola": ("dane_code", "municipality_code"),
    "codigo_dane_municipio": ("municipality_code", "stakeholders", "stakeholder"),
    "codigo_municipio": ("municipality_code",),
    "cod_municipio": ("municipality_code",),
    "cod_mpio": ("municipality_code",),
    "codigo_departamento": ("department_code",),
    "cod_departamento": ("department_code",),
    "cod_dpto": ("department_code",),
    "codigo_dane_establecimiento": ("school_code", "stakeholders", "stakeholder"),
    "codigo_dane_ie": ("school_code", "stakeholders", "stakeholder"),
    "codigo_dane_sede": ("school_code", "stakeholders", "stakeholder"),
    "codigo_establecimiento": ("school_code",),
    "dane_establecimiento": ("school_code",),
    "reps": ("reps_code", "stakeholders", "stakeholder"),
    "codigo_reps": ("reps_code", "stakeholders", "stakeholder"),
    "codigo_de_habilitacion": ("reps_code", "stakeholders", "stakeholder"),
    "codigo_habilitacion": ("reps_code", "stakeholders", "stakeholder"),
    "razon_social": ("name",),
    "nombre_de_la_entidad": ("name",),
    "nombre_entidad": ("name",),
    "tipo_de_grupo_de_valor": ("kind",),
    "tipo_de_entidad": ("kind",),
    "correo": ("email",),
    "email": ("email",),
    "e_mail": ("email",),
    "telefono": ("phone",),
    "celular": ("phone",),
    "direccion": ("address",),
    "vigencia": ("fiscal_year", "year"),
    "ano": ("year", "fiscal_year"),
    "anio": ("year", "fiscal_year"),
    "ano_vigencia": ("year", "fiscal_year"),
    "periodo": ("year", "fiscal_year"),
    "valor": ("value",),
    "dato": ("value",),
    "resultado": ("value",),
    "valor_del_indicador": ("value",),
    "titulo": ("title",),
    "asunto": ("title",),
    "descripcion": ("description",),
    "detalle": ("description",),
    "radicado": ("radicado",),
    "numero_de_radicado": ("radicado",),
    "numero_radicado": ("radicado",),
    "no_radicado": ("radicado",),
    "nro_radicado": ("radicado",),
    "no_de_radicado": ("radicado",),
    "fecha_de_recibido": ("received_on",),
    "fecha_recibido": ("received_on",),
    "fecha_de_recepcion": ("received_on",),
    "fecha_de_radicado": ("received_on",),
    "fecha_radicado": ("received_on",),
    "fecha_de_radicacion": ("received_on",),
}

#: headers of the NIT's check digit in a column of its own; joined to the NIT as ``NIT-DV``
CHECK_DIGIT_HEADERS = frozenset(
    {
        "dv",
        "d_v",
        "digito_de_verificacion",
        "digito_verificacion",
        "dv_nit",
        "digito_verificacion_nit",
    }
)
#: headers whose column holds a NIT (the check digit joins the column they map to)
NIT_HEADERS = frozenset(key for key, targets in HEADER_VARIANTS.items() if targets[0] == "nit") | {
    "nit"
}

#: marks the check-digit column in ``map_headers``'s result
CHECK_DIGIT = Column("__check_digit__", "DV")
#: marks a column the organization chose to ignore (a remembered mapping to nothing)
IGNORED = Column("__ignored__", "")


def map_headers(
    header: list[str],
    columns: list[Column],
    *,
    aliases: Mapping[str, str] | None = None,
    ignored: Collection[str] = (),
    remembered: Mapping[str, str] | None = None,
) -> tuple[list[Column | None], list[str]]:
    """The column of each header cell (None: empty or ignored), and the problems.

    A header matches a column by its Spanish header or its key, through ``aliases``
    (``header_key`` → column key), through ``remembered`` (the organization's own mapping of
    this import: ``header_key`` → column key, or ``""`` to ignore it) or through the common
    ``HEADER_VARIANTS``; headers in ``ignored`` (``header_key`` form) are the export's
    informational columns, accepted so that an export can be imported again. A check-digit
    column (``CHECK_DIGIT_HEADERS``) next to a NIT column maps to ``CHECK_DIGIT``.
    An unknown header is an ``UnknownColumn`` problem.
    """
    index: dict[str, Column] = {}
    by_key = {column.key: column for column in columns}
    for alias, targets in HEADER_VARIANTS.items():
        for key in targets:
            if key in by_key:
                index[alias] = by_key[key]
                break
    for column in columns:
        index[header_key(column.header)] = column
        index[column.key] = column
    for alias, key in (aliases or {}).items():
        index[alias] = by_key[key]
    for alias, key in (remembered or {}).items():
        if not key:
            index[alias] = IGNORED
        elif key in by_key:
            index[alias] = by_key[key]
    keys = [header_key(text) for text in header]
    has_nit = any(
        key in NIT_HEADERS or (key in index and index[key].key == "nit") for key in keys if key
    )
    mapped: list[Column | None] = []
    problems: list[str] = []
    seen: set[str] = set()
    for text, key in zip(header, keys, strict=True):
        if not key or key in ignored:
            mapped.append(None)
            continue
        match = index.get(key)
        if match is None and has_nit and key in CHECK_DIGIT_HEADERS:
            match = CHECK_DIGIT
        if match is IGNORED:
            mapped.append(None)
            continue
        if match is None:
            problems.append(UnknownColumn(text.strip()))
            mapped.append(None)
            continue
        if match.key in seen:
            problems.append(_("The column «%(header)s» appears twice.") % {"header": text.strip()})
        seen.add(match.key)
        mapped.append(match)
    for column in columns:
        if column.required and column.key not in seen:
            problems.append(
                _("The required column «%(header)s» is missing.") % {"header": column.header}
            )
    if problems:
        expected = ", ".join(c.header for c in columns)
        problems.append(_("The expected columns are: %(columns)s.") % {"columns": expected})
    return mapped, problems


def _join_check_digit(mapped: list[Column | None], cells: dict[str, str], digit: str) -> None:
    """``NIT`` + ``DV`` in two columns → ``NIT-DV`` in the NIT's column."""
    digit = digit.strip()
    if not digit:
        return
    nit_keys = [
        c.key for c in mapped if c is not None and c.key in ("nit", "stakeholder", "stakeholders")
    ]
    for key in nit_keys[:1]:
        nit = cells.get(key, "")
        if nit and "-" not in nit and nit.replace(".", "").isdigit():
            cells[key] = f"{nit}-{digit}"


def remembered_mapping(organization_id: int | None, kind: str) -> dict[str, str]:
    """The organization's remembered headers of the import ``kind`` (header key → column
    key, ``""`` to ignore), chosen once in a preview (``core.models.ImportColumnMapping``)."""
    if organization_id is None or not kind:
        return {}
    from acompana.core.models import ImportColumnMapping

    return dict(
        ImportColumnMapping.objects.filter(organization_id=organization_id, kind=kind).values_list(
            "header_key", "column_key"
        )
    )


def read_rows(
    content: bytes,
    filename: str,
    *,
    columns: list[Column],
    aliases: Mapping[str, str] | None = None,
    ignored: Collection[str] = (),
    max_bytes: int,
    max_rows: int,
    organization_id: int | None = None,
    mapping_kind: str = "",
) -> tuple[list[RawRow], list[str]]:
    """The non-empty rows below the header row (its first non-empty row), and the problems
    of the file as a whole (then there are no rows). Headers as ``map_headers``, with the
    organization's remembered mapping of ``mapping_kind``. At most ``max_rows`` rows are
    read, empty rows counted."""
    if not content:
        return [], [_("The file is empty.")]
    if len(content) > max_bytes:
        return [], [
            _("The file is larger than %(mb)s MB; split it in several files.")
            % {"mb": max_bytes // (1024 * 1024)}
        ]
    rows: list[RawRow] = []
    try:
        table = bounded(read_table(content, filename), max_rows + 1)
        header = next(table, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(table, None)
        if header is None:
            return [], [_("The file is empty.")]
        mapped, problems = map_headers(
            header,
            columns,
            aliases=aliases,
            ignored=ignored,
            remembered=remembered_mapping(organization_id, mapping_kind),
        )
        if problems:
            return [], problems
        for number, cells in enumerate(table, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= max_rows:
                return [], [too_many_rows(max_rows)]
            row_problems: list[str] = []
            if any(c.strip() for c in cells[len(mapped) :]):
                row_problems.append(_("The row has more cells than the header has columns."))
            raw = {
                column.key: cell.strip()
                for column, cell in zip(mapped, cells, strict=False)
                if column is not None
            }
            digit = raw.pop(CHECK_DIGIT.key, None)
            if digit is not None:
                _join_check_digit(mapped, raw, digit)
            rows.append(RawRow(number, raw, row_problems))
    except FileProblem as exc:
        return [], [str(exc)]
    except UnicodeError:
        return [], [_("The file could not be read as CSV: save it again as «CSV UTF-8».")]
    if not rows:
        return [], [_("The file has a header but no rows to import.")]
    return rows, []


def parse_date(text: str) -> datetime.date | None:
    """A date as people type it in a file (``02/12/2026``, ``2/12/2026``, ``02-12-2026``,
    ``2026-12-02``) or as an Excel date cell reads (``2026-12-02 00:00:00``); None when it
    is not a date. Day first, as in Colombia."""
    value = (text or "").strip().split(" ")[0].split("T")[0]
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


# --- the upload waiting for confirmation -----------------------------------------------------


def stash_upload(
    request: HttpRequest,
    session_key: str,
    upload: UploadedFile,
    *,
    folder: str,
    **entry: Any,
) -> None:
    """Keep ``upload`` in storage under ``folder`` with a random name until it is confirmed.

    The session (under ``session_key``, one upload per flow) keeps its path, its name and
    ``entry`` (what it belongs to, e.g. ``organization=pk``), never its content. An earlier
    upload left waiting is removed.
    """
    forget_upload(request, session_key)
    name = PurePath(upload.name or "")
    path = default_storage.save(
        f"{folder}/{secrets.token_urlsafe(24)}{name.suffix.lower()}",
        ContentFile(upload.read()),
    )
    request.session[session_key] = {"path": path, "filename": name.name[:200], **entry}


def pending_upload(request: HttpRequest, session_key: str, **scope: Any) -> dict[str, Any] | None:
    """The upload waiting under ``session_key`` when its entry matches ``scope`` (e.g. the
    current organization) and its file still exists; else None."""
    entry = request.session.get(session_key)
    if not entry or any(entry.get(name) != value for name, value in scope.items()):
        return None
    if not default_storage.exists(entry["path"]):
        request.session.pop(session_key, None)
        return None
    return dict(entry)


def read_upload(entry: Mapping[str, Any]) -> bytes:
    with default_storage.open(entry["path"], "rb") as handle:
        return bytes(handle.read())


def forget_upload(request: HttpRequest, session_key: str, *, delete_file: bool = True) -> None:
    """Drop the waiting upload from the session and, unless a job now owns it, its file."""
    entry = request.session.pop(session_key, None)
    if entry and delete_file and default_storage.exists(entry["path"]):
        default_storage.delete(entry["path"])


def no_pending_upload(request: HttpRequest, upload_page: str) -> HttpResponse:
    """Back to the upload page (a URL or a URL name) when nothing is waiting."""
    messages.info(request, _("There is no file waiting to be imported. Upload it again."))
    return redirect(upload_page)


def preview_context(
    request: HttpRequest, preview: ImportPreview, *, upload_url: str
) -> dict[str, Any]:
    """The context of ``import_preview.html``: counts, rows with problems, a page of rows
    (``table``: each row with its cells in the order of ``columns``)."""
    page = Paginator(preview.rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    keys = [column.key for column in preview.columns]
    bad_rows = preview.bad_rows
    return {
        "preview": preview,
        "bad_rows": bad_rows[:PREVIEW_BAD_ROWS],
        "bad_count": len(bad_rows),
        "good_count": len(preview.rows) - len(bad_rows),
        "page": page,
        "table": [(row, [row.raw.get(key, "") for key in keys]) for row in page.object_list],
        "columns": preview.columns,
        "upload_url": upload_url,
        "has_actions": any(row.action for row in preview.rows),
    }
