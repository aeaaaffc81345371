"""Generated documents: PDF rendering with the organization's header, and storage.

Every generated document (plan, acta, letter, agenda, certificate, report, FUID, label)
carries the header of DESIGN section 3: entity, process, format name, code, version,
approval date, page x of y. ``render_pdf`` draws it on every page with WeasyPrint's page
margin boxes; ``document_store`` saves the bytes as a ``Document`` of an object, with its
hash and an event, in the caller's transaction. ``document_get`` is the one scoped read of a
stored document, behind the one download page (``core:document_download``) of every stage.

Usage::

    header = header_for(organization, step_key="plan.submitted", fallback_name="Plan")
    pdf = render_pdf(template="planning/pdf/plan.html", context={...}, header=header)
    document_store(actor=user, organization=org, obj=plan, kind="plan.pdf",
                   title="Plan 2026", content=pdf, header=header)
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from acompana.core.events import event_record
from acompana.core.models import Document, Organization, User
from acompana.core.procedures import get_profile

# --- es-CO values (documents and exports speak es-CO whatever the browser's language) -------


def money_text(value: Any, *, decimals: int = 0) -> str:
    """``$ 1.234.567`` (es-CO: ``.`` groups thousands, ``,`` the decimals); "" for no value.

    Documents and exports format money themselves rather than through the active locale:
    an official document reads the same whoever generates it.
    """
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if number < 0 else ""
    whole, _dot, fraction = f"{abs(number):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}$ {grouped}" + (f",{fraction}" if decimals else "")


def number_text(value: Any) -> str:
    """A plain number with a decimal comma and no grouping (``1234,5``), as a Colombian
    spreadsheet reads it from a CSV cell."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, Decimal):
        text = f"{value:f}"
    elif isinstance(value, float):
        text = repr(value)
    else:
        return str(value)
    return text.replace(".", ",")


def date_text(value: Any) -> str:
    """``dd/mm/aaaa`` for a date, ``dd/mm/aaaa hh:mm`` (local time) for a moment, and an
    ISO date string (``2025-01-11``, as the procedure profiles write them) turned around."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        return f"{match[3]}/{match[2]}/{match[1]}"
    return text


@dataclass(frozen=True)
class DocumentHeader:
    entity: str
    process: str
    format_name: str
    format_code: str
    format_version: str
    approval_date: str
    organization_slug: str = ""
    has_logo: bool = False


def header_for(
    organization: Organization,
    *,
    step_key: str | None = None,
    format_key: str | None = None,
    fallback_name: str = "",
) -> DocumentHeader:
    """The header of a document produced by the step completed by ``step_key``.

    The format (name, code, version, date) comes from the organization's procedure profile,
    including the admin's adjustments, read when the document is generated: a later
    adjustment changes later documents, never stored ones. ``fallback_name`` is used when the
    procedure names no format for that step. The process is the one the organization's
    procedure belongs to (its profile's source), so every document of the procedure prints the
    same process; the organization's own ``process_name`` only stands in when the profile
    names none. The approval date is printed dd/mm/aaaa.
    """
    profile = get_profile(organization)
    record = None
    if format_key:
        record = profile.format(format_key)
    elif step_key:
        records = profile.records_for_key(step_key)
        record = records[0] if records else None
    return DocumentHeader(
        entity=organization.name,
        process=profile.source.process or organization.process_name or profile.title,
        format_name=record.name if record else fallback_name,
        format_code=(record.code or "") if record else "",
        format_version=(record.version or "") if record else "",
        approval_date=date_text(record.date or profile.source.date) if record else "",
        organization_slug=organization.slug,
        has_logo=bool(organization.logo),
    )


class RenderedPdf(bytes):
    """PDF bytes that know their page count (WeasyPrint's laid-out pages), so the stored
    ``Document.pages`` — the folios of the document list and of the archive — is the real
    count, not a guess from the file's bytes."""

    pages: int

    def __new__(cls, content: bytes, pages: int) -> RenderedPdf:
        obj = super().__new__(cls, content)
        obj.pages = pages
        return obj


def render_pdf(*, template: str, context: dict[str, Any], header: DocumentHeader) -> RenderedPdf:
    """Render ``template`` (which extends ``core/pdf/base.html``) to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(
        template, {**context, "header": header, "generated_at": timezone.localtime()}
    )
    document = HTML(string=html, base_url=".").render()
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    return RenderedPdf(buffer.getvalue(), len(document.pages))


def count_pdf_pages(content: bytes) -> int:
    """The page count of PDF bytes: known for a ``RenderedPdf``; otherwise the root page
    tree's ``/Count`` (the largest), read from the file and from its compressed object
    streams (WeasyPrint compresses them, so the objects are not visible in the raw bytes)."""
    known = getattr(content, "pages", None)
    if isinstance(known, int):
        return known
    chunks = [bytes(content)]
    for match in re.finditer(rb"stream\r?\n", content):
        try:
            chunks.append(zlib.decompressobj().decompress(content[match.end() :]))
        except zlib.error:
            continue
    counts = [int(n) for chunk in chunks for n in re.findall(rb"/Count\s+(\d+)", chunk)]
    return max(1, max(counts, default=1))


def document_store(
    *,
    actor: User | None,
    organization: Organization,
    obj: models.Model,
    kind: str,
    title: str,
    content: bytes,
    header: DocumentHeader | None = None,
    filename: str | None = None,
    step_key: str = "document.generated",
) -> Document:
    """Save ``content`` as a document of ``obj`` and record the event (call in a transaction)."""
    digest = hashlib.sha256(content).hexdigest()
    document = Document(
        organization=organization,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        kind=kind,
        title=title[:300],
        sha256=digest,
        size=len(content),
        pages=count_pdf_pages(content) if content.startswith(b"%PDF") else None,
        format_name=header.format_name if header else "",
        format_code=header.format_code if header else "",
        format_version=header.format_version if header else "",
        created_by=actor,
    )
    document.file.save(
        filename or f"{kind.replace('.', '-')}-{digest[:12]}.pdf", ContentFile(content), save=False
    )
    document.save()
    event_record(
        actor=actor,
        organization=organization,
        step_key=step_key,
        obj=obj,
        summary=_("Document generated: %(title)s") % {"title": title},
        after={"document": document.pk, "sha256": digest, "kind": kind},
        record=" ".join(x for x in (header.format_code, header.format_version) if x)
        if header
        else "",
    )
    return document


def document_get(*, user: Any, pk: int) -> Document:
    """A stored document the user may download; 404 otherwise.

    The document must belong to the user's active organization, and the object it is
    attached to must be visible to the user through its model's ``for_user`` (a plan, an
    acta, a session's evidence...): a document never shows what its object would not. An
    object whose model has no scoping, or that no longer exists, hides its documents.
    """
    document = Document.objects.for_user(user).filter(pk=pk).select_related("content_type").first()
    if document is None:
        raise Http404
    model = document.content_type.model_class()
    scoped = getattr(getattr(model, "objects", None), "for_user", None)
    if scoped is None:
        raise Http404
    try:
        visible = scoped(user).filter(pk=document.object_id).exists()
    except (ValueError, ValidationError):  # an object id its model cannot hold
        visible = False
    if not visible:
        raise Http404
    return document  # type: ignore[no-any-return]
