"""Browser flows of the registry: create a stakeholder; import a CSV with a bad row."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from acompana.registry.models import Stakeholder

pytestmark = pytest.mark.browser


def test_create_a_stakeholder_with_department_and_municipality(page, login, browser_world):
    login(browser_world.professional)
    page.get_by_role("link", name="Registro", exact=True).click()
    page.get_by_role("link", name="Nuevo grupo de valor").click()
    page.get_by_label(re.compile(r"^Tipo( \*)?$")).select_option(label="Municipio (alcaldía)")
    page.get_by_label(re.compile(r"^Nombre( \*)?$")).fill("Alcaldía de Garzón")
    page.get_by_label(re.compile(r"^Departamento( \*)?$")).select_option(value="41")
    # htmx loads the department's municipalities into the next select
    municipality = page.get_by_label(re.compile(r"^Municipio( \*)?$"))
    expect(municipality.locator("option", has_text=re.compile("Garzón", re.I))).to_have_count(1)
    municipality.select_option(value="41298")
    page.get_by_label("Código DANE de la entidad territorial").fill("41298")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alcaldía de Garzón")
    stakeholder = Stakeholder.objects.get(organization=browser_world.org, name="Alcaldía de Garzón")
    assert stakeholder.municipality.code == "41298"


def test_duplicate_identifier_is_refused_with_the_existing_record(page, login, browser_world):
    Stakeholder.objects.create(
        organization=browser_world.org,
        kind="municipality",
        name="Alcaldía de Pitalito",
        dane_code="41551",
    )
    login(browser_world.professional)
    page.goto(page.base_url + "/registro/grupos/nuevo/")
    page.get_by_label(re.compile(r"^Tipo( \*)?$")).select_option(label="Municipio (alcaldía)")
    page.get_by_label(re.compile(r"^Nombre( \*)?$")).fill("Pitalito otra vez")
    page.get_by_label("Código DANE de la entidad territorial").fill("41551")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text(re.compile("Alcaldía de Pitalito"))).to_be_visible()
    assert Stakeholder.objects.filter(organization=browser_world.org).count() == 1


def test_import_csv_with_a_bad_row_lists_the_errors_and_imports_nothing(
    page, login, browser_world, tmp_path
):
    csv_file = tmp_path / "grupos.csv"
    csv_file.write_text(
        "Tipo,Nombre,NIT,Código DANE entidad territorial,Municipio\n"
        "alcaldia,Alcaldía de Neiva,,41001,41001\n"
        "alcaldia,Alcaldía Inventada,,99999,99999\n",
        encoding="utf-8",
    )
    login(browser_world.planner)
    page.get_by_role("link", name="Registro", exact=True).click()
    page.get_by_role("link", name="Importar desde un archivo").click()
    page.get_by_label("Archivo (CSV o Excel .xlsx)").set_input_files(str(csv_file))
    page.get_by_role("button", name="Cargar y revisar").click()
    expect(page.get_by_role("heading", name="Filas con problemas")).to_be_visible()
    problems = page.get_by_role("table", name="Filas con problemas y sus motivos")
    expect(problems).to_contain_text("Alcaldía Inventada")
    expect(problems).to_contain_text("99999")
    expect(page.get_by_role("button", name=re.compile("^Importar"))).to_have_count(0)
    assert not Stakeholder.objects.filter(organization=browser_world.org).exists()


def test_import_a_clean_csv(page, login, browser_world, tmp_path):
    csv_file = tmp_path / "grupos.csv"
    csv_file.write_text(
        "Tipo,Nombre,Código DANE entidad territorial\n"
        "alcaldia,Alcaldía de Neiva,41001\n"
        "alcaldia,Alcaldía de Garzón,41298\n",
        encoding="utf-8",
    )
    login(browser_world.planner)
    page.goto(page.base_url + "/registro/")
    page.get_by_role("link", name="Importar desde un archivo").click()
    page.get_by_label("Archivo (CSV o Excel .xlsx)").set_input_files(str(csv_file))
    page.get_by_role("button", name="Cargar y revisar").click()
    page.get_by_role("button", name="Importar 2 grupos de valor").click()
    expect(page.get_by_role("status").first).to_contain_text("2")
    assert Stakeholder.objects.filter(organization=browser_world.org).count() == 2
