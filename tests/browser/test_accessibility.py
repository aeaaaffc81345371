"""axe-core over the main pages: no serious or critical violation (issue 11, section 9).

People who use a screen reader or the keyboard plan too. axe-core (bundled by
``axe-playwright-python``) runs in Chromium on each page a servant walks through, signed in
and public; a serious or critical violation fails with its rule, impact and elements.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.pages import build_main_pages

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def _violations(page) -> list[str]:
    results = Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core"  # it really ran
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]


@pytest.fixture
def axe_page(browser, live_server):
    # axe is injected with page.evaluate; bypass_csp keeps the site's CSP from refusing it
    context = browser.new_context(
        locale="es-CO", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


def _login(page, user):
    from acompana.core.tests.factories import PASSWORD

    page.goto(page.base_url + "/ingresar/")
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(page.base_url + "/")


def test_main_pages_have_no_serious_or_critical_violation(axe_page, browser_world):
    pages = build_main_pages(browser_world)
    found: dict[str, list[str]] = {}
    for name, path in pages.public:
        response = axe_page.goto(axe_page.base_url + path)
        assert response is not None and response.status == 200, (name, path)
        if violations := _violations(axe_page):
            found[name] = violations
    _login(axe_page, browser_world.admin)
    for name, path in pages.signed_in:
        response = axe_page.goto(axe_page.base_url + path)
        assert response is not None and response.status == 200, (name, path, response)
        if violations := _violations(axe_page):
            found[name] = violations
    assert found == {}


def test_the_plan_summary_is_a_well_formed_definition_list(axe_page, browser_world):
    """The summary's ``dl`` holds only ``dt``/``dd`` pairs (its live region wraps it)."""
    pages = build_main_pages(browser_world)
    _login(axe_page, browser_world.admin)
    axe_page.goto(axe_page.base_url + pages.signed_in[5][1])
    results = Axe().run(axe_page, context="#plan-summary")
    ids = {v["id"] for v in results.response["violations"]}
    assert not ids & {"definition-list", "dlitem", "aria-allowed-role"}, ids
