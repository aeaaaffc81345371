"""Every consent notice links the organization's data-processing policy (issue 11 §8): the
notice's text points to it and each page that shows a notice shows its full address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from acompana.registry.notice import NOTICE_VERSIONS, notice_hash, notice_text, policy_path
from acompana.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _policy(org):
    return reverse("core:organization_data_policy", args=[org.slug])


def test_the_current_notice_points_to_the_policy_and_old_versions_still_verify(world):
    assert policy_path(organization=world.org) == _policy(world.org)
    assert "página pública" in notice_text(organization=world.org)
    old = notice_text(organization=world.org, version="2026.1")
    assert "página pública" not in old
    assert notice_hash(old) != notice_hash(notice_text(organization=world.org))
    assert set(NOTICE_VERSIONS) >= {"2026.1", "2026.2"}


def test_every_consent_notice_of_the_registry_links_the_policy(world, client_for):
    """The registry's notice page, consent form and person form show the policy's address."""
    person = PersonFactory(organization=world.org)
    client = client_for(world.professional)
    for url in (
        reverse("registry:consent_notice"),
        reverse("registry:consent_create", args=[person.pk]),
        reverse("registry:person_create"),
    ):
        body = client.get(url).content.decode()
        assert f'href="{_policy(world.org)}"' in body, url
