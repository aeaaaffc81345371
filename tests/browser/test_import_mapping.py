"""Browser flow of an import with a column the product does not know (issue 11 §5): the person
maps it to a field in the review, once; the next file of the organization with the same
column is read the same way, without asking again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from acompana.core.models import ImportColumnMapping
from acompana.registry.models import Stakeholder

pytestmark = pytest.mark.browser


def _upload(page, path):
    page.goto(page.base_url + "/registro/")
    page.get_by_role("link", name="Importar desde un archivo").click()
    page.get_by_label("Archivo (CSV o Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Cargar y revisar").click()


def test_map_an_unknown_column_once_and_it_is_remembered(page, login, browser_world, tmp_path):
    first = tmp_path / "grupos.csv"
    first.write_text(
        "TIPO;Razón social;codigo_dane;Observaciones del enlace\n"
        "alcaldia;Alcaldía de Neiva;41001;llamar en marzo\n",
        encoding="utf-8",
    )
    login(browser_world.planner)
    _upload(page, first)
    # the review names the unknown column and offers the fields of the import
    mapping = page.get_by_label(re.compile("Observaciones del enlace"))
    expect(mapping).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Importar"))).to_have_count(0)
    mapping.select_option("notes")
    page.locator("form:has(select[name^='map:']) button[type=submit]").click()
    page.get_by_role("button", name=re.compile("^Importar 1")).click()
    expect(page.get_by_role("status").first).to_contain_text("1")
    neiva = Stakeholder.objects.get(organization=browser_world.org, dane_code="41001")
    assert neiva.notes == "llamar en marzo"
    assert ImportColumnMapping.objects.filter(organization=browser_world.org).count() == 1

    second = tmp_path / "grupos2.csv"
    second.write_text(
        "TIPO;Razón social;codigo_dane;Observaciones del enlace\n"
        "alcaldia;Alcaldía de Garzón;41298;enviar oficio\n",
        encoding="utf-8",
    )
    _upload(page, second)
    # no question this time: the mapping is applied and the file can be imported
    expect(page.locator("select[name^='map:']")).to_have_count(0)
    page.get_by_role("button", name=re.compile("^Importar 1")).click()
    expect(page.get_by_role("status").first).to_contain_text("1")
    garzon = Stakeholder.objects.get(organization=browser_world.org, dane_code="41298")
    assert garzon.notes == "enviar oficio"
