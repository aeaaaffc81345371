import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from acompana.core.choices import JobStatus
from acompana.core.models import Event, Job
from acompana.core.validators import nit_with_check_digit
from acompana.registry import imports, services
from acompana.registry.models import Stakeholder
from acompana.registry.tests.factories import StakeholderFactory
from acompana.registry.views import IMPORT_SESSION_KEY

pytestmark = pytest.mark.django_db

HEADER = "Tipo,Nombre,NIT,Código DANE entidad territorial,Código DANE establecimiento,Establecimiento de la sede,Código REPS,Municipio"


def _csv(*rows, header=HEADER, encoding="utf-8", sep=","):
    text = "\n".join([header.replace(",", sep), *[r.replace(",", sep) for r in rows]]) + "\n"
    return text.encode(encoding)


def _good_rows():
    nit = nit_with_check_digit("891180008")
    return [
        f"alcaldia,Alcaldía de Garzón,{nit},41298,,,,",
        "establecimiento,I. E. Técnica de Garzón,,,141298000123,,,",
        "sede,Sede rural El Recreo,,,241298000124,141298000123,,",
        "ese,E.S.E. Hospital Municipal de Garzón,,,,,4129800123,41298",
    ]


def _preview(world, content, filename="grupos.csv"):
    return imports.parse_stakeholder_file(
        organization=world.org, content=content, filename=filename
    )


def test_template_headers_are_spanish_whatever_the_language():
    from django.utils import translation

    with translation.override("en"):
        header, _rows = imports.template_rows()
    assert header[:3] == ["Tipo", "Nombre", "NIT"]


def test_good_csv_imports_everything_in_one_transaction(world):
    content = _csv(*_good_rows())
    preview = _preview(world, content)
    assert preview.ok, (preview.file_errors, preview.row_errors)
    result = services.stakeholders_import(
        actor=world.planner, organization=world.org, content=content, filename="grupos.csv"
    )
    assert result.created == 4
    site = Stakeholder.objects.get(name="Sede rural El Recreo")
    assert site.parent.name == "I. E. Técnica de Garzón"
    assert site.municipality.code == "41298"
    ese = Stakeholder.objects.get(reps_code="4129800123")
    assert ese.health_subtype == "ese"
    assert ese.search_name.startswith("e.s.e.")
    event = Event.objects.get(step_key="stakeholder.imported")
    assert event.after == {"count": 4, "file": "grupos.csv"}


def test_windows_1252_with_semicolons_and_bom_utf8(world):
    latin = _csv(*_good_rows(), encoding="cp1252", sep=";")
    preview = _preview(world, latin)
    assert preview.ok, preview.file_errors
    assert preview.rows[0].values["name"] == "Alcaldía de Garzón"
    bom = "\ufeff".encode() + _csv(*_good_rows())
    assert _preview(world, bom).ok


def test_utf16_with_bom(world):
    text = _csv(*_good_rows()).decode()
    assert _preview(world, text.encode("utf-16")).ok


def test_undecodable_file_is_reported(world):
    binary = b"\x00\x01\x02\x81\x8d\x8f\x90\x9d" * 50
    preview = _preview(world, binary)
    assert not preview.ok
    assert "UTF-8" in preview.file_errors[0]


def test_empty_file_and_header_only(world):
    assert (
        "empty" in _preview(world, b"").file_errors[0].lower() or _preview(world, b"").file_errors
    )
    preview = _preview(world, (HEADER + "\n").encode())
    assert not preview.ok
    assert preview.file_errors
    preview = _preview(world, b"\n\n  \n")
    assert preview.file_errors


def test_wrong_and_missing_columns(world):
    preview = _preview(world, _csv("x,y", header="Nombre,Color"))
    assert not preview.ok
    text = " ".join(preview.file_errors)
    assert "Color" in text  # unknown column
    assert len(preview.file_errors) >= 2  # and the missing required one, and the expected list


def test_duplicated_column(world):
    preview = _preview(world, _csv("alcaldia,A,B", header="Tipo,Nombre,Nombre"))
    assert preview.file_errors


def test_unsupported_extensions(world):
    assert _preview(world, b"abc", filename="datos.xls").file_errors
    assert _preview(world, b"abc", filename="datos.pdf").file_errors
    assert _preview(world, b"not a zip", filename="datos.xlsx").file_errors


def test_bad_codes_are_reported_per_row(world):
    rows = [
        "alcaldia,Alcaldía mala,800197268-0,99999,,,,",  # bad check digit, unknown DANE
        "establecimiento,Colegio,,,12345,,,",  # school code too short
        "ese,Hospital,,,,,12,41298",  # REPS too short
        "otro,Fundación,,,,,,99998",  # unknown municipality
        "planeta,Marte,,,,,,",  # unknown kind
        "otro,,,,,,,",  # name missing
    ]
    preview = _preview(world, _csv(*rows))
    assert not preview.ok
    assert [r.number for r in preview.bad_rows] == [2, 3, 4, 5, 6, 7]
    first = " ".join(preview.bad_rows[0].errors)
    assert "NIT" in first and "99999" in first
    assert "99998" in " ".join(preview.bad_rows[3].errors)


def test_duplicates_inside_the_file_and_against_the_registry(world):
    existing = StakeholderFactory(organization=world.org, name="Entidad existente")
    rows = [
        f"otro,Fundación A,{existing.nit},,,,,",
        "alcaldia,Alcaldía de Garzón,,41298,,,,",
        "alcaldia,Alcaldía de Garzón (repetida),,41298,,,,",
    ]
    preview = _preview(world, _csv(*rows))
    assert not preview.ok
    assert "Entidad existente" in " ".join(preview.rows[0].errors)
    assert preview.rows[1].ok
    assert "3" in " ".join(preview.rows[2].errors)  # says which row it repeats


def test_one_bad_row_imports_nothing(world):
    rows = [*_good_rows(), "otro,Fila mala,,,,,,00000"]
    with pytest.raises(services.ImportRejected) as info:
        services.stakeholders_import(
            actor=world.planner, organization=world.org, content=_csv(*rows), filename="x.csv"
        )
    assert info.value.row_errors[0][0] == 6
    assert "row_6" in info.value.as_fields()
    assert not Stakeholder.objects.filter(organization=world.org).exists()
    assert not Event.objects.filter(step_key="stakeholder.imported").exists()


def test_too_many_rows(world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    preview = _preview(world, _csv(*_good_rows()))
    assert not preview.ok
    assert "3" in preview.file_errors[0]


def test_extra_cells_in_a_row(world):
    preview = _preview(world, _csv("otro,Fundación,,,,,,,sobra"))
    assert not preview.ok


def _xlsx(rows, header=None, numeric_codes=False):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or HEADER.split(","))
    for row in rows:
        cells = row.split(",")
        if numeric_codes:
            cells = [int(c) if c.isdigit() and len(c) <= 12 else c for c in cells]
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_codes_typed_as_numbers(world):
    rows = ["alcaldia,Alcaldía de Medellín,,05001,,,,", "otro,Fundación,,,,,,05002"]
    preview = _preview(world, _xlsx(rows, numeric_codes=True), "grupos.xlsx")
    assert preview.ok, preview.row_errors
    assert preview.rows[0].values["dane_code"] == "05001"
    assert preview.rows[1].values["municipality"].code == "05002"


def test_template_downloads_and_reimports(world, client_for):
    client = client_for(world.planner)
    response = client.get(reverse("registry:import_template") + "?format=xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content))
    assert len(workbook.worksheets) == 2
    preview = _preview(world, content, "plantilla.xlsx")
    assert preview.ok, (preview.file_errors, preview.row_errors)
    response = client.get(reverse("registry:import_template") + "?format=csv")
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    assert _preview(world, content, "plantilla.csv").ok


def test_upload_preview_confirm_flow(world, client_for):
    client = client_for(world.planner)
    upload = SimpleUploadedFile("grupos.csv", _csv(*_good_rows()), content_type="text/csv")
    response = client.post(reverse("registry:import_upload"), {"file": upload})
    assert response.status_code == 302
    entry = client.session[IMPORT_SESSION_KEY]
    assert default_storage.exists(entry["path"])  # the file waits in storage, not the session
    assert "content" not in entry
    response = client.get(reverse("registry:import_preview"))
    assert response.status_code == 200
    assert b"I. E. T\xc3\xa9cnica de Garz\xc3\xb3n" in response.content
    assert reverse("registry:import_confirm").encode() in response.content
    response = client.post(reverse("registry:import_confirm"))
    assert response.status_code == 302
    assert Stakeholder.objects.filter(organization=world.org).count() == 4
    assert not default_storage.exists(entry["path"])
    assert IMPORT_SESSION_KEY not in client.session


def test_preview_of_a_bad_file_offers_no_confirmation(world, client_for):
    client = client_for(world.planner)
    upload = SimpleUploadedFile("grupos.csv", _csv("otro,Fundación,,,,,,99999"))
    client.post(reverse("registry:import_upload"), {"file": upload})
    response = client.get(reverse("registry:import_preview"))
    assert response.status_code == 200
    assert reverse("registry:import_confirm").encode() not in response.content
    assert b"99999" in response.content
    response = client.post(reverse("registry:import_confirm"))
    assert response.status_code == 302
    assert not Stakeholder.objects.exists()


def test_large_file_runs_as_a_job(
    world, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("acompana.core.tabular.SYNC_MAX_ROWS", 2)
    client = client_for(world.planner)
    upload = SimpleUploadedFile("grupos.csv", _csv(*_good_rows()))
    client.post(reverse("registry:import_upload"), {"file": upload})
    entry = client.session[IMPORT_SESSION_KEY]
    client.get(reverse("registry:import_preview"))
    with django_capture_on_commit_callbacks(execute=True):  # the job starts on commit
        response = client.post(reverse("registry:import_confirm"))
    job = Job.objects.get(organization=world.org)
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == 100
    assert job.result == {"created": 4}
    assert Stakeholder.objects.filter(organization=world.org).count() == 4
    assert not default_storage.exists(entry["path"])  # the job deleted the file it owned
    page = client.get(reverse("core:job_detail", args=[job.pk]))
    assert page.status_code == 200
    assert reverse("registry:stakeholder_list") in page.content.decode()  # leads onwards
    partial = client.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content


def test_failed_job_reports_rows(world, client_for):
    path = default_storage.save(
        "registro/importaciones/x.csv", io.BytesIO(_csv("otro,F,,,,,,99999"))
    )
    job = services.stakeholders_import_start(
        actor=world.planner, organization=world.org, path=path, filename="x.csv"
    )
    from acompana.registry.tasks import stakeholders_import_task

    stakeholders_import_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "row_2" in job.result["errors"]
    assert not default_storage.exists(path)
    page = client_for(world.planner).get(reverse("core:job_detail", args=[job.pk]))
    assert b"99999" in page.content
    assert reverse("registry:import_upload") in page.content.decode()  # start again


def test_other_organizations_job_is_404(world, client_for):
    job = Job.objects.create(
        organization=world.other,
        user=world.outsider,
        kind="registry.stakeholders_import",
        title="x",
    )
    assert (
        client_for(world.planner).get(reverse("core:job_detail", args=[job.pk])).status_code == 404
    )


# --- files as entities send them (issue 11 §5) ------------------------------------------------


def test_header_variants_and_nit_with_its_check_digit_in_two_columns(world):
    nit = nit_with_check_digit("891180008")
    number, digit = nit.split("-")
    content = _csv(
        f"Alcaldía,Alcaldía de Garzón,{number},{digit},41298",
        header="TIPO ,Razón social,nit,DV,codigo_dane",
        sep=";",
    )
    preview = _preview(world, content)
    assert preview.ok, (preview.file_errors, preview.row_errors)
    assert preview.rows[0].values["nit"] == nit
    assert preview.rows[0].values["dane_code"] == "41298"


def test_a_row_naming_a_registered_stakeholder_updates_it(world, client_for):
    existing = StakeholderFactory(organization=world.org, name="Entidad vieja", phone="1")
    content = _csv(
        f"entidad_territorial,Entidad renombrada,{existing.nit},,,,,",
        "otro,Fundación nueva,,,,,,41298",
    )
    preview = _preview(world, content)
    assert preview.ok, (preview.file_errors, preview.row_errors)
    assert [row.action for row in preview.rows] == ["update", "create"]
    client = client_for(world.planner)
    client.post(
        reverse("registry:import_upload"), {"file": SimpleUploadedFile("grupos.csv", content)}
    )
    page = client.get(reverse("registry:import_preview"))
    assert page.context["has_actions"]
    assert [row.action for row, _cells in page.context["table"]] == ["update", "create"]
    client.post(reverse("registry:import_confirm"))
    existing.refresh_from_db()
    assert existing.name == "Entidad renombrada"
    assert existing.phone == "1"  # an empty cell keeps the stored value
    assert existing.version == 2
    assert Stakeholder.objects.filter(organization=world.org).count() == 2
    event = Event.objects.get(step_key="stakeholder.imported")
    assert event.after == {"count": 1, "file": "grupos.csv", "updated": 1}


def test_an_update_is_all_or_nothing_and_ambiguous_identifiers_are_refused(world):
    one = StakeholderFactory(organization=world.org, name="Una")
    two = StakeholderFactory(
        organization=world.org, kind="municipality", name="Dos", nit="", dane_code="41298"
    )
    rows = [
        f"entidad_territorial,Una cambiada,{one.nit},,,,,",
        f"alcaldia,Mezcla,{one.nit},41298,,,,",  # NIT of one, DANE code of the other
    ]
    with pytest.raises(services.ImportRejected) as info:
        services.stakeholders_import(
            actor=world.planner, organization=world.org, content=_csv(*rows), filename="x.csv"
        )
    assert info.value.row_errors[0][0] == 3
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.name, two.name) == ("Una", "Dos")


def test_another_organizations_stakeholder_is_not_updated(world):
    foreign = StakeholderFactory(organization=world.other, name="Ajena")
    preview = _preview(world, _csv(f"entidad_territorial,Propia,{foreign.nit},,,,,41298"))
    assert preview.ok and preview.rows[0].action == "create"


def test_an_unknown_column_is_mapped_once_and_remembered(world, client_for):
    from acompana.core.models import ImportColumnMapping

    header = "Tipo,Nombre,Observaciones del enlace"
    content = _csv("otro,Fundación A,llamar en marzo", header=header)
    client = client_for(world.planner)
    client.post(
        reverse("registry:import_upload"), {"file": SimpleUploadedFile("grupos.csv", content)}
    )
    page = client.get(reverse("registry:import_preview"))
    assert page.context["unknown_columns"] == ["Observaciones del enlace"]
    assert reverse("registry:import_confirm").encode() not in page.content
    response = client.post(
        reverse("registry:import_preview"), {"map:Observaciones del enlace": "notes"}
    )
    assert response.status_code == 302
    page = client.get(reverse("registry:import_preview"))
    assert page.context["preview"].ok
    client.post(reverse("registry:import_confirm"))
    assert Stakeholder.objects.get(name="Fundación A").notes == "llamar en marzo"
    # the next file of the organization is read the same way; another organization's is not
    assert _preview(world, _csv("otro,Fundación B,x", header=header)).ok
    assert ImportColumnMapping.objects.filter(organization=world.org).count() == 1
    foreign = imports.parse_stakeholder_file(
        organization=world.other, content=content, filename="grupos.csv"
    )
    assert not foreign.ok


def test_mapping_needs_the_import_permission(world, client_for):
    from django.core.exceptions import PermissionDenied

    from acompana.core.imports import import_columns_map

    with pytest.raises(PermissionDenied):
        import_columns_map(
            actor=world.auditor,
            organization=world.org,
            kind=imports.MAPPING_KIND,
            permission="registry.import",
            choices={"Observaciones": "notes"},
            allowed={"notes"},
        )


def test_a_large_file_is_not_parsed_by_the_web_request(world, client_for, monkeypatch):
    monkeypatch.setattr("acompana.core.tabular.SYNC_MAX_ROWS", 2)

    def refuse(**kwargs):
        raise AssertionError("a large file is parsed in the job, not in the web request")

    monkeypatch.setattr("acompana.registry.views.parse_stakeholder_file", refuse)
    client = client_for(world.planner)
    client.post(
        reverse("registry:import_upload"),
        {"file": SimpleUploadedFile("grupos.csv", _csv(*_good_rows()))},
    )
    page = client.get(reverse("registry:import_preview"))
    assert page.status_code == 200
    assert page.context["large"] == 4 and page.context["background"]
    assert reverse("registry:import_confirm").encode() in page.content


def test_the_upload_page_states_the_limits(world, client_for):
    page = client_for(world.planner).get(reverse("registry:import_upload")).content.decode()
    assert "20.000" in page and "1.000" in page and "15 MB" in page
