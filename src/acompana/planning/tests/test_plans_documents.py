"""Plan documents: the plan and the consolidated plan as PDF with the organization's header
(format code, version, date, page x of y), stored when submitted/published (SAL-2, EDU-2,
EDU-4, EDU-8), downloadable through a checked view."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from acompana.core.models import Document
from acompana.core.tests.factories import build_world
from acompana.planning.choices import ConsolidatedStatus, PlanStatus
from acompana.planning.plans import services
from acompana.planning.tests.cases_plans import complete_line, make_consolidated, make_plan
from acompana.planning.tests.factories import PlanLineFactory

pytestmark = pytest.mark.django_db


def _text(content: bytes, tmp_path) -> list[str]:
    """The text of each page, in reading order, whitespace collapsed."""
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (Debian package poppler-utils) is required")
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [" ".join(page.split()) for page in out.split("\f") if page.strip()]


def test_sal_plan_pdf_has_the_mi_gs_rg_869_header_on_every_page(world, tmp_path):
    """SAL-2: Plan de Asistencia Técnica MI-GS-RG-869, landscape, page x of y."""
    plan = make_plan(world, lines=0)
    for number in range(1, 61):
        PlanLineFactory(
            plan=plan,
            position=number,
            activity=f"Visita de inspección {number}",
            objective="Verificar el cumplimiento de los lineamientos del plan decenal de salud",
        )
    pages = _text(services.plan_pdf(plan=plan), tmp_path)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "MI-GS-RG-869" in page
        assert f"Página {number} de {len(pages)}" in page
    assert "Visita de inspección 60" in pages[-1]
    assert world.org.name in pages[0]


def test_edu_consolidated_pdf_groups_the_units(tmp_path):
    """EDU-4: consolidated plan MI-GE-RG-217 with every unit's lines and totals."""
    world = build_world(procedure_code="EDU")
    consolidated = make_consolidated(world)
    plan = consolidated.plans.get()
    complete_line(world, plan, activity="Asesoría en el PEI")
    pages = _text(services.consolidated_pdf(consolidated=consolidated), tmp_path)
    text = "\n".join(pages)
    assert "MI-GE-RG-217" in pages[0] and "Página 1 de" in pages[0]
    assert plan.unit.name in text and "Asesoría en el PEI" in text


def test_submission_and_publication_store_the_plan_pdf(world, client_for):
    """SAL-2: the PDF is a document of the plan, listed and downloadable."""
    plan = make_plan(world)
    services.plan_finalise(actor=world.unit_head, plan=plan)  # SAL-2: one action finalises
    documents = Document.objects.filter(object_id=str(plan.pk), kind="plan.pdf")
    assert documents.count() == 1
    document = documents.first()
    assert document.format_code == "MI-GS-RG-869" and document.pages >= 1
    page = client_for(world.auditor).get(reverse("planning:plan_detail", args=[plan.pk]))
    assert reverse("core:document_download", args=[document.pk]) in page.content.decode()
    response = client_for(world.auditor).get(reverse("core:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        client_for(world.outsider)
        .get(reverse("core:document_download", args=[document.pk]))
        .status_code
        == 404
    )


def test_a_plan_document_is_hidden_with_its_plan(world, client_for):
    """The one download (``core:document_download``) checks the plan is visible: once the
    plan is gone, so is its PDF."""
    plan = make_plan(world)
    services.plan_finalise(actor=world.unit_head, plan=plan)
    document = Document.objects.filter(object_id=str(plan.pk), kind="plan.pdf").first()
    url = reverse("core:document_download", args=[document.pk])
    assert client_for(world.admin).get(url).status_code == 200
    document.object_id = "999999999"  # an object that does not exist (or is out of scope)
    document.save(update_fields=["object_id"])
    assert client_for(world.admin).get(url).status_code == 404


def test_the_pdf_views_render_on_demand(world, client_for):
    plan = make_plan(world)
    response = client_for(world.auditor).get(reverse("planning:plan_pdf", args=[plan.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (
        client_for(world.outsider).get(reverse("planning:plan_pdf", args=[plan.pk])).status_code
        == 404
    )
    consolidated = make_consolidated(
        world,
        status=ConsolidatedStatus.VERIFIED,
        plan_status=PlanStatus.VERIFIED,
        unit=world.sibling_unit,
    )
    response = client_for(world.committee).get(
        reverse("planning:consolidated_pdf", args=[consolidated.pk])
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_unit_plans_pdf_job_reports_through_core_jobs(world):
    """EDU-8: the job that stores each published unit plan's PDF ends succeeded with the
    count, or failed with a message when its consolidated plan is gone (never raising: the
    plan stays published)."""
    from acompana.core.choices import JobStatus
    from acompana.core.models import Job
    from acompana.planning.plans.tasks import JOB_KIND, plan_documents_task

    consolidated = make_consolidated(
        world, status=ConsolidatedStatus.PUBLISHED, plan_status=PlanStatus.PUBLISHED
    )
    job = Job.objects.create(
        organization=world.org,
        user=world.planner,
        kind=JOB_KIND,
        title="PDF",
        params={"consolidated": consolidated.pk},
    )
    plan_documents_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"documents": 1}
    gone = Job.objects.create(
        organization=world.org,
        user=world.planner,
        kind=JOB_KIND,
        title="PDF",
        params={"consolidated": 999999999},
    )
    plan_documents_task(gone.pk)
    gone.refresh_from_db()
    assert gone.status == JobStatus.FAILED and gone.message
