"""The public request form (no login): a grupo de valor asks for assistance (the demand that
feeds SAL-1, EDU-1 and FP-1). It lands as a need to triage, only with consent, rate-limited,
with a honeypot, one form per organization."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext

from acompana.catalog.tests.factories import ModalityFactory, TopicFactory
from acompana.core import ratelimit
from acompana.core.tests.factories import OrganizationFactory, build_world
from acompana.planning.models import Need
from acompana.registry.notice import CURRENT_NOTICE_VERSION, notice_hash, notice_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _url(org):
    return reverse("planning:need_request", args=[org.slug])


def _post_data(**extra):
    return {
        "requester_name": "Ana Pérez",
        "requester_position": "Secretaria de Salud municipal",
        "requester_email": "ana.perez@garzon-huila.gov.co",
        "requester_phone": "608 833 2000",
        "requester_entity": "Alcaldía de Garzón",
        "department": "",
        "requester_municipality": "",
        "topic": "",
        "description": "Necesitamos apoyo para formular el plan de intervenciones colectivas.",
        "consent": "on",
        "notice_version": CURRENT_NOTICE_VERSION,
        "website": "",
        **extra,
    }


def test_the_form_is_public_light_and_shows_the_notice(world, client, settings):
    settings.ACOMPANA_GOVCO_BAR = True
    TopicFactory(organization=world.org, name="Vacunación")
    TopicFactory(organization=world.org, name="Tema inactivo", is_active=False)
    TopicFactory(organization=world.other, name="Tema de otra entidad")
    response = client.get(_url(world.org))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.org.name in body
    assert "GOV.CO" in body
    assert "Main navigation" not in body and "navbar" not in body  # no product navigation
    assert notice_text(organization=world.org).split("\n")[0] in body
    assert 'name="consent"' in body and 'name="website"' in body
    assert reverse("planning:need_request_notice", args=[world.org.slug]) in body
    topics = [t.name for t in response.context["form"].fields["topic"].queryset]
    assert topics == ["Vacunación"]
    # only local assets, and a light page
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:css|js))"', body)
    assert assets and all(a.startswith("/static/") for a in assets)
    assert len(response.content) < 60_000


def test_the_govco_bar_is_a_setting(world, client, settings):
    settings.ACOMPANA_GOVCO_BAR = False
    assert "GOV.CO" not in client.get(_url(world.org)).content.decode()


def test_the_logo_is_shown_when_the_organization_has_one(world, client):
    world.org.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    body = client.get(_url(world.org)).content.decode()
    assert reverse("core:organization_logo", args=[world.org.slug]) in body


def test_a_request_lands_as_a_need_to_triage(world, client):
    topic = TopicFactory(organization=world.org, name="Vacunación")
    response = client.post(
        _url(world.org),
        _post_data(topic=topic.pk, department="41", requester_municipality="41298"),
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location == reverse("planning:need_request_done", args=[world.org.slug])
    assert "ana" not in location.lower() and "@" not in location  # no personal data in URLs
    need = Need.objects.get()
    assert need.organization == world.org
    assert (need.origin, need.source, need.status) == ("demand", "request", "to_triage")
    assert (need.requester_name, need.requester_entity) == ("Ana Pérez", "Alcaldía de Garzón")
    assert need.requester_municipality.code == "41298"
    assert need.topic == topic
    assert need.consent_notice_sha256 == notice_hash(notice_text(organization=world.org))
    done = client.get(location)
    assert need.reference in done.content.decode()
    # the organization's own numbering, not the database id
    assert re.fullmatch(r"SOL-\d{4}-0001", need.reference)


def test_without_consent_nothing_is_stored(world, client):
    data = _post_data()
    del data["consent"]
    response = client.post(_url(world.org), data)
    assert response.status_code == 200
    assert response.context["form"].errors["consent"]
    assert not Need.objects.exists()


def test_invalid_data_shows_errors_and_stores_nothing(world, client):
    response = client.post(
        _url(world.org), _post_data(requester_email="no-es-un-correo", description="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "requester_email" in errors and "description" in errors
    assert not Need.objects.exists()


def test_a_topic_of_another_organization_is_refused(world, client):
    foreign = TopicFactory(organization=world.other)
    response = client.post(_url(world.org), _post_data(topic=foreign.pk))
    assert response.status_code == 200
    assert not Need.objects.exists()


def test_the_rate_limit_answers_429_after_the_limit(world, client):
    for _ in range(ratelimit.REQUEST_LIMIT):
        assert client.post(_url(world.org), _post_data()).status_code == 302
    response = client.post(_url(world.org), _post_data())
    assert response.status_code == 429
    assert response["Retry-After"] == str(ratelimit.REQUEST_WINDOW_SECONDS)
    assert Need.objects.count() == ratelimit.REQUEST_LIMIT
    # the form itself still opens; another address is not limited
    assert client.get(_url(world.org)).status_code == 200
    other = client.post(_url(world.org), _post_data(), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_behind_trusted_proxies_the_forwarded_address_counts(world, client, settings):
    settings.ACOMPANA_TRUSTED_PROXIES = 1
    for _ in range(ratelimit.REQUEST_LIMIT):
        client.post(_url(world.org), _post_data(), HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert (
        client.post(_url(world.org), _post_data(), HTTP_X_FORWARDED_FOR="1.1.1.1").status_code
        == 429
    )
    # a forged left-most address does not escape the limit
    forged = client.post(_url(world.org), _post_data(), HTTP_X_FORWARDED_FOR="9.9.9.9, 1.1.1.1")
    assert forged.status_code == 429
    assert (
        client.post(_url(world.org), _post_data(), HTTP_X_FORWARDED_FOR="2.2.2.2").status_code
        == 302
    )


def test_the_honeypot_stores_nothing_but_looks_like_success(world, client):
    response = client.post(_url(world.org), _post_data(website="http://spam.example"))
    assert response.status_code == 302
    assert not Need.objects.exists()
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert done.context["reference"] is None


@pytest.mark.parametrize("procedure", ["SAL", "EDU", "FP", "DNP"])
def test_each_organization_has_its_own_form(client, procedure):
    world = build_world(procedure_code=procedure)
    topic = TopicFactory(organization=world.org)
    response = client.post(_url(world.org), _post_data(topic=topic.pk))
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.organization == world.org and need.topic == topic
    assert need.reference.endswith("-0001")


def test_unknown_or_inactive_organization_is_404(world, client):
    assert client.get(reverse("planning:need_request", args=["no-existe"])).status_code == 404
    inactive = OrganizationFactory(is_active=False)
    assert client.get(_url(inactive)).status_code == 404
    assert client.post(_url(inactive), _post_data()).status_code == 404
    notice = reverse("planning:need_request_notice", args=[inactive.slug])
    assert client.get(notice).status_code == 404
    assert not Need.objects.exists()


def test_the_notice_page_is_public(world, client):
    response = client.get(reverse("planning:need_request_notice", args=[world.org.slug]))
    assert response.status_code == 200
    assert world.org.nit in response.content.decode()


def test_the_confirmation_of_another_organization_shows_no_reference(world, client):
    client.post(_url(world.org), _post_data())
    other = OrganizationFactory()
    response = client.get(reverse("planning:need_request_done", args=[other.slug]))
    assert response.context["reference"] is None


def test_municipalities_follow_the_department(world, client):
    response = client.get(reverse("planning:need_request_municipalities"), {"department": "41"})
    body = response.content.decode()
    assert 'value="41298"' in body and 'value="05001"' not in body
    bad = client.get(reverse("planning:need_request_municipalities"), {"department": "x"})
    assert 'value="41298"' not in bad.content.decode()


# --- what the form asks, the confirmation, the policy (issue 11 §8) ---------------------------


def test_the_form_asks_position_identification_and_the_catalogues_modalities(world, client):
    ModalityFactory(organization=world.org, name="Virtual")
    ModalityFactory(organization=world.org, name="Inactiva", is_active=False)
    ModalityFactory(organization=world.other, name="De otra entidad")
    response = client.get(_url(world.org))
    body = response.content.decode()
    for name in ("requester_position", "requester_identifier", "preferred_modality"):
        assert f'name="{name}"' in body
    modalities = [m.name for m in response.context["form"].fields["preferred_modality"].queryset]
    assert modalities == ["Virtual"]
    # the position is required
    data = _post_data()
    del data["requester_position"]
    assert "requester_position" in client.post(_url(world.org), data).context["form"].errors
    assert not Need.objects.exists()


def test_the_requester_gets_the_radicado_by_email(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    modality = ModalityFactory(organization=world.org, name="Presencial")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(world.org),
            _post_data(requester_identifier="891180084-1", preferred_modality=modality.pk),
        )
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.preferred_modality == modality and need.requester_identifier == "891180084-1"
    assert need.requester_position == "Secretaria de Salud municipal"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ana.perez@garzon-huila.gov.co"]
    assert need.reference in mailoutbox[0].body
    done = client.get(response["Location"]).content.decode()
    assert need.reference in done and gettext("We sent it to your e-mail too.") in done


def test_the_notice_links_the_organizations_data_policy(world, client):
    policy = reverse("core:organization_data_policy", args=[world.org.slug])
    for url in (_url(world.org), reverse("planning:need_request_notice", args=[world.org.slug])):
        body = client.get(url).content.decode()
        assert f'href="{policy}"' in body
        assert f"http://testserver{policy}" in body  # the full address, printable
    assert "página pública" in notice_text(organization=world.org)


def test_the_request_form_is_linked_from_the_organizations_public_page(world, client):
    body = client.get(reverse("core:organization_public", args=[world.org.slug])).content.decode()
    assert f'href="{_url(world.org)}"' in body
