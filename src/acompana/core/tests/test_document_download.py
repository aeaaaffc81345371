"""The one download of stored documents (``core:document_download``): a document is served
to whoever may see the object it belongs to, in its organization; anything else is a 404."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import reverse

from acompana.core.documents import document_store
from acompana.core.models import Document
from acompana.core.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _url(document: Document) -> str:
    return reverse("core:document_download", args=[document.pk])


def _stored(world, obj, title="Documento"):
    return document_store(
        actor=None,
        organization=obj.organization,
        obj=obj,
        kind="test.pdf",
        title=title,
        content=b"%PDF-1.4 prueba",
    )


def test_a_document_of_a_visible_object_downloads_as_an_attachment(world, client_for):
    document = _stored(world, world.unit)
    response = client_for(world.auditor).get(_url(document))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 prueba"


def test_another_organizations_document_is_not_found(world, client_for):
    other_unit = UnitFactory(organization=world.other, name="Unidad de otra entidad")
    document = _stored(world, other_unit)
    assert client_for(world.admin).get(_url(document)).status_code == 404
    assert client_for(world.outsider).get(_url(document)).status_code == 200


def test_a_document_whose_object_is_gone_is_not_found(world, client_for):
    document = _stored(world, world.unit)
    Document.objects.filter(pk=document.pk).update(object_id="999999999")
    assert client_for(world.admin).get(_url(document)).status_code == 404


def test_an_object_without_scoping_hides_its_documents(world, client_for):
    # a user account has no ``for_user``: nothing says who may see it, so nobody downloads
    document = Document(
        organization=world.org,
        content_type=ContentType.objects.get_for_model(world.admin),
        object_id=str(world.admin.pk),
        kind="other.pdf",
        title="Sin alcance",
        sha256="0" * 64,
    )
    document.file.save("otro.pdf", ContentFile(b"%PDF-1.4"), save=True)
    assert client_for(world.admin).get(_url(document)).status_code == 404


def test_a_document_without_its_file_is_not_found(world, client_for):
    document = _stored(world, world.unit)
    document.file.delete(save=True)
    assert client_for(world.admin).get(_url(document)).status_code == 404
