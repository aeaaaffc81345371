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

#: every import reads at most this many rows and this many bytes (compressed upload)
MAX_ROWS = 20_000
MAX_BYTES = 15 * 1024 * 1024
#: a file with more rows than this is imported by a background job (``core.jobs``)
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
    """The rows of the file (of the first sheet of a workbook) as lists of cell texts."""
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


def map_headers(
    header: list[str],
    columns: list[Column],
    *,
    aliases: Mapping[str, str] | None = None,
    ignored: Collection[str] = (),
) -> tuple[list[Column | None], list[str]]:
    """The column of each header cell (None: empty or ignored), and the problems.

    A header matches a column by its Spanish header or its key, or through ``aliases``
    (``header_key`` → column key); headers in ``ignored`` (``header_key`` form) are the
    export's informational columns, accepted so that an export can be imported again.
    """
    index: dict[str, Column] = {}
    for column in columns:
        index[header_key(column.header)] = column
        index[column.key] = column
    by_key = {column.key: column for column in columns}
    for alias, key in (aliases or {}).items():
        index[alias] = by_key[key]
    mapped: list[Column | None] = []
    problems: list[str] = []
    seen: set[str] = set()
    for text in header:
        key = header_key(text)
        if not key or key in ignored:
            mapped.append(None)
            continue
        match = index.get(key)
        if match is None:
            problems.append(_("Unknown column «%(header)s».") % {"header": text.strip()})
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


def read_rows(
    content: bytes,
    filename: str,
    *,
    columns: list[Column],
    aliases: Mapping[str, str] | None = None,
    ignored: Collection[str] = (),
    max_bytes: int,
    max_rows: int,
) -> tuple[list[RawRow], list[str]]:
    """The non-empty rows below the header row (its first non-empty row), and the problems
    of the file as a whole (then there are no rows). Headers as ``map_headers``."""
    if not content:
        return [], [_("The file is empty.")]
    if len(content) > max_bytes:
        return [], [
            _("The file is larger than %(mb)s MB; split it in several files.")
            % {"mb": max_bytes // (1024 * 1024)}
        ]
    rows: list[RawRow] = []
    try:
        table = read_table(content, filename)
        header = next(table, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(table, None)
        if header is None:
            return [], [_("The file is empty.")]
        mapped, problems = map_headers(header, columns, aliases=aliases, ignored=ignored)
        if problems:
            return [], problems
        for number, cells in enumerate(table, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= max_rows:
                return [], [
                    _("The file has more than %(max)s rows; split it in several files.")
                    % {"max": f"{max_rows:,}".replace(",", ".")}
                ]
            row_problems: list[str] = []
            if any(c.strip() for c in cells[len(mapped) :]):
                row_problems.append(_("The row has more cells than the header has columns."))
            raw = {
                column.key: cell.strip()
                for column, cell in zip(mapped, cells, strict=False)
                if column is not None
            }
            rows.append(RawRow(number, raw, row_problems))
    except FileProblem as exc:
        return [], [str(exc)]
    except (csv.Error, UnicodeError) as exc:
        return [], [_("The file could not be read as CSV: %(error)s") % {"error": exc}]
    if not rows:
        return [], [_("The file has a header but no rows to import.")]
    return rows, []


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
    }
