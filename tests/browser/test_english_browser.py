"""A browser set to English still gets the product in es-CO (issue 11, section 7).

Public servants' computers are often in English; the product must not switch to half
English ("Skip to content", "Accept invitation", "$ 6,150,000") because of it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import build_main_pages

pytestmark = pytest.mark.browser

#: English words our own templates would show if a page fell back to English msgids
ENGLISH = re.compile(
    r"\b(Skip to content|Sign out|Log out|Search|Save|Cancel|Summary|Lines|Budget|Plans|"
    r"Needs|Stakeholders|Fiscal year|Status|Unit|Next|Previous|Accept invitation|Done when)\b"
)


@pytest.fixture
def english_page(browser, live_server):
    context = browser.new_context(
        locale="en-US",
        extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


def _visible_english(page) -> list[str]:
    text = page.locator("body").inner_text()
    return sorted(set(ENGLISH.findall(text)))


def test_an_english_browser_sees_spanish_everywhere(english_page, browser_world):
    from acompana.core.tests.factories import PASSWORD

    pages = build_main_pages(browser_world)
    page = english_page
    assert page.evaluate("navigator.language") == "en-US"
    found: dict[str, list[str]] = {}
    for name, path in pages.public:
        page.goto(page.base_url + path)
        expect(page.locator("html")).to_have_attribute("lang", "es")
        if english := _visible_english(page):
            found[name] = english
    page.goto(page.base_url + "/ingresar/")
    expect(page.get_by_role("button", name="Ingresar")).to_be_visible()
    page.get_by_label("Correo electrónico").fill(browser_world.admin.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(page.base_url + "/")
    for name, path in pages.signed_in:
        page.goto(page.base_url + path)
        expect(page.locator("html")).to_have_attribute("lang", "es")
        if english := _visible_english(page):
            found[name] = english
    assert found == {}


def test_money_is_colombian_in_an_english_browser(english_page, browser_world):
    from acompana.core.tests.factories import PASSWORD

    pages = build_main_pages(browser_world)
    page = english_page
    page.goto(page.base_url + "/ingresar/")
    page.get_by_label("Correo electrónico").fill(browser_world.admin.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(page.base_url + "/")
    page.goto(page.base_url + pages.signed_in[5][1])  # the plan
    summary = page.locator("#plan-summary")
    expect(summary).to_contain_text("$ 1.250.000")
    expect(summary).not_to_contain_text("1,250,000")
    expect(page.get_by_role("link", name="Saltar al contenido")).to_have_count(1)
