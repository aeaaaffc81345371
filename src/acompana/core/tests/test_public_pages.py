"""An organization's public pages (issue 11 §8, DESIGN section 7): its home with the apps'
public links, the accessibility statement, and the data-processing policy its admin writes,
linked from every consent notice. No login, light, local assets, no personal data."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import reverse

from acompana.core.models import Event, Organization
from acompana.core.plugins import PublicPage
from acompana.core.tests.factories import OrganizationFactory
from acompana.core.views.public import public_links

pytestmark = pytest.mark.django_db


def _home(org):
    return reverse("core:organization_public", args=[org.slug])


def _policy(org):
    return reverse("core:organization_data_policy", args=[org.slug])


def _accessibility(org):
    return reverse("core:organization_accessibility", args=[org.slug])


def test_the_public_page_shows_identity_links_and_no_login(world, client, settings):
    settings.ACOMPANA_GOVCO_BAR = True
    response = client.get(_home(world.org))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.org.name in body and world.org.nit in body
    assert 'id="govco-bar"' in body
    # the apps' public pages (the request form...), the accessibility statement, the policy
    links = public_links(world.org)
    assert links and all(f'href="{link.url}"' in body for link in links)
    assert f'href="{_accessibility(world.org)}"' in body
    assert f'href="{_policy(world.org)}"' in body
    assert "navbar" not in body and "/ingresar/" not in body  # no product navigation
    # light, local assets only, no scripts
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:css|js|svg|png))"', body)
    assert assets and all(a.startswith("/static/") for a in assets)
    assert "<script" not in body
    assert len(response.content) < 30_000


def test_the_govco_bar_is_a_setting(world, client, settings):
    settings.ACOMPANA_GOVCO_BAR = False
    assert 'id="govco-bar"' not in client.get(_home(world.org)).content.decode()


def test_only_pages_with_something_to_show_are_linked(world, monkeypatch):
    """An app's public page is linked only when its ``available`` hook says so (a published
    agenda, later, only once there is one)."""
    config = apps.get_app_config("planning")
    monkeypatch.setattr(
        config,
        "public_pages",
        (
            *config.public_pages,
            PublicPage("Agenda publicada", "Lo que viene", "planning:need_request", "x.nothing"),
        ),
    )
    monkeypatch.setattr(
        "acompana.core.views.public.import_string", lambda dotted: lambda organization: False
    )
    titles = [link.title for link in public_links(world.org)]
    assert "Agenda publicada" not in titles
    assert len(titles) == len(config.public_pages) - 1


def test_the_accessibility_statement_is_public(world, client):
    response = client.get(_accessibility(world.org))
    assert response.status_code == 200
    body = response.content.decode()
    assert "WCAG 2.1" in body and "NTC 5854" in body


def test_the_policy_page_shows_the_admins_text_or_says_it_is_missing(world, client):
    response = client.get(_policy(world.org))
    assert response.status_code == 200
    assert "1581" in response.content.decode()
    Organization.objects.filter(pk=world.org.pk).update(
        data_policy="Política de tratamiento de la entidad.\n\nSegundo párrafo."
    )
    body = client.get(_policy(world.org)).content.decode()
    assert "<p>Política de tratamiento de la entidad.</p>" in body
    assert "<p>Segundo párrafo.</p>" in body


def test_the_admin_edits_the_policy_text(world, client_for, client):
    org = world.org
    data = {
        "name": org.name,
        "short_name": org.short_name,
        "nit": org.nit,
        "order": org.order,
        "department": org.department_id or "",
        "municipality": org.municipality_id or "",
        "process_name": org.process_name,
        "data_policy": "La entidad trata los datos según la Ley 1581 de 2012.",
        "version": org.version,
    }
    form_page = client_for(world.admin).get(reverse("core:organization_edit")).content.decode()
    assert f'href="{_home(org)}"' in form_page and 'name="data_policy"' in form_page
    response = client_for(world.admin).post(reverse("core:organization_edit"), data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.data_policy == "La entidad trata los datos según la Ley 1581 de 2012."
    event = Event.objects.get(step_key="organization.updated")
    assert "data_policy" in event.after
    assert "Ley 1581 de 2012" in client.get(_policy(org)).content.decode()
    # only the admin
    assert (
        client_for(world.planner).post(reverse("core:organization_edit"), data).status_code == 403
    )


def test_unknown_or_inactive_organizations_are_404(client):
    inactive = OrganizationFactory(is_active=False)
    for url in (_home(inactive), _policy(inactive), _accessibility(inactive)):
        assert client.get(url).status_code == 404
    assert client.get("/entidades/no-existe/").status_code == 404
