"""The product speaks es-CO whatever the browser's language (DESIGN section 9)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_only_spanish_is_offered():
    """No second language can be negotiated: LANGUAGES holds es-CO alone."""
    assert [code for code, _name in settings.LANGUAGES] == ["es-co"]
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE


def test_english_browser_reads_the_home_page_in_spanish(world, client_for):
    """An ``Accept-Language: en-US`` browser gets the Spanish page and its ``lang``."""
    response = client_for(world.planner).get(reverse("core:home"), **ENGLISH_BROWSER)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("es-co"):
        skip = translation.gettext("Skip to content")
    assert skip != "Skip to content"
    assert skip in html
    assert "Skip to content" not in html
    assert '<html lang="es">' in html
    assert response.headers["Content-Language"] == "es-co"


def test_language_cookie_does_not_switch_language(world, client_for):
    """Neither a language cookie nor a prefix selects English."""
    client = client_for(world.planner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("core:home"), **ENGLISH_BROWSER)
    assert "Skip to content" not in response.content.decode()


def test_anonymous_english_browser_reads_login_in_spanish(client):
    """The sign-in page too: it is the first page a servant sees."""
    response = client.get(reverse("core:login"), **ENGLISH_BROWSER)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Skip to content" not in html
    with translation.override("es-co"):
        assert translation.gettext("Skip to content") in html
