"""The public request path in a browser (issue 11 §8): a citizen on a phone opens the
organization's public page, follows its link to the request form, sends a request and sees
its radicado (also e-mailed); a unit head triages it, matching the requester's municipality
to its alcaldía in the registry, and the trail shows SAL-1 done by that unit head."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from acompana.catalog.tests.factories import ModalityFactory
from acompana.geo.models import Municipality
from acompana.planning.models import Need
from acompana.registry.tests.factories import StakeholderFactory

pytestmark = pytest.mark.browser

PAGE_BUDGET = 300_000  # bytes of a first visit, every resource included (DESIGN section 7)


@pytest.fixture
def phone(browser, live_server):
    """A 375×740 phone screen (touch, mobile viewport meta honoured)."""
    context = browser.new_context(
        locale="es-CO",
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


def _first_visit_bytes(page) -> int:
    """Bytes of the document and every resource it loaded (uncompressed)."""
    return page.evaluate(
        """() => performance.getEntriesByType('navigation')
                .concat(performance.getEntriesByType('resource'))
                .reduce((sum, entry) => sum + (entry.decodedBodySize || 0), 0)"""
    )


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375 + 1


def test_a_citizen_requests_on_a_phone_and_a_unit_head_triages_it(
    phone, page, login, browser_world, mailoutbox
):
    world = browser_world
    cache.clear()  # the form's rate limit counts per client address in the shared cache
    garzon = Municipality.objects.get(code="41298")
    alcaldia = StakeholderFactory(
        organization=world.org,
        kind="municipality",
        name="Alcaldía de Garzón",
        dane_code="41298",
        municipality=garzon,
    )
    ModalityFactory(organization=world.org, name="Virtual")
    requested: list[str] = []
    phone.on("request", lambda request: requested.append(request.url))

    # the organization's public page: identity, GOV.CO bar, its links; light and local
    phone.goto(f"{phone.base_url}/entidades/{world.org.slug}/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text(world.org.name)
    expect(phone.locator("#govco-bar")).to_be_visible()
    _fits_the_phone(phone)
    assert _first_visit_bytes(phone) < PAGE_BUDGET
    footer = phone.locator("footer")
    expect(footer.locator(f'a[href$="/entidades/{world.org.slug}/accesibilidad/"]')).to_be_visible()
    policy = footer.locator(f'a[href$="/entidades/{world.org.slug}/tratamiento-de-datos/"]')
    expect(policy).to_be_visible()

    # follows the link to the request form
    phone.get_by_role("link", name="Solicitar asistencia técnica").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Solicitar asistencia técnica")
    _fits_the_phone(phone)
    assert _first_visit_bytes(phone) < PAGE_BUDGET
    # the notice is followed by the address of the organization's policy
    expect(phone.locator(".policy-link a")).to_have_attribute(
        "href", f"/entidades/{world.org.slug}/tratamiento-de-datos/"
    )
    phone.get_by_label("Su nombre").fill("María Fernanda López")
    phone.locator("#id_requester_position").fill("Secretaria de Salud municipal")
    phone.get_by_label("Correo electrónico").fill("maria.lopez@garzon-huila.gov.co")
    phone.get_by_label("Entidad u organización que representa").fill("Alcaldía de Garzón")
    phone.get_by_label("Departamento (opcional)").select_option(value="41")
    municipality = phone.get_by_label("Municipio (opcional)")
    expect(municipality.locator("option[value='41298']")).to_have_count(1)
    municipality.select_option(value="41298")
    phone.locator("#id_preferred_modality").select_option(label="Virtual")
    phone.get_by_label("¿Qué necesita?").fill(
        "Necesitamos asistencia técnica para formular el plan de intervenciones colectivas."
    )
    phone.get_by_label(re.compile("^He leído el aviso de privacidad")).check()
    _fits_the_phone(phone)
    phone.get_by_role("button", name="Enviar la solicitud").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Solicitud recibida")
    radicado = phone.get_by_role("status").locator("strong").inner_text()
    _fits_the_phone(phone)
    need = Need.objects.get(organization=world.org, reference=radicado)
    assert need.status == "to_triage" and need.preferred_modality.name == "Virtual"
    assert need.requester_position == "Secretaria de Salud municipal"
    # the confirmation e-mail carries the radicado
    assert [m.to for m in mailoutbox] == [["maria.lopez@garzon-huila.gov.co"]]
    assert radicado in mailoutbox[0].subject and radicado in mailoutbox[0].body
    foreign = [url for url in requested if not url.startswith(phone.base_url)]
    assert not foreign, f"requests to other hosts: {foreign}"

    # the unit head triages it: the municipality is matched to its alcaldía
    login(world.unit_head)
    page.goto(f"{page.base_url}/planificacion/necesidades/{need.pk}/")
    page.get_by_role("link", name="Clasificar la solicitud").click()
    page.get_by_label("Aceptar: queda como necesidad abierta").check()
    page.get_by_label("Dependencia responsable").select_option(label=world.unit.name)
    match = page.get_by_label(re.compile("^Alcaldía de Garzón"))
    expect(match).to_be_checked()
    page.locator("#id_title").fill("Plan de intervenciones colectivas de Garzón")
    page.get_by_role("button", name="Guardar la decisión").click()
    expect(page.get_by_role("status").first).to_contain_text("Solicitud aceptada")

    need.refresh_from_db()
    assert need.status == "open" and need.title == "Plan de intervenciones colectivas de Garzón"
    assert list(need.stakeholder_links.values_list("stakeholder_id", flat=True)) == [alcaldia.pk]
    # the trail: SAL-1 done, by the unit head (not «Sistema»)
    sal1 = page.locator('[data-step="SAL-1"]')
    expect(sal1).to_have_attribute("data-status", "done")
    expect(sal1).to_contain_text(world.unit_head.full_name)
