"""Scoped reads of the core app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from acompana.core.models import Event, Membership, Organization, Unit
from acompana.core.permissions import has_perm
from acompana.core.procedures import Profile, get_profile


@dataclass
class Stage:
    key: str
    title: str
    description: str
    url_name: str | None = None
    available: bool = False
    counts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def url(self) -> str | None:
        if not self.url_name:
            return None
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


#: The lifecycle of DESIGN section 2, in order. A stage whose app is not built yet has no
#: url: the home page says so honestly instead of linking to an empty page.
LIFECYCLE = [
    ("needs", _("Needs"), _("Needs of the grupos de valor, prioritisation."), "planning:need_list"),
    (
        "plans",
        _("Plans"),
        _("Strategy, plans per unit, consolidation, committee."),
        "planning:plan_list",
    ),
    ("agenda", _("Agenda"), _("Monthly or quarterly agenda, convocations, travel."), None),
    ("sessions", _("Sessions"), _("Delivery: minutes, attendance, commitments."), None),
    ("evaluation", _("Evaluation"), _("Satisfaction surveys and impact evaluation."), None),
    ("followup", _("Follow-up"), _("Milestones, commitments, corrective actions, reports."), None),
    ("archive", _("Archive"), _("Retention table, case files, FUID inventory."), None),
]


def lifecycle_stages(*, user: Any) -> list[Stage]:
    return [
        Stage(key=key, title=str(title), description=str(desc), url_name=url_name)
        for key, title, desc, url_name in LIFECYCLE
    ]


@dataclass
class PendingItem:
    title: str
    detail: str
    url: str


#: apps that contribute pending work through ``<app>/pending.py: pending_work(user)``
PENDING_WORK_APPS = ["planning"]


def pending_work(*, user: Any) -> list[PendingItem]:
    """Work waiting for this user: the core's own plus each lifecycle app's."""
    import importlib

    from django.utils import timezone

    from acompana.core.models import Invitation

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
    for app in PENDING_WORK_APPS:
        try:
            module = importlib.import_module(f"acompana.{app}.pending")
        except ModuleNotFoundError:
            continue
        items.extend(
            PendingItem(title=title, detail=detail, url=url)
            for title, detail, url in module.pending_work(user)
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
