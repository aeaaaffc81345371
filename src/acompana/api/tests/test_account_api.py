import json

import pytest
from django.urls import reverse

from acompana.core.choices import Role
from acompana.core.models import Event, User
from acompana.core.tests.api_utils import make_token
from acompana.core.tests.factories import MembershipFactory, UserFactory


def get_me(client, raw):
    return client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {raw}")


def switch(client, raw, organization_id):
    return client.post(
        reverse("api:switch_organization"),
        json.dumps({"organization_id": organization_id}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


@pytest.mark.django_db
def test_me_describes_user_organization_roles_and_memberships(client, world):
    MembershipFactory(organization=world.other, user=world.unit_head, roles=[Role.AUDITOR])
    response = get_me(client, make_token(world.unit_head))
    assert response.status_code == 200
    data = response.json()
    assert data["user"] == {
        "id": world.unit_head.pk,
        "email": world.unit_head.email,
        "full_name": world.unit_head.full_name,
    }
    assert data["active_organization"]["id"] == world.org.pk
    assert data["roles"] == ["unit_head"]
    assert data["unit"] == {"id": world.unit.pk, "name": world.unit.name}
    assert "catalog.change" in data["permissions"]
    assert "core.manage_organization" not in data["permissions"]
    by_org = {m["organization"]["id"]: m for m in data["organizations"]}
    assert set(by_org) == {world.org.pk, world.other.pk}
    assert by_org[world.org.pk]["is_active_organization"] is True
    assert by_org[world.other.pk]["is_active_organization"] is False
    assert by_org[world.other.pk]["roles"] == ["auditor"]


@pytest.mark.django_db
def test_me_without_membership(client):
    response = get_me(client, make_token(UserFactory()))
    assert response.status_code == 200
    data = response.json()
    assert data["active_organization"] is None
    assert data["roles"] == [] and data["permissions"] == [] and data["organizations"] == []


@pytest.mark.django_db
def test_switch_organization(client, world):
    MembershipFactory(organization=world.other, user=world.planner, roles=[Role.AUDITOR])
    raw = make_token(world.planner)
    response = switch(client, raw, world.other.pk)
    assert response.status_code == 200
    data = response.json()
    assert data["active_organization"]["id"] == world.other.pk
    assert data["roles"] == ["auditor"]
    assert User.objects.get(pk=world.planner.pk).active_organization_id == world.other.pk
    assert Event.objects.filter(
        step_key="user.switched_organization", organization=world.other
    ).exists()
    # later requests work in the new organization
    org = client.get(reverse("api:organization"), HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert org["id"] == world.other.pk


@pytest.mark.django_db
def test_switch_to_an_organization_of_which_one_is_not_a_member_is_404(client, world):
    events = Event.objects.count()
    response = switch(client, make_token(world.planner), world.other.pk)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert User.objects.get(pk=world.planner.pk).active_organization_id == world.org.pk
    assert Event.objects.count() == events


@pytest.mark.django_db
def test_switch_to_an_inactive_membership_is_404(client, world):
    MembershipFactory(
        organization=world.other, user=world.planner, roles=[Role.AUDITOR], is_active=False
    )
    assert switch(client, make_token(world.planner), world.other.pk).status_code == 404


@pytest.mark.django_db
def test_me_query_count_does_not_grow_with_memberships(
    client, world, django_assert_max_num_queries
):
    from acompana.core.tests.factories import OrganizationFactory

    raw = make_token(world.admin)
    for _ in range(5):
        MembershipFactory(organization=OrganizationFactory(), user=world.admin, roles=["admin"])
    with django_assert_max_num_queries(6):
        assert get_me(client, raw).status_code == 200
