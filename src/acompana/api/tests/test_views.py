import re

import pytest
from django.urls import reverse

from acompana.api.auth import hash_token
from acompana.api.models import ApiToken
from acompana.core.tests.api_utils import make_token


@pytest.mark.django_db
def test_empty_state(client_for, world):
    response = client_for(world.professional).get(reverse("apitokens:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aún no tiene tokens" in html
    assert 'for="id_name"' in html  # the form is labelled


@pytest.mark.django_db
def test_list_shows_only_own_tokens_with_their_state(
    client_for, world, django_assert_max_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    make_token(world.professional, name="Mi script")
    make_token(world.professional, name="Viejo", revoked_at=timezone.now())
    make_token(world.professional, name="Vencido", expires_at=timezone.now() - timedelta(days=1))
    make_token(world.admin, name="Token de otra persona")
    client = client_for(world.professional)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("apitokens:list"))
    html = response.content.decode()
    assert "Mi script" in html and "Viejo" in html and "Vencido" in html
    assert "Token de otra persona" not in html
    assert "Revocado" in html and "Vencido" in html and "Activo" in html
    assert html.count("/revocar/") == 1  # only the active token can be revoked
    assert "<caption" in html and 'scope="col"' in html


@pytest.mark.django_db
def test_create_shows_the_raw_token_once(client_for, world):
    client = client_for(world.professional)
    response = client.post(
        reverse("apitokens:create"), {"name": "Tablero", "expires_in_days": "30"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    raw = re.search(r'value="(acp_[A-Za-z0-9_-]{43})"', html).group(1)
    token = ApiToken.objects.get(user=world.professional)
    assert token.key_hash == hash_token(raw)
    assert "no se volverá a mostrar" in html
    # the list never shows it again
    listing = client.get(reverse("apitokens:list")).content.decode()
    assert raw not in listing
    assert token.prefix in listing


@pytest.mark.django_db
def test_create_with_invalid_data_shows_errors(client_for, world):
    response = client_for(world.professional).post(
        reverse("apitokens:create"), {"name": "", "expires_in_days": "400"}
    )
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert "invalid-feedback" in response.content.decode()


@pytest.mark.django_db
def test_create_over_the_limit_shows_a_clear_error(client_for, world):
    for i in range(20):
        make_token(world.professional, name=f"t{i}")
    client = client_for(world.professional)
    page = client.get(reverse("apitokens:list")).content.decode()
    assert "el máximo" in page
    response = client.post(reverse("apitokens:create"), {"name": "uno más"})
    assert "Ya tiene 20 tokens activos" in response.content.decode()
    assert ApiToken.objects.filter(user=world.professional).count() == 20


@pytest.mark.django_db
def test_revoke_own_token(client_for, world):
    make_token(world.professional, name="Mi script")
    token = ApiToken.objects.get()
    response = client_for(world.professional).post(reverse("apitokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_revoking_another_users_token_is_404(client_for, world):
    make_token(world.admin, name="Del administrador")
    token = ApiToken.objects.get()
    response = client_for(world.professional).post(reverse("apitokens:revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_revoke_needs_post(client_for, world):
    make_token(world.professional)
    token = ApiToken.objects.get()
    response = client_for(world.professional).get(reverse("apitokens:revoke", args=[token.pk]))
    assert response.status_code == 405
