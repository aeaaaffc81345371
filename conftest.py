"""Shared fixtures: personas (DESIGN 6.6) and a logged-in client per role."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("ACOMPANA_TESTING", "1")


@pytest.fixture
def world(db):
    from acompana.core.tests.factories import build_world

    return build_world()


@pytest.fixture
def client_for(client):
    """``client_for(user)`` returns a Django test client logged in as ``user``."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    return make


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _ensure_divipola():
    from acompana.geo.divipola import load_divipola
    from acompana.geo.models import Municipality

    if not Municipality.objects.exists():
        load_divipola()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """DIVIPOLA comes from a data migration; a reused test database flushed by an earlier
    transactional (browser) test has lost it: load it again once per session."""
    with django_db_blocker.unblock():
        _ensure_divipola()


@pytest.fixture(autouse=True)
def _divipola(request):
    """Transactional tests (browser) flush every table, DIVIPOLA included: reload it."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        _ensure_divipola()
