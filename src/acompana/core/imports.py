"""The one import pipeline of the product: upload → preview → confirm → (job).

Every import (stakeholders, needs, indicator values, the lines of a plan) is the same four
pages' worth of behaviour, so it is written once here; a stage only says what is its own
with an ``ImportFlow``: how to read its file into an ``ImportPreview`` (``parse``), how to
import it now (``run``, its service) and how to start the background job for a large file
(``start``, its ``*_import_start`` service), plus its templates and URL names::

    FLOW = ImportFlow(
        session_key="registry_imports",
        folder="registro/importaciones",
        upload_template="registry/import_upload.html",
        preview_template="registry/import_preview.html",
        upload_url="registry:import_upload",
        preview_url="registry:import_preview",
        confirm_url="registry:import_confirm",
        done_url="registry:stakeholder_list",
        parse=_parse,
        run=_run,
        start=_start,
    )

    @permission_view(IMPORT)
    def import_upload(request):
        return FLOW.upload(request, target=organization)

The rules every import keeps:

* the upload waits in storage (``core.tabular.stash_upload``), never in the session, and
  belongs to the session that uploaded it and to its target (organization or plan);
* the file's size is checked before it is stored, its rows before they are parsed
  (``core.tabular.MAX_BYTES``/``MAX_ROWS``, a workbook's uncompressed size
  ``MAX_UNCOMPRESSED_BYTES``), the limits stated once and shown on the upload page;
* a column the flow does not know can be mapped to one of its fields in the preview, once:
  the choice is remembered for the organization and the import (``mapping_kind``,
  ``core.models.ImportColumnMapping``) and applied by ``core.tabular.read_rows``;
* the preview lists every row with its values or its reasons (``import_preview.html``);
  confirming imports every row or none;
* a file of more than ``SYNC_MAX_ROWS`` rows is checked and imported by a background job
  (``core.jobs``): the web request only counts its rows within the limits, never parses it;
  the job is followed on the one progress page ``core:job_detail``, lists the rows with
  problems when it refuses the file, owns the file and deletes it when it ends
  (``import_job_run``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import FileExtensionValidator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acompana.core import tabular
from acompana.core.jobs import JobOutcome, Progress, job_run, job_start
from acompana.core.models import ImportColumnMapping, Job, Organization, User
from acompana.core.permissions import check_perm
from acompana.core.tabular import (
    MAX_BYTES,
    FileProblem,
    ImportPreview,
    UnknownColumn,
    forget_upload,
    header_key,
    no_pending_upload,
    pending_upload,
    preview_context,
    read_upload,
    stash_upload,
)

__all__ = [
    "ImportFlow",
    "ImportUploadForm",
    "import_columns_map",
    "import_job_run",
    "import_job_start",
    "import_limits",
    "sync_max_rows",
]

#: the choice «ignore this column» of the preview's mapping form
IGNORE_CHOICE = "__ignore__"


#: what an import job that failed on an unexpected error says
IMPORT_FAILURE = gettext_lazy("The import failed unexpectedly; nothing was imported.")


def sync_max_rows() -> int:
    """Rows above which a file is imported by a job (read at call time: tests lower it)."""
    return tabular.SYNC_MAX_ROWS


def import_limits(max_bytes: int = MAX_BYTES) -> dict[str, str]:
    """The limits of every import as the upload page states them (one place: the numbers
    come from ``core.tabular``), formatted the Colombian way (``20.000``)."""

    def number(value: int) -> str:
        return f"{value:,}".replace(",", ".")

    return {
        "max_rows": number(tabular.MAX_ROWS),
        "max_mb": number(max_bytes // (1024 * 1024)),
        "sync_max_rows": number(sync_max_rows()),
    }


def import_columns_map(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    permission: str,
    choices: dict[str, str],
    allowed: set[str],
) -> int:
    """Remember how the organization's files title some columns of the import ``kind``:
    ``choices`` maps a header (as written in the file) to a column key of ``allowed`` or to
    ``""`` (ignore the column). Needs the import's own permission. Returns how many were
    saved. A preference of the organization's files, not a record of the procedure: it is
    not written to the trail."""
    check_perm(actor, permission, organization_id=organization.pk)
    saved = 0
    with transaction.atomic():
        for header, column_key in choices.items():
            key = header_key(header)
            if not key or (column_key and column_key not in allowed):
                continue
            ImportColumnMapping.objects.update_or_create(
                organization=organization,
                kind=kind,
                header_key=key[:200],
                defaults={"column_key": column_key, "updated_by": actor},
            )
            saved += 1
    return saved


class ImportUploadForm(forms.Form):
    """The upload of every import: a CSV or Excel file no larger than ``max_bytes``."""

    file = forms.FileField(
        label=gettext_lazy("File (CSV or Excel .xlsx)"),
        validators=[FileExtensionValidator(["csv", "xlsx", "txt"])],
        widget=forms.ClearableFileInput({"class": "form-control", "accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args: Any, max_bytes: int = MAX_BYTES, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB; split it in several files.")
                % {"mb": self.max_bytes // (1024 * 1024)}
            )
        return upload


def _organization_id(target: Any) -> int:
    return int(target.pk if isinstance(target, Organization) else target.organization_id)


def _target_key(target: Any) -> str:
    # what the waiting upload belongs to: a file uploaded for one plan is not confirmed
    # into another, nor into another organization after switching
    return f"{target._meta.label_lower}:{target.pk}"


@dataclass(frozen=True)
class ImportFlow:
    """One stage's import, on the shared pipeline (see the module docstring).

    Callables (keyword arguments only):

    * ``parse(user=, target=, content=, filename=) -> ImportPreview``: reads, never writes;
    * ``run(actor=, target=, content=, filename=, options=) -> str``: imports now, all rows
      or none (the stage's service), and says what it did; raises ``ValidationError``
      (``ImportRejected`` for bad rows) to refuse;
    * ``start(actor=, target=, path=, filename=, options=) -> Job``: starts the background
      import of the stored file (the stage's ``*_import_start`` service); without it every
      file is imported at once.

    URL names are reversed with ``url_args(target)`` (a plan's import has the plan's pk).
    ``options_form`` is a form posted with the confirmation (the plan's replace/append).
    ``mapping_kind`` and ``mapping_permission``: with them, the preview of a file with unknown
    columns offers to map each to a field (the parse passes the same kind to ``read_rows``).
    """

    session_key: str
    folder: str
    upload_template: str
    preview_template: str
    upload_url: str
    preview_url: str
    confirm_url: str
    done_url: str
    parse: Callable[..., ImportPreview]
    run: Callable[..., str]
    start: Callable[..., Job] | None = None
    url_args: Callable[[Any], tuple[Any, ...]] = field(default=lambda target: ())
    upload_form: type[forms.Form] = ImportUploadForm
    options_form: type[forms.Form] | None = None
    max_bytes: int = MAX_BYTES
    mapping_kind: str = ""
    mapping_permission: str = ""

    def _url(self, name: str, target: Any) -> str:
        return reverse(name, args=self.url_args(target))

    def _pending(self, request: HttpRequest, target: Any) -> dict[str, Any] | None:
        return pending_upload(request, self.session_key, target=_target_key(target))

    def _form(self, request: HttpRequest) -> forms.Form:
        data = (request.POST or None, request.FILES or None)
        if self.upload_form is ImportUploadForm:
            return ImportUploadForm(*data, max_bytes=self.max_bytes)
        return self.upload_form(*data)

    def upload(
        self, request: HttpRequest, *, target: Any, context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The upload page; a valid file waits in storage and the preview follows."""
        form = self._form(request)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size is not None and upload.size > self.max_bytes:
                form.add_error(
                    "file",
                    _("The file is larger than %(mb)s MB; split it in several files.")
                    % {"mb": self.max_bytes // (1024 * 1024)},
                )
            else:
                stash_upload(
                    request,
                    self.session_key,
                    upload,
                    folder=f"{self.folder}/{_organization_id(target)}",
                    target=_target_key(target),
                    rows=0,
                )
                return redirect(self._url(self.preview_url, target))
        return render(
            request,
            self.upload_template,
            {
                "form": form,
                "sync_max_rows": sync_max_rows(),
                "limits": import_limits(self.max_bytes),
                **(context or {}),
            },
        )

    def _large_rows(self, content: bytes, filename: str) -> tuple[int, list[str]]:
        """The rows of a file left to a job (0 when it is small enough to parse now), or the
        problem that refuses it; reads within the limits, parses nothing."""
        if self.start is None:
            return 0, []
        try:
            rows = tabular.count_rows(content, filename)
        except FileProblem as exc:
            return 0, [str(exc)]
        except UnicodeError:
            return 0, [_("The file could not be read as CSV: save it again as «CSV UTF-8».")]
        return (rows if rows > sync_max_rows() else 0), []

    def _save_mapping(self, request: HttpRequest, *, target: Any, columns: list[Any]) -> None:
        choices: dict[str, str] = {}
        for name in request.POST:
            value = request.POST.get(name, "")
            if not name.startswith("map:") or not value:
                continue
            choices[name.removeprefix("map:")] = "" if value == IGNORE_CHOICE else value
        if not choices:
            messages.info(request, _("Choose a field for the column, or to ignore it."))
            return
        organization = Organization.objects.get(pk=_organization_id(target))
        import_columns_map(
            actor=request.user,  # type: ignore[arg-type]
            organization=organization,
            kind=self.mapping_kind,
            permission=self.mapping_permission,
            choices=choices,
            allowed={column.key for column in columns},
        )
        messages.success(
            request,
            _("The columns were mapped; the next files of this import will use the same mapping."),
        )

    def preview(
        self, request: HttpRequest, *, target: Any, context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Every row of the waiting file with its values or its reasons; writes nothing."""
        upload_url = self._url(self.upload_url, target)
        entry = self._pending(request, target)
        if entry is None:
            return no_pending_upload(request, upload_url)
        content = read_upload(entry)
        large, problems = self._large_rows(content, entry["filename"])
        if large or problems:
            # a large file is checked and imported by the job: it is not parsed here
            preview = ImportPreview(filename=entry["filename"], file_errors=problems)
        else:
            preview = self.parse(
                user=request.user, target=target, content=content, filename=entry["filename"]
            )
        unknown = [e.header for e in preview.file_errors if isinstance(e, UnknownColumn)]
        if request.method == "POST" and self.mapping_kind and unknown:
            self._save_mapping(request, target=target, columns=preview.columns)
            return redirect(self._url(self.preview_url, target))
        request.session[self.session_key] = {**entry, "rows": large or len(preview.rows)}
        return render(
            request,
            self.preview_template,
            {
                **preview_context(request, preview, upload_url=upload_url),
                "background": self.start is not None
                and (large or len(preview.rows)) > sync_max_rows(),
                "large": large,
                "unknown_columns": unknown if self.mapping_kind else [],
                "mapping_choices": [(c.key, c.header) for c in preview.columns],
                "ignore_choice": IGNORE_CHOICE,
                "confirm_url": self._url(self.confirm_url, target),
                "options_form": self.options_form() if self.options_form else None,
                **(context or {}),
            },
        )

    def confirm(self, request: HttpRequest, *, target: Any) -> HttpResponse:
        """Import the waiting file: now, or by a job when it is large."""
        entry = self._pending(request, target)
        if entry is None:
            return no_pending_upload(request, self._url(self.upload_url, target))
        preview_url = self._url(self.preview_url, target)
        options: dict[str, Any] = {}
        if self.options_form is not None:
            form = self.options_form(request.POST)
            if not form.is_valid():
                messages.error(
                    request,
                    " ".join(
                        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
                        for name, errors in form.errors.items()
                        for error in errors
                    ),
                )
                return redirect(preview_url)
            options = form.cleaned_data
        actor: User = request.user  # type: ignore[assignment]
        try:
            if self.start is not None and entry.get("rows", 0) > sync_max_rows():
                job = self.start(
                    actor=actor,
                    target=target,
                    path=entry["path"],
                    filename=entry["filename"],
                    options=options,
                )
                # the job owns the file now and deletes it when it ends
                forget_upload(request, self.session_key, delete_file=False)
                return redirect("core:job_detail", pk=job.pk)
            message = self.run(
                actor=actor,
                target=target,
                content=read_upload(entry),
                filename=entry["filename"],
                options=options,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages[:5]))
            return redirect(preview_url)
        forget_upload(request, self.session_key)
        messages.success(request, message)
        return redirect(self._url(self.done_url, target))


# --- the background side ---------------------------------------------------------------------


def import_job_start(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    title: str,
    task: Any,
    path: str,
    filename: str,
    next_url: str,
    upload_url: str,
    params: dict[str, Any] | None = None,
) -> Job:
    """Start the import job of a stored file (for a stage's ``*_import_start`` service).

    ``next_url`` is where the progress page leads once the rows are imported,
    ``upload_url`` where the user starts again when the file is refused.
    """
    return job_start(
        actor=actor,
        organization=organization,
        kind=kind,
        title=title,
        task=task,
        params={
            **(params or {}),
            "path": path,
            "filename": filename,
            "next_url": next_url,
            "upload_url": upload_url,
        },
    )


def import_job_run(job_id: int, work: Callable[[Job, bytes, str, Progress], JobOutcome]) -> None:
    """The body of every import task: ``work(job, content, filename, progress)`` runs on the
    job's stored file through ``core.jobs.job_run``; the file is deleted however it ends."""

    def run(job: Job, progress: Progress) -> JobOutcome:
        path = job.params["path"]
        try:
            content = read_upload(job.params)
            return work(job, content, job.params.get("filename") or path, progress)
        finally:
            if default_storage.exists(path):
                default_storage.delete(path)

    job_run(job_id, run, failure_message=IMPORT_FAILURE)
