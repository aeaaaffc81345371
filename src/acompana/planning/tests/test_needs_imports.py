"""Import of needs from CSV/Excel (SAL-1, EDU-1: the needs identified by each group, in bulk).

A file with any bad row imports nothing and says which rows and why; a good file imports
every row in one transaction, each need with its ``need.registered`` event.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from acompana.catalog.tests.factories import TopicFactory
from acompana.core.models import Event
from acompana.core.procedures.trail import procedure_trail
from acompana.core.tabular import ImportRejected
from acompana.planning.models import Need, NeedStakeholder
from acompana.planning.needs import services
from acompana.planning.needs.imports import parse_need_file
from acompana.planning.needs.views import IMPORT_SESSION_KEY
from acompana.planning.tests.factories import fiscal_year
from acompana.registry.choices import StakeholderKind
from acompana.registry.tests.factories import StakeholderFactory, municipality

pytestmark = pytest.mark.django_db

HEADER = (
    "Título|Descripción|Tipo de origen|Fuente|Prioridad|Temática|Dependencia|"
    "Identificadores de los grupos de valor|Vigencia"
)


@pytest.fixture
def registry(world):
    """Stakeholders named by each kind of identifier, a topic with a code, a unit with one."""
    world.unit.code = "DSP"
    world.unit.save()
    return {
        "topic": TopicFactory(organization=world.org, name="Salud pública", code="SP"),
        "garzon": StakeholderFactory(
            organization=world.org,
            kind=StakeholderKind.MUNICIPALITY,
            name="Alcaldía de Garzón",
            nit="891180008-2",
            dane_code="41298",
        ),
        "medellin": StakeholderFactory(
            organization=world.org,
            kind=StakeholderKind.MUNICIPALITY,
            name="Alcaldía de Medellín",
            nit="",
            dane_code="05001",
            municipality=municipality("05001"),
        ),
        "ese": StakeholderFactory(
            organization=world.org,
            kind=StakeholderKind.HEALTH_ACTOR,
            name="E.S.E. Hospital San Vicente",
            nit="",
            reps_code="4129800123",
        ),
        "school": StakeholderFactory(
            organization=world.org,
            kind=StakeholderKind.SCHOOL,
            name="I. E. La Paz",
            nit="",
            school_code="141298000123",
        ),
    }


def _csv(*rows, header=HEADER, encoding="utf-8", delimiter=","):
    """A comma-separated file from rows written with «|» between cells (the identifiers
    cell keeps its «;» separators, quoted by the CSV writer when needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for line in [header, *rows]:
        writer.writerow(line.split("|"))
    return buffer.getvalue().encode(encoding)


def _good_rows(world):
    year = fiscal_year(world.org).year
    return [
        f"Metas del PTS|Ajustar metas|demanda|correo|alta|SP|DSP|891180008-2; 5001|{year}",
        f"Cadena de frío|Visita a la ESE|oferta|visita de inspección||salud publica|{world.unit.name}|4129800123|",
        "Plan de mejoramiento|PAM del colegio|oferta|PAM|baja|||141298000123|",
    ]


def _preview(world, content, filename="necesidades.csv", allowed=None):
    return parse_need_file(
        organization=world.org, content=content, filename=filename, allowed_unit_ids=allowed
    )


def test_a_good_file_imports_every_row_in_one_step(world, registry):
    """SAL-1/EDU-1: the needs of a file land open, with stakeholders, each with its event."""
    content = _csv(*_good_rows(world))
    preview = _preview(world, content)
    assert preview.ok, (preview.file_errors, preview.row_errors)
    result = services.needs_import(
        actor=world.planner, organization=world.org, content=content, filename="necesidades.csv"
    )
    assert result.created == 3
    pts = Need.objects.get(title="Metas del PTS")
    assert (pts.origin, pts.source, pts.priority, pts.status) == ("demand", "email", "high", "open")
    assert pts.topic == registry["topic"] and pts.unit == world.unit
    assert set(pts.stakeholder_links.values_list("stakeholder__name", flat=True)) == {
        "Alcaldía de Garzón",
        "Alcaldía de Medellín",  # «5001»: Excel dropped the leading zero of 05001
    }
    cold = Need.objects.get(title="Cadena de frío")
    assert (cold.source, cold.priority, cold.topic) == (
        "inspection_visit",
        "medium",
        registry["topic"],
    )
    assert cold.fiscal_year == fiscal_year(world.org)
    assert Need.objects.get(title="Plan de mejoramiento").source == "pam"
    assert Event.objects.filter(step_key="need.registered").count() == 3
    assert Event.objects.filter(step_key="need.imported").count() == 1
    trail = procedure_trail(user=world.planner, obj=pts)
    assert next(s for s in trail if s.id == "SAL-1").done


def test_one_bad_row_imports_nothing_and_says_why(world, registry):
    rows = _good_rows(world) + [
        "Mala|Sin origen|quizás|correo|urgente|Inexistente|Otra dependencia|999999999|1990",
    ]
    content = _csv(*rows)
    preview = _preview(world, content)
    assert not preview.ok
    ((number, errors),) = preview.row_errors
    assert number == 5
    text = " ".join(errors)
    for column in ("Tipo de origen", "Prioridad", "Temática", "Dependencia", "Vigencia"):
        assert column in text
    assert "999999999" in text  # the unknown stakeholder identifier is named
    with pytest.raises(ImportRejected) as exc:
        services.needs_import(
            actor=world.planner, organization=world.org, content=content, filename="x.csv"
        )
    assert "row_5" in exc.value.as_fields()
    assert not Need.objects.exists() and not NeedStakeholder.objects.exists()
    assert not Event.objects.filter(step_key__startswith="need.").exists()


def test_unknown_stakeholder_identifier(world, registry):
    preview = _preview(world, _csv("Título|Texto|oferta|correo||||41298; 88888888|"))
    assert not preview.ok
    assert "88888888" in " ".join(preview.rows[0].errors)


def test_stakeholder_of_another_organization_is_unknown(world, registry):
    StakeholderFactory(organization=world.other, reps_code="0500100001", nit="")
    preview = _preview(world, _csv("Título|Texto|oferta|correo||||0500100001|"))
    assert "0500100001" in " ".join(preview.rows[0].errors)


def test_unknown_topic_and_unit(world, registry):
    preview = _preview(world, _csv("Título|Texto|oferta|correo||Nutrición|Dirección X||"))
    text = " ".join(preview.rows[0].errors)
    assert "Nutrición" in text and "Dirección X" in text


def test_inactive_topic_is_refused(world, registry):
    TopicFactory(organization=world.org, name="Antigua", is_active=False)
    preview = _preview(world, _csv("Título|Texto|oferta|correo||Antigua|||"))
    assert "Antigua" in " ".join(preview.rows[0].errors)


def test_wrong_columns(world):
    preview = _preview(world, b"Nombre,Color\nx,y\n")
    assert not preview.ok and not preview.rows
    text = " ".join(preview.file_errors)
    assert "Nombre" in text and "Título" in text  # unknown column, missing required column


def test_empty_files(world):
    assert _preview(world, b"").file_errors
    assert _preview(world, b"\n\n").file_errors
    header_only = _preview(world, _csv())
    assert header_only.file_errors and not header_only.rows


def test_bad_encoding_and_bad_excel(world):
    binary = bytes(range(256)) * 4
    assert _preview(world, binary, filename="x.csv").file_errors
    assert _preview(world, b"not a zip", filename="x.xlsx").file_errors
    assert _preview(world, b"x", filename="x.pdf").file_errors


def test_semicolon_csv_from_spanish_excel_is_read(world, registry):
    """Excel in Spanish saves CSV with «;» and quotes the cell of several identifiers."""
    content = _csv(*_good_rows(world), delimiter=";")
    assert b'"891180008-2; 5001"' in content
    preview = _preview(world, content)
    assert preview.ok, preview.row_errors
    assert len(preview.rows[0].values["stakeholder_ids"]) == 2


def test_windows_1252_csv_is_read(world, registry):
    content = _csv(
        "Vacunación|Niños sin esquema|oferta|resultado de indicador|||||", encoding="cp1252"
    )
    preview = _preview(world, content)
    assert preview.ok, preview.row_errors
    assert preview.rows[0].values["title"] == "Vacunación"


def test_xlsx_with_numeric_codes(world, registry):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split("|"))
    sheet.append(["Metas", "Texto", "oferta", "correo", "alta", "SP", "DSP", 5001, 2026])
    buffer = io.BytesIO()
    workbook.save(buffer)
    fiscal_year(world.org, 2026)
    preview = _preview(world, buffer.getvalue(), filename="necesidades.xlsx")
    assert preview.ok, preview.row_errors
    assert preview.rows[0].values["stakeholder_ids"] == [registry["medellin"].pk]


def test_ambiguous_identifier_is_an_error(world, registry):
    StakeholderFactory(
        organization=world.org, name="Otra con el mismo código", nit="", reps_code="141298000123"
    )
    preview = _preview(world, _csv("Título|Texto|oferta|correo||||141298000123|"))
    text = " ".join(preview.rows[0].errors)
    assert "I. E. La Paz" in text and "Otra con el mismo código" in text


def test_a_unit_head_imports_only_needs_of_its_unit(world, registry):
    year = fiscal_year(world.org).year
    content = _csv(
        f"Propia|Texto|oferta|correo|||DSP||{year}",
        f"Ajena|Texto|oferta|correo|||{world.sibling_unit.name}||{year}",
        "Sin dependencia|Texto|oferta|correo|||||",
    )
    with pytest.raises(ImportRejected) as exc:
        services.needs_import(
            actor=world.unit_head, organization=world.org, content=content, filename="x.csv"
        )
    assert set(exc.value.as_fields()) == {"row_3", "row_4"}


def test_template_has_the_spanish_columns(world, client_for):
    client = client_for(world.planner)
    response = client.get(reverse("planning:need_import_template"), {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = [c.value for c in workbook.worksheets[0][1]]
    assert header[:4] == ["Título", "Descripción", "Tipo de origen", "Fuente"]
    assert "Identificadores de los grupos de valor" in header
    assert len(workbook.worksheets) == 2  # instructions
    csv_response = client.get(reverse("planning:need_import_template"), {"format": "csv"})
    assert b"".join(csv_response.streaming_content).decode("utf-8-sig").startswith("Título;")


def test_upload_preview_confirm_through_the_pages(world, client_for, registry):
    client = client_for(world.planner)
    upload = SimpleUploadedFile("necesidades.csv", _csv(*_good_rows(world)), "text/csv")
    response = client.post(reverse("planning:need_import"), {"file": upload})
    assert response.status_code == 302
    preview = client.get(reverse("planning:need_import_preview"))
    assert preview.context["preview"].ok
    assert "Alcaldía de Medellín" in preview.content.decode()  # stakeholders found
    assert not Need.objects.exists()
    confirm = client.post(reverse("planning:need_import_confirm"))
    assert confirm.status_code == 302
    assert Need.objects.count() == 3
    assert IMPORT_SESSION_KEY not in client.session


def test_confirm_with_a_bad_file_imports_nothing(world, client_for, registry):
    client = client_for(world.planner)
    upload = SimpleUploadedFile("malo.csv", _csv("Sin||oferta|correo|||||"), "text/csv")
    client.post(reverse("planning:need_import"), {"file": upload})
    preview = client.get(reverse("planning:need_import_preview"))
    assert not preview.context["preview"].ok
    assert preview.context["bad_count"] == 1
    response = client.post(reverse("planning:need_import_confirm"))
    assert response.status_code == 302
    assert not Need.objects.exists()


def test_the_pending_file_belongs_to_the_session(world, client_for, registry):
    """Another user (or another organization) never sees someone else's pending upload."""
    client_for(world.planner).post(
        reverse("planning:need_import"),
        {"file": SimpleUploadedFile("a.csv", _csv(*_good_rows(world)), "text/csv")},
    )
    response = client_for(world.admin).post(reverse("planning:need_import_confirm"))
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:need_import")
    assert not Need.objects.exists()


def test_a_large_file_is_imported_by_a_job(
    world, client_for, registry, monkeypatch, django_capture_on_commit_callbacks
):
    from acompana.core.choices import JobStatus
    from acompana.core.models import Job

    monkeypatch.setattr("acompana.core.tabular.SYNC_MAX_ROWS", 2)
    client = client_for(world.planner)
    upload = SimpleUploadedFile("necesidades.csv", _csv(*_good_rows(world)), "text/csv")
    client.post(reverse("planning:need_import"), {"file": upload})
    preview = client.get(reverse("planning:need_import_preview"))
    assert preview.context["background"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("planning:need_import_confirm"))
    job = Job.objects.get(kind="planning.needs_import")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED and job.result == {"created": 3}
    assert Need.objects.count() == 3
    assert IMPORT_SESSION_KEY not in client.session
    page = client.get(response["Location"]).content.decode()
    assert reverse("planning:need_list") in page


# --- radicado and received date (issue 11 §5) --------------------------------------------------

RADICADO_HEADER = HEADER + "|Número de radicado|Fecha de recibido"


def test_needs_carry_their_radicado_and_received_date(world, registry):
    year = fiscal_year(world.org).year
    content = _csv(
        f"Metas del PTS|Ajustar metas|demanda|correo|alta|SP|DSP|41298|{year}|2026-ER-0001|02/02/2026",
        header=RADICADO_HEADER,
    )
    preview = _preview(world, content)
    assert preview.ok, (preview.file_errors, preview.row_errors)
    services.needs_import(
        actor=world.planner, organization=world.org, content=content, filename="n.csv"
    )
    need = Need.objects.get(title="Metas del PTS")
    assert need.radicado == "2026-ER-0001"
    assert str(need.received_on) == "2026-02-02"


def test_a_repeated_radicado_is_refused_with_its_row(world, registry):
    from django.utils import translation

    Need.objects.create(
        organization=world.org,
        title="Ya registrada",
        description="x",
        origin="demand",
        source="email",
        radicado="RAD-7",
    )
    rows = [
        "Una|d|demanda|correo||||41298||rad-7|",  # already registered (any case)
        "Dos|d|demanda|correo||||41298||RAD-8|",
        "Tres|d|demanda|correo||||41298||RAD-8|",  # repeated in the file
        "Cuatro|d|demanda|correo||||41298|||31/02/2026",  # not a date
    ]
    with translation.override("es"):
        preview = _preview(world, _csv(*rows, header=RADICADO_HEADER))
    assert not preview.ok
    assert [number for number, _errors in preview.row_errors] == [2, 4, 5]
    assert "Ya registrada" in " ".join(preview.row_errors[0][1])
    assert "3" in " ".join(preview.row_errors[1][1])  # names the row it repeats
    with pytest.raises(ImportRejected):
        services.needs_import(
            actor=world.planner,
            organization=world.org,
            content=_csv(*rows, header=RADICADO_HEADER),
            filename="n.csv",
        )
    assert Need.objects.count() == 1


def test_a_radicado_of_another_organization_is_not_a_repeat(world, registry):
    Need.objects.create(
        organization=world.other,
        title="Ajena",
        description="x",
        origin="demand",
        source="email",
        radicado="RAD-1",
    )
    preview = _preview(world, _csv("Una|d|demanda|correo||||41298||RAD-1|", header=RADICADO_HEADER))
    assert preview.ok, preview.row_errors


def test_the_form_service_refuses_a_repeated_radicado(world, registry):
    from django.core.exceptions import ValidationError

    data = {
        "title": "Una",
        "description": "d",
        "origin": "demand",
        "source": "email",
        "radicado": "RAD-9",
        "received_on": None,
    }
    need = services.need_create(actor=world.planner, organization=world.org, data=data)
    assert need.radicado == "RAD-9"
    with pytest.raises(ValidationError) as info:
        services.need_create(actor=world.planner, organization=world.org, data=data)
    assert "radicado" in info.value.message_dict
    # editing the need that holds it keeps it
    services.need_update(
        actor=world.planner, need=need, expected_version=need.version, data={"title": "Otra"}
    )


def test_the_need_form_accepts_radicado_and_date(world, registry, client_for):
    client = client_for(world.planner)
    response = client.post(
        reverse("planning:need_create"),
        {
            "title": "Por formulario",
            "description": "d",
            "origin": "demand",
            "source": "email",
            "priority": "medium",
            "radicado": "RAD-F1",
            "received_on": "2026-03-04",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    need = Need.objects.get(title="Por formulario")
    assert (need.radicado, str(need.received_on)) == ("RAD-F1", "2026-03-04")
    page = client.get(reverse("planning:need_detail", args=[need.pk])).content.decode()
    assert "RAD-F1" in page and "04/03/2026" in page
