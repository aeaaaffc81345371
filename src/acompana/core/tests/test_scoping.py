"""The one scoping mechanism (for_user) and the role table."""

from __future__ import annotations

import pytest

from acompana.core.models import Event, Membership, Unit
from acompana.core.permissions import has_perm
from acompana.core.scoping import active_membership, forget_membership

pytestmark = pytest.mark.django_db


def test_reads_are_limited_to_the_active_organization(world):
    assert set(Unit.objects.for_user(world.admin)) == {world.unit, world.sibling_unit}
    assert not Unit.objects.for_user(world.outsider).filter(organization=world.org).exists()


def test_unit_scoped_roles_write_only_in_their_unit_subtree(world):
    child = Unit.objects.create(
        organization=world.org, name="Subgrupo", kind="group", parent=world.unit
    )
    writable = set(Unit.objects.for_user(world.unit_head, "change"))
    assert writable == {world.unit, child}
    # reading is not narrowed
    assert world.sibling_unit in Unit.objects.for_user(world.unit_head)
    # organization-wide roles are not narrowed
    assert world.sibling_unit in Unit.objects.for_user(world.planner, "change")


def test_anonymous_and_users_without_membership_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Unit.objects.for_user(AnonymousUser()).exists()
    assert not Event.objects.for_user(None).exists()


def test_auditor_reads_everything_and_writes_nothing(world):
    assert has_perm(world.auditor, "registry.view")
    assert has_perm(world.auditor, "core.view_audit")
    assert not has_perm(world.auditor, "registry.change")
    assert not has_perm(world.auditor, "catalog.change")
    assert not has_perm(world.auditor, "core.manage_organization")


def test_inactive_membership_falls_back_to_another_organization(world):
    user = world.professional
    Membership.objects.create(organization=world.other, user=user, roles=["auditor"])
    Membership.objects.filter(user=user, organization=world.org).update(is_active=False)
    forget_membership(user)
    membership = active_membership(user)
    assert membership is not None and membership.organization == world.other


def test_reading_the_active_membership_writes_nothing(world, django_assert_num_queries):
    """The fallback is computed, not stored: a read path never updates the user row."""
    user = world.professional
    Membership.objects.create(organization=world.other, user=user, roles=["auditor"])
    Membership.objects.filter(user=user, organization=world.org).update(is_active=False)
    forget_membership(user)
    with django_assert_num_queries(2) as captured:
        membership = active_membership(user)
    assert membership is not None and membership.organization == world.other
    assert not any(
        q["sql"].lstrip().upper().startswith("UPDATE") for q in captured.captured_queries
    )
    user.refresh_from_db()
    assert user.active_organization_id == world.org.pk  # still the stored choice
