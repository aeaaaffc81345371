"""Generated PDFs carry the organization's header and page x of y; documents are stored."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import engines

from acompana.core.documents import document_store, header_for, render_pdf
from acompana.core.models import Document, Event

pytestmark = pytest.mark.django_db

TEMPLATE = """{% extends "core/pdf/base.html" %}
{% block content %}<h1>{{ title }}</h1>{% for i in rows %}<p>Fila {{ i }}</p>{% endfor %}{% endblock %}"""


def _pdf_text(content: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (Debian package poppler-utils) is required")
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_header_comes_from_the_profile_with_adjustments(world):
    """SAL-2: the plan is recorded in format MI-GS-RG-869."""
    header = header_for(world.org, step_key="plan.submitted", fallback_name="Plan")
    assert header.entity == world.org.name
    assert header.format_code == "MI-GS-RG-869"


def test_pdf_has_header_on_every_page_and_page_x_of_y(world, tmp_path, monkeypatch):
    from django.template import loader

    template = engines["django"].from_string(TEMPLATE)
    monkeypatch.setattr(loader, "get_template", lambda name, using=None: template)
    header = header_for(world.org, step_key="plan.submitted", fallback_name="Plan")
    content = render_pdf(
        template="ignored.html",
        context={"title": "Plan de prueba", "rows": range(160)},
        header=header,
    )
    assert content.startswith(b"%PDF")
    text = _pdf_text(content, tmp_path)
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "MI-GS-RG-869" in page
        assert f"Página {number} de {len(pages)}" in page


def test_document_store_saves_hash_and_event(world):
    header = header_for(world.org, step_key="plan.submitted", fallback_name="Plan")
    document = document_store(
        actor=world.admin,
        organization=world.org,
        obj=world.unit,
        kind="test.pdf",
        title="Prueba",
        content=b"%PDF-1.7 prueba",
        header=header,
    )
    assert Document.objects.for_user(world.admin).get() == document
    assert document.content_type == ContentType.objects.get_for_model(world.unit)
    assert len(document.sha256) == 64 and document.file.read() == b"%PDF-1.7 prueba"
    assert Event.objects.filter(
        step_key="document.generated", object_id=str(world.unit.pk)
    ).exists()
    assert not Document.objects.for_user(world.outsider).exists()
