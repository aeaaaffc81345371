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

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from acompana.core.events import event_record
from acompana.core.models import Document, Organization, User
from acompana.core.procedures import get_profile


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
    including the admin's adjustments; ``fallback_name`` is used when the procedure names no
    format for that step.
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
        process=organization.process_name or profile.title,
        format_name=record.name if record else fallback_name,
        format_code=(record.code or "") if record else "",
        format_version=(record.version or "") if record else "",
        approval_date=(record.date or profile.source.date or "") if record else "",
        organization_slug=organization.slug,
        has_logo=bool(organization.logo),
    )


def render_pdf(*, template: str, context: dict[str, Any], header: DocumentHeader) -> bytes:
    """Render ``template`` (which extends ``core/pdf/base.html``) to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(
        template, {**context, "header": header, "generated_at": timezone.localtime()}
    )
    buffer = io.BytesIO()
    HTML(string=html, base_url=".").write_pdf(buffer)
    return buffer.getvalue()


def count_pdf_pages(content: bytes) -> int:
    # the page objects of a WeasyPrint PDF; good enough for folio counts
    return max(1, content.count(b"/Type /Page") - content.count(b"/Type /Pages"))


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
        summary=f"Documento generado: {title}",
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
