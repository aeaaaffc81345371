from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from acompana.api import services
from acompana.api.auth import hash_token
from acompana.api.models import ApiToken, ApiTokenState
from acompana.core.models import Event
from acompana.core.tests.api_utils import make_token


@pytest.mark.django_db
def test_create_returns_the_raw_token_once_and_stores_only_its_hash(world):
    created = services.api_token_create(actor=world.planner, name="Informe", expires_in_days=30)
    token = ApiToken.objects.get(pk=created.token.pk)
    assert created.raw.startswith("acp_")
    assert len(created.raw) == len("acp_") + 43
    assert token.key_hash == hash_token(created.raw)
    assert token.prefix == created.raw[:12]
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert created.raw not in stored
    assert token.user == world.planner
    assert token.state == ApiTokenState.ACTIVE
    expected = timezone.now() + timedelta(days=30)
    assert abs((token.expires_at - expected).total_seconds()) < 60


@pytest.mark.django_db
def test_create_records_an_event_without_the_raw_token(world):
    created = services.api_token_create(actor=world.planner, name="Informe", expires_in_days=None)
    event = Event.objects.get(step_key="api_token.created")
    assert event.organization == world.org
    assert event.actor == world.planner
    assert event.object_id == str(created.token.pk)
    assert created.raw not in str(event.after) + event.summary + event.object_repr
    assert created.token.expires_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "days", "field"),
    [
        ("", 30, "name"),
        ("   ", 30, "name"),
        ("x" * 101, 30, "name"),
        ("ok", 0, "expires_in_days"),
        ("ok", 366, "expires_in_days"),
    ],
)
def test_create_validates_name_and_expiry(world, name, days, field):
    with pytest.raises(ValidationError) as info:
        services.api_token_create(actor=world.planner, name=name, expires_in_days=days)
    assert field in info.value.message_dict
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_at_most_twenty_active_tokens(world):
    for i in range(services.MAX_ACTIVE_TOKENS):
        make_token(world.planner, name=f"t{i}")
    # revoked and expired ones do not count
    make_token(world.planner, name="revocado", revoked_at=timezone.now())
    make_token(world.planner, name="vencido", expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError) as info:
        services.api_token_create(actor=world.planner, name="uno más", expires_in_days=10)
    assert info.value.code == "too_many_tokens"
    assert "20" in info.value.messages[0]
    # other users are not affected
    services.api_token_create(actor=world.admin, name="otro", expires_in_days=10)


@pytest.mark.django_db
def test_revoke_own_token_records_an_event(world):
    created = services.api_token_create(actor=world.planner, name="Informe", expires_in_days=5)
    services.api_token_revoke(actor=world.planner, token=created.token)
    token = ApiToken.objects.get(pk=created.token.pk)
    assert token.revoked_at is not None
    assert token.state == ApiTokenState.REVOKED
    event = Event.objects.get(step_key="api_token.revoked")
    assert event.organization == world.org
    assert event.actor == world.planner


@pytest.mark.django_db
def test_revoke_twice_is_refused(world):
    created = services.api_token_create(actor=world.planner, name="Informe", expires_in_days=5)
    services.api_token_revoke(actor=world.planner, token=created.token)
    with pytest.raises(ValidationError):
        services.api_token_revoke(actor=world.planner, token=created.token)
    assert Event.objects.filter(step_key="api_token.revoked").count() == 1


@pytest.mark.django_db
def test_another_users_token_cannot_be_revoked(world):
    created = services.api_token_create(actor=world.planner, name="Informe", expires_in_days=5)
    events = Event.objects.count()
    with pytest.raises(ApiToken.DoesNotExist):
        services.api_token_revoke(actor=world.admin, token=created.token)
    assert ApiToken.objects.get(pk=created.token.pk).revoked_at is None
    assert Event.objects.count() == events


@pytest.mark.django_db
def test_expired_state(world):
    make_token(world.planner, name="vencido", expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiToken.objects.get(name="vencido").state == ApiTokenState.EXPIRED
