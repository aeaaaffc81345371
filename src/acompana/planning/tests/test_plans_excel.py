"""The plan in Excel, in the official format's columns (EDU-2 MI-GE-RG-217, SAL-2 MI-GS-RG-869,
FP-5, DNP-3), and back: preview with per-row errors, all or nothing, replace or append."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from acompana.catalog.tests.factories import MechanismFactory, ServiceFactory, TopicFactory
from acompana.core.errors import TransitionError
from acompana.core.models import Event
from acompana.core.tests.factories import build_world
from acompana.planning.choices import PlanStatus
from acompana.planning.models import PlanLine
from acompana.planning.plans import excel, selectors, services
from acompana.planning.tests.cases_plans import complete_line, make_plan
from acompana.registry.choices import StakeholderKind
from acompana.registry.tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def _export(plan) -> bytes:
    return excel.export_workbook(
        organization=plan.organization,
        header=excel.plan_header(plan.organization),
        info=[("Dependencia", plan.unit.name)],
        lines=selectors.plan_lines(plan=plan),
    )


def _snapshot(plan):
    rows = []
    for line in selectors.plan_lines(plan=plan):
        rows.append(
            (
                line.activity,
                line.programme,
                line.objective,
                line.months,
                line.mechanism_id,
                line.service_type_id,
                line.place,
                line.municipality_id,
                line.responsible_id,
                line.responsible_team,
                line.budget,
                line.needs_travel,
                sorted(link.stakeholder_id for link in line.stakeholder_links.all()),
                sorted(link.need_id for link in line.need_links.all()),
            )
        )
    return rows


def _sheet(rows: list[list[object]], header: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Plan de Asistencia Técnica a EE Oficiales del Departamento"])
    sheet.append(["Código", "MI-GE-RG-217"])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_export_has_the_edu_format_header_and_columns():
    """EDU-2: MI-GE-RG-217 with entity, format, code, version and date above the table."""
    world = build_world(procedure_code="EDU")
    plan = make_plan(world, lines=0)
    complete_line(world, plan, activity='=HYPERLINK("http://x")')
    sheet = load_workbook(io.BytesIO(_export(plan))).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    flat = [str(v) for row in values for v in row if v is not None]
    assert world.org.name in flat
    assert "MI-GE-RG-217" in flat
    assert "Plan de Asistencia Técnica a EE Oficiales del Departamento" in flat
    header_row = next(row for row in values if row and row[0] == "N.º")
    assert "Programa del plan de desarrollo" in header_row
    assert "Código DANE de los establecimientos educativos" in header_row
    data_row = values[values.index(header_row) + 1]
    activity = data_row[header_row.index("Actividades / proyectos")]
    assert activity.startswith("'=")  # a formula is never run


def test_sal_export_uses_the_mi_gs_rg_869_layout(world):
    """SAL-2: MI-GS-RG-869 columns (actors of the health system, resources)."""
    plan = make_plan(world)
    sheet = load_workbook(io.BytesIO(_export(plan))).active
    flat = {str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None}
    assert "MI-GS-RG-869" in flat and "Actores del SGSSS" in flat and "Recursos (COP)" in flat


def test_fp_layout_has_the_legal_obligation_and_territorial_manager():
    world = build_world(procedure_code="FP")
    columns = dict(excel.layout_for(world.org))
    assert "legal_obligation" in columns and "territorial_manager" in columns
    dnp = build_world(procedure_code="DNP")
    assert "legal_obligation" not in dict(excel.layout_for(dnp.org))


def test_export_then_import_round_trip():
    """An exported plan imported into another plan gives the same lines."""
    world = build_world(procedure_code="EDU")
    source = make_plan(world, lines=0)
    complete_line(world, source, activity="Visita de acompañamiento")
    complete_line(
        world, source, activity="Taller de evaluación", months=[9], budget=Decimal("350000.50")
    )
    site_school = StakeholderFactory(
        organization=world.org, kind=StakeholderKind.SCHOOL, school_code="141298000111", nit=""
    )
    site = StakeholderFactory(
        organization=world.org, kind=StakeholderKind.SCHOOL_SITE, school_code="141298000111", nit=""
    )
    line = source.lines.order_by("position").first()
    line.stakeholder_links.create(organization=world.org, stakeholder=site)
    line.stakeholder_links.create(organization=world.org, stakeholder=site_school)
    content = _export(source)
    target = make_plan(world, unit=world.sibling_unit, lines=0)
    preview = excel.parse_plan_file(plan=target, content=content, filename="plan.xlsx")
    assert preview.ok, [r.errors for r in preview.rows] + preview.file_errors
    result = services.plan_lines_import(
        actor=world.planner, plan=target, content=content, filename="plan.xlsx", mode="replace"
    )
    assert result.created == 2
    assert _snapshot(target) == _snapshot(source)
    assert Event.objects.filter(step_key="plan.lines_imported", object_id=str(target.pk)).exists()


def test_a_malformed_file_imports_nothing_and_names_every_bad_row(world):
    plan = make_plan(world, lines=1)
    header = [
        "Actividades / proyectos",
        "Meses de ejecución",
        "Código DANE del municipio",
        "Servicio",
        "Código DANE de los establecimientos educativos",
        "N.º de necesidad",
        "Presupuesto (COP)",
        "Fecha de inicio",
        "Correo del responsable",
        "Requiere viáticos",
    ]
    rows = [
        ["Taller correcto", "3", "41298", "", "", "", "100000", "", "", "No"],
        [
            "Taller mal",
            "13",
            "99999",
            "Servicio inexistente",
            "800000000",
            "999999",
            "mucho",
            "31/02/2026",
            "nadie@x.co",
            "tal vez",
        ],
        ["", "1", "", "", "", "", "", "", "", ""],
    ]
    content = _sheet(rows, header)
    preview = excel.parse_plan_file(plan=plan, content=content, filename="plan.xlsx")
    assert not preview.ok
    bad = {row.number: row.errors for row in preview.bad_rows}
    assert sorted(bad) == [6, 7]
    text = " ".join(bad[6])
    for fragment in (
        "13",
        "99999",
        "Servicio inexistente",
        "800000000",
        "999999",
        "mucho",
        "31/02/2026",
        "nadie@x.co",
        "tal vez",
    ):
        assert fragment in text, fragment
    assert "Actividades / proyectos" in " ".join(bad[7])
    before = list(PlanLine.objects.filter(plan=plan).values_list("pk", flat=True))
    with pytest.raises(services.ImportRejected):
        services.plan_lines_import(
            actor=world.planner, plan=plan, content=content, filename="plan.xlsx", mode="replace"
        )
    assert list(PlanLine.objects.filter(plan=plan).values_list("pk", flat=True)) == before


def test_unknown_columns_and_a_missing_table_are_file_errors(world):
    plan = make_plan(world, lines=0)
    preview = excel.parse_plan_file(
        plan=plan,
        content=_sheet([["x", "y"]], ["Actividades / proyectos", "Color favorito"]),
        filename="p.xlsx",
    )
    assert preview.file_errors and "Color favorito" in preview.file_errors[0]
    preview = excel.parse_plan_file(plan=plan, content=b"sin tabla\n", filename="p.csv")
    assert preview.file_errors
    preview = excel.parse_plan_file(plan=plan, content=b"", filename="p.csv")
    assert preview.file_errors


def test_append_keeps_lines_and_references_resolve_by_name_or_code(world):
    plan = make_plan(world, lines=1)
    MechanismFactory(organization=world.org, name="Mesa de trabajo", code="mesa")
    TopicFactory(organization=world.org, name="Vacunación")
    ServiceFactory(organization=world.org, unit=world.unit, name="Asesoría PAI", code="PAI-1")
    hospital = StakeholderFactory(organization=world.org, reps_code="4129800123", nit="")
    csv = (
        "Actividad (capacitación, taller, visita, trabajo de campo);Mecanismo;Tema;Servicio;"
        "Identificación de los actores del SGSSS (NIT, REPS);Meses programados;Recursos (COP)\n"
        "Capacitación PAI;mesa;vacunacion;pai-1;REPS:4129800123;ene-mar;1.200.000\n"
    ).encode()
    services.plan_lines_import(
        actor=world.unit_head, plan=plan, content=csv, filename="plan.csv", mode="append"
    )
    lines = list(plan.lines.order_by("position"))
    assert len(lines) == 2 and lines[1].position == 2
    new = lines[1]
    assert new.mechanism.name == "Mesa de trabajo" and new.topic.name == "Vacunación"
    assert (
        new.service.code == "PAI-1" and new.months == [1, 2, 3] and new.budget == Decimal("1200000")
    )
    assert [link.stakeholder_id for link in new.stakeholder_links.all()] == [hospital.pk]


def test_import_is_refused_when_the_plan_is_no_longer_editable(world):
    plan = make_plan(world, status=PlanStatus.SUBMITTED)
    with pytest.raises(TransitionError):
        services.plan_lines_import(
            actor=world.planner,
            plan=plan,
            content=_sheet([["Taller"]], ["Actividades / proyectos"]),
            filename="p.xlsx",
            mode="append",
        )


def test_the_import_pages_preview_and_confirm(world, client_for):
    plan = make_plan(world, lines=2)
    client = client_for(world.unit_head)
    content = _sheet([["Taller nuevo", "4"]], ["Actividades / proyectos", "Meses de ejecución"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("planning:plan_import", args=[plan.pk]),
        {"file": SimpleUploadedFile("plan.xlsx", content)},
    )
    assert response.status_code == 302
    preview = client.get(reverse("planning:plan_import_preview", args=[plan.pk]))
    assert preview.status_code == 200 and "Taller nuevo" in preview.content.decode()
    response = client.post(
        reverse("planning:plan_import_confirm", args=[plan.pk]), {"mode": "replace"}
    )
    assert response.status_code == 302
    assert list(plan.lines.values_list("activity", "months")) == [("Taller nuevo", [4])]


def test_the_export_view_downloads_the_workbook(world, client_for):
    plan = make_plan(world)
    response = client_for(world.auditor).get(reverse("planning:plan_export", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(response.content)).active.max_row >= 10


def test_a_large_file_of_lines_is_imported_by_a_job(
    world, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from acompana.core.choices import JobStatus
    from acompana.core.models import Job

    monkeypatch.setattr("acompana.core.tabular.SYNC_MAX_ROWS", 1)
    plan = make_plan(world, lines=1)
    client = client_for(world.unit_head)
    content = _sheet(
        [["Taller uno", "4"], ["Taller dos", "5"]],
        ["Actividades / proyectos", "Meses de ejecución"],
    )
    client.post(
        reverse("planning:plan_import", args=[plan.pk]),
        {"file": SimpleUploadedFile("plan.xlsx", content)},
    )
    client.get(reverse("planning:plan_import_preview", args=[plan.pk]))
    # the mode is required before anything starts
    response = client.post(reverse("planning:plan_import_confirm", args=[plan.pk]))
    assert response["Location"] == reverse("planning:plan_import_preview", args=[plan.pk])
    assert not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("planning:plan_import_confirm", args=[plan.pk]), {"mode": "replace"}
        )
    job = Job.objects.get(kind="planning.plan_lines_import")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result == {"created": 2, "removed": 1}
    assert list(plan.lines.values_list("activity", flat=True)) == ["Taller uno", "Taller dos"]
