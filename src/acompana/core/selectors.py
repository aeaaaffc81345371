"""Scoped reads of the core app."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from acompana.core.models import Event, FiscalYear, Membership, Organization, Unit
from acompana.core.permissions import has_perm
from acompana.core.procedures import Profile, get_profile


@dataclass
class Stage:
    title: str
    description: str
    url: str
    #: a numbered stage of the lifecycle, or a reference area (registry, catalogue)
    stage: bool = True


def lifecycle_stages(*, user: Any) -> list[Stage]:
    """The home page's cards, from every installed app's ``lifecycle`` (in lifecycle order)."""
    from acompana.core.plugins import product_apps

    return [
        Stage(
            title=str(s.title),
            description=str(s.description),
            url=reverse(s.url_name),
            stage=s.stage,
        )
        for app in product_apps()
        for s in app.lifecycle
    ]


@dataclass
class PendingItem:
    title: str
    detail: str
    url: str


def pending_work(*, user: Any) -> list[PendingItem]:
    """Work waiting for this user: the core's own plus each app's ``pending_work``."""
    from django.utils import timezone

    from acompana.core.models import Invitation
    from acompana.core.plugins import apps_with

    items: list[PendingItem] = []
    if has_perm(user, "core.manage_organization"):
        open_invitations = (
            Invitation.objects.for_user(user)
            .filter(
                accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
            )
            .count()
        )
        if open_invitations:
            items.append(
                PendingItem(
                    title=str(_("Invitations waiting for an answer")),
                    detail=str(open_invitations),
                    url=reverse("core:member_list"),
                )
            )
        if not Unit.objects.for_user(user).exists():
            items.append(
                PendingItem(
                    title=str(_("Create the units of the organization")),
                    detail="",
                    url=reverse("core:unit_list"),
                )
            )
    for app in apps_with("pending_work"):
        provider = app.hook("pending_work")
        assert provider is not None
        items.extend(
            PendingItem(title=title, detail=detail, url=url)
            for title, detail, url in provider(user)
        )
    return items


def events_for_user(*, user: Any) -> QuerySet[Event]:
    return Event.objects.for_user(user).select_related("actor", "content_type")


def events_for_object(*, user: Any, obj: Any) -> QuerySet[Event]:
    from django.contrib.contenttypes.models import ContentType

    return events_for_user(user=user).filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


def units_for_user(*, user: Any) -> QuerySet[Unit]:
    return Unit.objects.for_user(user).select_related("parent")


def memberships_for_user(*, user: Any) -> QuerySet[Membership]:
    return Membership.objects.for_user(user).select_related("user", "unit")


def procedure_summary(*, organization: Organization) -> Profile:
    return get_profile(organization)


def year_being_planned(years: Iterable[FiscalYear]) -> FiscalYear | None:
    """The vigencia a year picker offers first: the one being planned.

    Planning happens the year before (a plan, a strategy or a priority list made in
    December is for next year), so the default is the fiscal year after the current one when
    the organization registered it, else the current one, else the newest. ``years`` are the
    fiscal years the picker offers (already scoped to the user).
    """
    offered = list(years)
    current = next((y for y in offered if y.is_current), None)
    if current is None:
        current_years = [y for y in offered if y.year == timezone.localdate().year]
        current = current_years[0] if current_years else None
    if current is not None:
        following = next((y for y in offered if y.year == current.year + 1), None)
        return following or current
    return max(offered, key=lambda y: y.year, default=None)
