"""Browser flows of the foundation: log in, switch organization, see the procedure page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from acompana.core.models import Membership

pytestmark = pytest.mark.browser


def test_log_in_and_see_home(page, login, browser_world):
    login(browser_world.admin)
    expect(page.get_by_role("heading", level=1)).to_contain_text(browser_world.org.name)
    expect(page.get_by_role("heading", name="Su trabajo pendiente")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Necesidades"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Planes"))).to_be_visible()
    # the installed stages only (the home page shows no placeholder for stages not built)
    expect(
        page.get_by_role("heading", name=re.compile("Registro de grupos de valor"))
    ).to_be_visible()


def test_wrong_password_shows_spanish_error(page, browser_world):
    page.goto(page.base_url + "/ingresar/")
    page.get_by_label("Correo electrónico").fill(browser_world.admin.email)
    page.get_by_label("Contraseña").fill("equivocada")
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("alert")).to_contain_text("no son correctos")


def test_switch_organization(page, login, browser_world):
    user = browser_world.professional
    Membership.objects.create(organization=browser_world.other, user=user, roles=["auditor"])
    login(user)
    page.get_by_role("button", name=re.compile(browser_world.org.short_name)).click()
    page.get_by_label("Cambiar de entidad").select_option(str(browser_world.other.pk))
    page.get_by_role("button", name="Cambiar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(browser_world.other.name)
    expect(page.get_by_role("status")).to_contain_text(browser_world.other.name)


def test_procedure_page(page, login, browser_world):
    login(browser_world.auditor)
    page.get_by_role("link", name="Procedimiento", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("SAL-2")).to_be_visible()
    expect(page.get_by_text("MI-GS-RG-869").first).to_be_visible()
