import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from acompana.api.models import ApiToken
from acompana.core.tests.api_utils import assert_error, make_token

ME = "api:me"


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_a_valid_token_authenticates_as_its_user(client, world):
    raw = make_token(world.planner)
    response = client.get(reverse(ME), **bearer(raw))
    assert response.status_code == 200
    assert response.json()["user"]["email"] == world.planner.email
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"revoked_at": timezone.now()},
        {"expires_at": timezone.now() - timedelta(seconds=1)},
    ],
    ids=["revoked", "expired"],
)
def test_revoked_and_expired_tokens_are_401(client, world, fields):
    raw = make_token(world.planner, **fields)
    assert_error(client.get(reverse(ME), **bearer(raw)), 401, "unauthenticated")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    ["Bearer acp_no-existe", "Bearer otro-formato", "Token acp_x", "Bearer", "Basic dXNlcjpwYXNz"],
)
def test_unknown_or_malformed_credentials_are_401(client, world, header):
    assert_error(client.get(reverse(ME), HTTP_AUTHORIZATION=header), 401, "unauthenticated")


@pytest.mark.django_db
def test_a_token_of_an_inactive_user_is_401(client, world):
    raw = make_token(world.planner)
    world.planner.is_active = False
    world.planner.save(update_fields=["is_active"])
    assert_error(client.get(reverse(ME), **bearer(raw)), 401)


@pytest.mark.django_db
def test_token_is_checked_only_through_its_hash(client, world):
    raw = make_token(world.planner)
    token = ApiToken.objects.get()
    assert_error(client.get(reverse(ME), **bearer(token.key_hash)), 401)
    assert_error(client.get(reverse(ME), **bearer(raw[:-1])), 401)


@pytest.mark.django_db
def test_session_authenticates_reads(client_for, world):
    response = client_for(world.planner).get(reverse(ME))
    assert response.status_code == 200
    assert response.json()["user"]["id"] == world.planner.pk


@pytest.mark.django_db
def test_session_post_requires_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.planner, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("api:switch_organization")
    body = json.dumps({"organization_id": world.org.pk})
    response = client.post(url, body, content_type="application/json")
    assert_error(response, 403, "csrf_failed")

    client.get(reverse("apitokens:list"))  # sets the CSRF cookie, as a page would
    csrf = client.cookies["csrftoken"].value
    response = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200


@pytest.mark.django_db
def test_token_post_needs_no_csrf(world):
    client = Client(enforce_csrf_checks=True, **bearer(make_token(world.planner)))
    response = client.post(
        reverse("api:switch_organization"),
        json.dumps({"organization_id": world.org.pk}),
        content_type="application/json",
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_anonymous_post_is_401_not_a_csrf_error(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("api:switch_organization"),
        json.dumps({"organization_id": world.org.pk}),
        content_type="application/json",
    )
    assert_error(response, 401, "unauthenticated")


@pytest.mark.django_db
def test_a_token_acts_in_the_users_active_organization(client, world):
    raw = make_token(world.outsider)
    response = client.get(reverse("api:organization"), **bearer(raw))
    assert response.status_code == 200
    assert response.json()["id"] == world.other.pk
