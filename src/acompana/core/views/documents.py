"""The one download of stored documents (``core.models.Document``) for every stage: plan
PDFs, actas, certificates, evidence. Who may download is who may see the object the
document belongs to (``core.documents.document_get``); anything else is a 404."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.http import FileResponse, Http404, HttpRequest

from acompana.core.access import member_view
from acompana.core.documents import document_get


@member_view
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = document_get(user=request.user, pk=pk)
    if not document.file:
        raise Http404
    name = PurePosixPath(document.file.name).name
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=name)
