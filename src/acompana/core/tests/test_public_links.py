"""Signed public links (``core.public_links``): issue, resolve, expiry, revocation, purpose,
and the rate limit of the public pages they open (DESIGN section 7)."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from acompana.core import ratelimit
from acompana.core.models import Event, PublicLink
from acompana.core.public_links import (
    FAILED_LOOKUP_LIMIT,
    MAX_LIFETIME,
    public_link_issue,
    public_link_resolve,
    public_link_revoke,
    public_link_view,
    public_links_of,
)
from acompana.core.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _in(days: float = 7) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def _issue(world, obj=None, purpose="checkin", **extra):
    return public_link_issue(
        actor=extra.pop("actor", world.admin),
        obj=obj or world.unit,
        purpose=purpose,
        expires_at=extra.pop("expires_at", _in()),
    )


# --- issue ---------------------------------------------------------------------------------------


def test_the_token_is_opaque_and_only_its_hash_is_stored(world):
    token = _issue(world)
    link = PublicLink.objects.get()
    assert len(token) >= 43 and token.replace("-", "").replace("_", "").isalnum()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    # nothing of the organization, the object or a person is in the token
    for value in (world.org.slug, world.org.nit, world.unit.name, world.admin.email):
        assert str(value) not in token
    stored = [str(v) for v in PublicLink.objects.values_list(flat=False).get()]
    assert token not in stored
    assert (link.organization, link.purpose, link.object_id) == (
        world.org,
        "checkin",
        str(world.unit.pk),
    )
    assert link.created_by == world.admin


def test_every_link_has_its_own_token(world):
    assert _issue(world) != _issue(world)
    assert PublicLink.objects.count() == 2


def test_issuing_is_recorded_in_the_audit_log(world):
    _issue(world)
    event = Event.objects.get(step_key="public_link.issued")
    assert event.actor == world.admin and event.organization == world.org
    assert event.object_id == str(world.unit.pk)


def test_only_a_member_of_the_objects_organization_issues_a_link(world):
    with pytest.raises(PermissionDenied):
        _issue(world, actor=world.outsider)
    assert not PublicLink.objects.exists()


@pytest.mark.parametrize("days", [-1, 0, MAX_LIFETIME.days + 1])
def test_the_expiry_is_in_the_future_and_bounded(world, days):
    with pytest.raises(ValidationError) as info:
        _issue(world, expires_at=_in(days))
    assert "expires_at" in info.value.message_dict
    assert not PublicLink.objects.exists()


@pytest.mark.parametrize("purpose", ["", "Check-in", "a", "agenda/1", "x" * 41])
def test_a_purpose_is_a_short_code(world, purpose):
    with pytest.raises(ValueError):
        _issue(world, purpose=purpose)


def test_only_tenant_objects_are_linked(world):
    with pytest.raises(ValueError):
        public_link_issue(actor=world.admin, obj=world.admin, purpose="agenda", expires_at=_in())


# --- resolve -------------------------------------------------------------------------------------


def test_the_token_opens_its_object_for_its_purpose(world):
    token = _issue(world)
    assert public_link_resolve(token, "checkin") == world.unit


def test_another_purpose_opens_nothing(world):
    token = _issue(world, purpose="checkin")
    assert public_link_resolve(token, "survey") is None


def test_an_expired_link_opens_nothing(world):
    token = _issue(world)
    PublicLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert public_link_resolve(token, "checkin") is None


@pytest.mark.parametrize(
    "token", ["", "x", "a" * 43, "../../etc/passwd", "a" * 500, "ñ" * 43, None, 12345]
)
def test_unknown_or_malformed_tokens_open_nothing(world, token):
    _issue(world)
    assert public_link_resolve(token, "checkin") is None


def test_a_deleted_object_opens_nothing(world):
    unit = UnitFactory(organization=world.org)
    token = _issue(world, obj=unit)
    unit.delete()
    assert public_link_resolve(token, "checkin") is None


# --- revoke --------------------------------------------------------------------------------------


def test_a_revoked_link_opens_nothing_and_the_revocation_is_recorded(world):
    token = _issue(world)
    link = public_links_of(world.unit).get()
    revoked = public_link_revoke(actor=world.planner, link=link)
    assert revoked.revoked_at is not None and revoked.revoked_by == world.planner
    assert not revoked.is_open
    assert public_link_resolve(token, "checkin") is None
    event = Event.objects.get(step_key="public_link.revoked")
    assert event.actor == world.planner and event.object_id == str(world.unit.pk)


def test_revoking_twice_changes_nothing(world):
    _issue(world)
    link = public_link_revoke(actor=world.admin, link=PublicLink.objects.get())
    first = link.revoked_at
    again = public_link_revoke(actor=world.planner, link=link)
    assert again.revoked_at == first and again.revoked_by == world.admin
    assert Event.objects.filter(step_key="public_link.revoked").count() == 1


def test_another_organization_cannot_revoke(world):
    token = _issue(world)
    with pytest.raises(PermissionDenied):
        public_link_revoke(actor=world.outsider, link=PublicLink.objects.get())
    assert public_link_resolve(token, "checkin") == world.unit


def test_links_of_an_object_by_purpose(world):
    _issue(world, purpose="checkin")
    _issue(world, purpose="survey")
    _issue(world, obj=UnitFactory(organization=world.org), purpose="checkin")
    assert public_links_of(world.unit).count() == 2
    assert [link.purpose for link in public_links_of(world.unit, purpose="survey")] == ["survey"]


# --- the public page wrapper: 404 for a bad token, 429 after many ---------------------------------


@public_link_view("checkin")
def _checkin_page(request, target):
    return HttpResponse(f"Registro de asistencia: {target.name}")


def _get(token, address="10.0.0.1"):
    request = RequestFactory().get("/asistencia/", REMOTE_ADDR=address)
    request.user = AnonymousUser()
    request.session = {}
    return _checkin_page(request, token=token)


def test_the_page_is_a_declared_public_view_of_its_purpose():
    assert _checkin_page.acompana_access == ("public", "checkin")


def test_the_page_receives_the_target(world):
    token = _issue(world)
    response = _get(token)
    assert response.status_code == 200
    assert world.unit.name in response.content.decode()


@pytest.mark.parametrize("purpose", ["checkin", "survey"])
def test_a_bad_token_is_404_whatever_the_reason(world, purpose):
    token = _issue(world, purpose=purpose)
    if purpose == "checkin":
        public_link_revoke(actor=world.admin, link=PublicLink.objects.get())
    with pytest.raises(Http404):
        _get(token)
    with pytest.raises(Http404):
        _get("z" * 43)


def test_too_many_bad_tokens_from_one_address_answer_429(world):
    token = _issue(world)
    for _ in range(FAILED_LOOKUP_LIMIT):
        with pytest.raises(Http404):
            _get("y" * 43)
    response = _get(token)
    assert response.status_code == 429
    assert response["Retry-After"] == str(ratelimit.REQUEST_WINDOW_SECONDS)
    # another address is not limited; valid look-ups never count
    assert _get(token, address="10.0.0.2").status_code == 200


def test_valid_look_ups_do_not_count_towards_the_limit(world):
    token = _issue(world)
    for _ in range(FAILED_LOOKUP_LIMIT + 5):
        assert _get(token).status_code == 200


# --- the one rate limiter ------------------------------------------------------------------------


def test_the_rate_limit_counts_per_scope_and_address():
    request = RequestFactory().get("/", REMOTE_ADDR="10.9.9.9")
    other = RequestFactory().get("/", REMOTE_ADDR="10.9.9.8")
    for attempt in range(1, 4):
        assert not ratelimit.is_limited(request, "scope_a", limit=3)
        assert ratelimit.record_attempt(request, "scope_a") == attempt
    assert ratelimit.is_limited(request, "scope_a", limit=3)
    assert not ratelimit.is_limited(request, "scope_b", limit=3)
    assert not ratelimit.is_limited(other, "scope_a", limit=3)


def test_the_rate_limit_keeps_no_address_in_the_cache_key(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    ratelimit.record_attempt(request, "privacy")
    key = ratelimit._key("privacy", request)
    assert "203.0.113.7" not in key and key.startswith("ratelimit:privacy:")
