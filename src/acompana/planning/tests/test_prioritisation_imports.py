"""Import of indicator values from CSV/XLSX (FP-1: FURAG, PORS, PND results per entity).

A file with any bad row imports nothing and says which rows and why; a good file upserts
every value in one transaction.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from acompana.core.choices import JobStatus
from acompana.core.models import Event, Job
from acompana.core.tabular import ImportRejected
from acompana.planning.models import IndicatorValue
from acompana.planning.prioritisation.imports import parse_decimal, parse_indicator_values_file
from acompana.planning.prioritisation.services import indicator_values_import
from acompana.planning.tests.cases_prioritisation import fp_world
from acompana.planning.tests.factories import IndicatorFactory
from acompana.registry.tests.factories import StakeholderFactory, municipality


@pytest.fixture
def world(db):
    """Función Pública's procedure: its FP-1 names the planner (see ``fp_world``)."""
    return fp_world()


@pytest.fixture
def english():
    """Messages in English (the msgids), whatever language an earlier request activated."""
    with translation.override("en"):
        yield


HEADER = "Código del indicador;Identificador del grupo de valor;Año;Valor\n"


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("67,4", "67.4"),
        ("67.4", "67.4"),
        ("-3", "-3"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1.234.567", "1234567"),
        ("12 %", "12"),
        (" 0,123456 ", "0.1235"),
        (",5", "0.5"),
    ],
)
def test_decimal_comma_or_dot(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1.2.3", "12a", "1e5", "--1", "NaN"])
def test_not_numbers(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_too_large():
    with pytest.raises(ValueError):
        parse_decimal("123456789012")


# --- the service -----------------------------------------------------------------------------


@pytest.fixture
def data(world):
    indicator = IndicatorFactory(organization=world.org, code="FURAG-IDI")
    a = StakeholderFactory(organization=world.org, name="Alcaldía de Garzón", dane_code="41298")
    b = StakeholderFactory(
        organization=world.org, name="Hospital San Vicente", reps_code="4129800123"
    )
    return world, indicator, a, b


def _import(world, text, filename="valores.csv"):
    return indicator_values_import(
        actor=world.planner,
        organization=world.org,
        content=text.encode("utf-8") if isinstance(text, str) else text,
        filename=filename,
    )


def _rejected(world, text, filename="valores.csv"):
    with pytest.raises(ImportRejected) as info:
        _import(world, text, filename)
    assert IndicatorValue.objects.count() == 0
    return info.value


@pytest.mark.django_db
def test_a_good_file_imports_every_value_then_updates(data):
    world, indicator, a, b = data
    result = _import(
        world,
        HEADER + f"furag-idi;{a.nit};2025;67,4\nFURAG-IDI;4129800123;2025;81.25\n",
    )
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    values = {v.stakeholder_id: v.value for v in IndicatorValue.objects.all()}
    assert values == {a.pk: Decimal("67.4000"), b.pk: Decimal("81.2500")}
    event = Event.objects.get(step_key="indicator_values.imported")
    assert event.after["created"] == 2 and event.after["indicators"] == ["FURAG-IDI"]
    # the same file again with one value changed: one update, one unchanged, nothing new
    result = _import(
        world, HEADER + f"FURAG-IDI;{a.nit};2025;70\nFURAG-IDI;4129800123;2025;81,25\n"
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert IndicatorValue.objects.get(stakeholder=a).value == Decimal("70")
    assert IndicatorValue.objects.count() == 2


@pytest.mark.django_db
def test_stakeholders_are_found_by_any_identifier_of_the_registry(data):
    world, indicator, a, b = data
    school = StakeholderFactory(
        organization=world.org, kind="school", nit="", school_code="141298000123", name="IE Central"
    )
    StakeholderFactory(  # its principal site shares the code: the code names the school
        organization=world.org,
        kind="school_site",
        nit="",
        school_code="141298000123",
        parent=school,
        name="Sede principal",
    )
    antioquia = StakeholderFactory(
        organization=world.org,
        kind="municipality",
        nit="",
        dane_code="05001",
        name="Alcaldía de Medellín",
        municipality=municipality("05001"),
    )
    nit_body = a.nit.split("-")[0]
    text = HEADER + (
        f"FURAG-IDI;{nit_body};2025;1\n"  # NIT without check digit
        "FURAG-IDI;41298;2024;2\n"  # DANE code of the territorial entity
        "FURAG-IDI;141298000123;2025;3\n"  # school DANE code
        "FURAG-IDI;5001;2025;4\n"  # Excel dropped the leading zero
        "FURAG-IDI;4129800123;2025;5\n"  # REPS
        f"FURAG-IDI;{b.nit.replace('-', '')};2023;6\n"  # NIT without its hyphen
    )
    assert _import(world, text).created == 6
    assert set(IndicatorValue.objects.values_list("stakeholder_id", flat=True)) == {
        a.pk,
        school.pk,
        antioquia.pk,
        b.pk,
    }


@pytest.mark.django_db
def test_an_xlsx_file(data):
    from openpyxl import Workbook

    world, indicator, a, b = data
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Código del indicador", "Identificador del grupo de valor", "Año", "Valor"])
    sheet.append(["FURAG-IDI", a.nit, 2025, 67.4])
    sheet.append(["FURAG-IDI", 4129800123, 2025.0, "81,5"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = _import(world, buffer.getvalue(), "valores.xlsx")
    assert result.created == 2
    assert IndicatorValue.objects.get(stakeholder=b).value == Decimal("81.5")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "valores.csv", "empty"),
        (HEADER.encode(), "valores.csv", "no rows"),
        (b"Indicador;Entidad;Valor\nX;Y;1\n", "valores.csv", "Unknown column"),
        (b"C\xf3digo del indicador;A\xf1o;Valor\nX;2025;1\n", "valores.csv", "missing"),
        (b"\x81\x8d\x8f\x90\x9d;\x00\x01\n", "valores.csv", "could not be read"),
        (b"PK\x03\x04 not really a workbook", "valores.xlsx", "not a valid Excel"),
        (b"old", "valores.xls", "Old Excel"),
        (b"a;b", "valores.pdf", "CSV or Excel"),
    ],
)
def test_malformed_files_import_nothing(data, english, content, filename, message):
    world = data[0]
    error = _rejected(world, content, filename)
    assert error.file_errors
    assert any(message in e for e in error.file_errors), error.file_errors


@pytest.mark.django_db
def test_a_windows_1252_csv_is_read(data):
    world, indicator, a, b = data
    content = HEADER.encode("cp1252") + f"FURAG-IDI;{a.nit};2025;1,5\n".encode("cp1252")
    assert _import(world, content).created == 1


@pytest.mark.django_db
def test_every_bad_row_is_named_and_nothing_is_imported(data, english):
    world, indicator, a, b = data
    IndicatorFactory(organization=world.org, code="OLD", is_active=False)
    inactive = StakeholderFactory(organization=world.org, is_active=False, dane_code="41001")
    StakeholderFactory(organization=world.other, dane_code="41020")
    text = HEADER + (
        f"FURAG-IDI;{a.nit};2025;67,4\n"  # 2: good
        f"NOPE;{a.nit};2025;1\n"  # 3: unknown indicator
        f"OLD;{a.nit};2025;1\n"  # 4: inactive indicator
        "FURAG-IDI;999999999;2025;1\n"  # 5: unknown stakeholder
        "FURAG-IDI;41001;2025;1\n"  # 6: inactive stakeholder
        "FURAG-IDI;41020;2025;1\n"  # 7: another organization's stakeholder
        f"FURAG-IDI;{b.reps_code};20x5;1\n"  # 8: bad year
        f"FURAG-IDI;{b.reps_code};1850;1\n"  # 9: year out of range
        f"FURAG-IDI;{b.reps_code};2025;alto\n"  # 10: not a number
        f"FURAG-IDI;{b.reps_code};2025;\n"  # 11: empty value
        f"FURAG-IDI;{a.nit};2025;70\n"  # 12: repeats row 2
        f"FURAG-IDI;{a.nit};2024;70;extra\n"  # 13: more cells than columns
    )
    error = _rejected(world, text)
    problems = dict(error.row_errors)
    assert set(problems) == set(range(3, 14))
    assert "no indicator with the code «NOPE»" in problems[3][0]
    assert "inactive" in problems[4][0]
    assert "999999999" in problems[5][0]
    assert inactive.name in problems[6][0]
    assert "41020" in problems[7][0]
    assert "year" in problems[8][0] and "year" in problems[9][0]
    assert "not a number" in problems[10][0]
    assert "empty" in problems[11][0]
    assert "row 2" in problems[12][0]
    assert "more cells" in problems[13][0]
    assert error.as_fields()["row_3"] == problems[3]


@pytest.mark.django_db
def test_an_ambiguous_identifier_is_an_error(data, english):
    world, indicator, a, b = data
    # a NIT body equal to another stakeholder's REPS code
    StakeholderFactory(organization=world.org, nit="", reps_code=a.nit.split("-")[0] + "0")
    clash = StakeholderFactory(organization=world.org, nit="", reps_code=a.nit.split("-")[0])
    error = _rejected(world, HEADER + f"FURAG-IDI;{a.nit.split('-')[0]};2025;1\n")
    assert "several stakeholders" in error.row_errors[0][1][0]
    assert clash.name in error.row_errors[0][1][0]


@pytest.mark.django_db
def test_the_preview_says_what_confirming_would_do(data):
    world, indicator, a, b = data
    IndicatorValue.objects.create(
        organization=world.org, indicator=indicator, stakeholder=a, year=2025, value=50
    )
    IndicatorValue.objects.create(
        organization=world.org, indicator=indicator, stakeholder=b, year=2025, value=10
    )
    preview = parse_indicator_values_file(
        organization=world.org,
        content=(
            HEADER + f"FURAG-IDI;{a.nit};2025;60\nFURAG-IDI;{b.reps_code};2025;10\n"
            f"FURAG-IDI;{a.nit};2024;1\n"
        ).encode(),
        filename="v.csv",
    )
    assert preview.ok
    assert [row.values["status"] for row in preview.rows] == ["update", "unchanged", "new"]
    assert (preview.new_count, preview.update_count, preview.unchanged_count) == (1, 1, 1)
    assert IndicatorValue.objects.get(stakeholder=a).value == 50  # the preview writes nothing


# --- the pages -------------------------------------------------------------------------------


def _upload(client, text, name="valores.csv"):
    upload = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("planning:indicator_values_import"), {"file": upload})


@pytest.mark.django_db
def test_upload_preview_and_confirm(data, client_for):
    world, indicator, a, b = data
    client = client_for(world.planner)
    response = _upload(client, HEADER + f"FURAG-IDI;{a.nit};2025;67,4\n")
    assert response.status_code == 302
    preview = client.get(reverse("planning:indicator_values_import_preview"))
    assert preview.status_code == 200
    assert "Alcaldía de Garzón" in preview.content.decode()
    assert IndicatorValue.objects.count() == 0
    response = client.post(reverse("planning:indicator_values_import_confirm"))
    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == Decimal("67.4")
    # the session no longer holds a file
    response = client.post(reverse("planning:indicator_values_import_confirm"))
    assert response["Location"] == reverse("planning:indicator_values_import")


@pytest.mark.django_db
def test_the_preview_lists_bad_rows_and_confirm_imports_nothing(data, client_for):
    world, indicator, a, b = data
    client = client_for(world.planner)
    _upload(client, HEADER + f"FURAG-IDI;{a.nit};2025;67,4\nFURAG-IDI;{a.nit};2025;bajo\n")
    page = client.get(reverse("planning:indicator_values_import_preview")).content.decode()
    assert "bajo" in page
    assert reverse("planning:indicator_values_import_confirm") not in page
    client.post(reverse("planning:indicator_values_import_confirm"))
    assert IndicatorValue.objects.count() == 0


@pytest.mark.django_db
def test_a_large_file_is_imported_by_a_job(
    data, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    world, indicator, a, b = data
    monkeypatch.setattr("acompana.core.tabular.SYNC_MAX_ROWS", 1)
    client = client_for(world.planner)
    _upload(client, HEADER + f"FURAG-IDI;{a.nit};2025;1\nFURAG-IDI;{b.reps_code};2025;2\n")
    client.get(reverse("planning:indicator_values_import_preview"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("planning:indicator_values_import_confirm"))
    job = Job.objects.get(kind="planning.indicator_values_import")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["created"] == 2
    assert IndicatorValue.objects.count() == 2
    page = client.get(response["Location"])
    assert page.status_code == 200
    # another user cannot follow someone else's job
    assert client_for(world.admin).get(response["Location"]).status_code == 404


@pytest.mark.django_db
def test_a_failed_job_shows_the_rows(
    data, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    world, indicator, a, b = data
    monkeypatch.setattr("acompana.core.tabular.SYNC_MAX_ROWS", 1)
    client = client_for(world.planner)
    _upload(client, HEADER + f"FURAG-IDI;{a.nit};2025;1\nFURAG-IDI;{b.reps_code};2025;2\n")
    client.get(reverse("planning:indicator_values_import_preview"))
    a.is_active = False
    a.save()  # the registry changed between the preview and the job
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("planning:indicator_values_import_confirm"))
    job = Job.objects.get(kind="planning.indicator_values_import")
    assert job.status == JobStatus.FAILED
    assert "row_2" in job.result["errors"]
    assert IndicatorValue.objects.count() == 0
    assert a.name in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_templates(data, client_for):
    world, indicator, a, b = data
    StakeholderFactory(organization=world.org, is_active=False, name="Inactiva")
    client = client_for(world.planner)
    response = client.get(reverse("planning:indicator_values_template") + "?format=csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert content.splitlines() == [
        "Código del indicador;Identificador del grupo de valor;Año;Valor"
    ]
    url = reverse("planning:indicator_values_template")
    response = client.get(f"{url}?format=csv&indicator={indicator.pk}&year=2025")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert f"FURAG-IDI;{a.nit};2025;;Alcaldía de Garzón" in lines
    assert not any("Inactiva" in line for line in lines)
    response = client.get(f"{url}?format=xlsx&indicator={indicator.pk}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    other = IndicatorFactory(organization=world.other)
    assert client.get(f"{url}?format=csv&indicator={other.pk}").status_code == 404


@pytest.mark.django_db
def test_the_values_export_can_be_imported_again(data, client_for):
    world, indicator, a, b = data
    _import(world, HEADER + f"FURAG-IDI;{a.nit};2025;67,4\nFURAG-IDI;{b.reps_code};2025;-1\n")
    client = client_for(world.planner)
    response = client.get(
        reverse("planning:indicator_values_export") + f"?indicator={indicator.pk}&format=csv"
    )
    exported = b"".join(response.streaming_content)
    assert "Alcaldía de Garzón" in exported.decode("utf-8-sig")
    result = _import(world, exported.replace(b"67,4", b"68"), "exportado.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
