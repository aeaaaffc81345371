"""The one scoping mechanism: every tenant read goes through ``Model.objects.for_user``.

Like NetBox's ``RestrictedQuerySet.restrict(user, action)``: the queryset is narrowed to
the user's active organization (anything else is then a 404 in views and the API), and for
writes by unit-scoped roles, when the organization's procedure profile says so, to the
user's unit and its sub-units. Role checks (403) are separate: see ``core.permissions``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from django.apps import apps
from django.db import models

if TYPE_CHECKING:
    from acompana.core.models import Membership

Action = Literal["view", "change"]

_UNSET = object()
_CACHE_ATTR = "_acompana_membership"


def active_membership(user: Any) -> Membership | None:
    """The user's membership in its active organization (cached on the user object).

    Falls back to the first active membership when the stored organization is no longer
    valid, so a removed membership never leaves a user pointing at another tenant. Reading
    it writes nothing.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, _CACHE_ATTR, _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    membership_model = apps.get_model("core", "Membership")
    memberships = membership_model.objects.filter(
        user=user, is_active=True, organization__is_active=True
    ).select_related("organization", "unit")
    membership = None
    if user.active_organization_id:
        membership = memberships.filter(organization_id=user.active_organization_id).first()
    if membership is None:
        # A read never writes: the stored choice is only changed by ``user_switch_organization``
        # (and on login); until then the first active membership is used.
        membership = memberships.order_by("organization__name").first()
    setattr(user, _CACHE_ATTR, membership)
    return membership  # type: ignore[no-any-return]


def forget_membership(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def unit_subtree_ids(organization_id: int, unit_id: int) -> set[int]:
    """Ids of a unit and all its descendants (units per organization are few)."""
    unit_model = apps.get_model("core", "Unit")
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in unit_model.objects.filter(organization_id=organization_id).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent_id, []).append(pk)
    result: set[int] = set()
    stack = [unit_id]
    while stack:
        current = stack.pop()
        if current in result:
            continue
        result.add(current)
        stack.extend(children.get(current, []))
    return result


def writes_limited_to_unit(membership: Membership) -> bool:
    """True when this membership may only write objects of its own unit subtree."""
    from acompana.core.choices import UNIT_SCOPED_ROLES, Role
    from acompana.core.procedures import profile_switch

    if membership.unit_id is None:
        return False
    if membership.has_role(Role.ADMIN, Role.PLANNER, Role.LEADERSHIP):
        return False
    if not any(role in UNIT_SCOPED_ROLES for role in membership.roles):
        return False
    return bool(profile_switch(membership.organization, "unit_scoped_writes"))


class TenantQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_organization(self, organization_id: int) -> TenantQuerySet:
        return self.filter(organization_id=organization_id)

    def for_user(self, user: Any, action: Action = "view") -> TenantQuerySet:
        membership = active_membership(user)
        if membership is None:
            return self.none()
        qs = self.filter(organization_id=membership.organization_id)
        if action == "view":
            return qs
        unit_path = getattr(self.model, "unit_path", None)
        if unit_path is None or not writes_limited_to_unit(membership):
            return qs
        assert membership.unit_id is not None
        allowed = unit_subtree_ids(membership.organization_id, membership.unit_id)
        lookup = f"{unit_path}__in" if unit_path else "pk__in"
        return qs.filter(**{lookup: allowed})
