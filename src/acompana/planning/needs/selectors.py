"""Scoped reads of the needs (necesidades): every list and fetch goes through ``for_user``.

The list is read with a constant number of queries whatever its length: topic, unit and
fiscal year are joined, the stakeholders of the page come in one prefetch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from acompana.catalog.models import Modality, Topic
from acompana.core.filters import bind
from acompana.core.models import FiscalYear, Organization, Unit
from acompana.core.scoping import Action, active_membership, unit_subtree_ids
from acompana.core.scoping import writes_limited_to_unit as _limited
from acompana.planning.choices import NeedStatus
from acompana.planning.models import Need, NeedStakeholder
from acompana.planning.needs.filters import NeedFilterForm
from acompana.registry.choices import StakeholderKind
from acompana.registry.filters import stakeholder_search_q
from acompana.registry.models import Stakeholder

STAKEHOLDER_OPTIONS_LIMIT = 20


def _stakeholder_links() -> Prefetch[Any]:
    return Prefetch(
        "stakeholder_links",
        queryset=NeedStakeholder.objects.select_related("stakeholder").order_by(
            "stakeholder__name", "stakeholder_id"
        ),
    )


def needs_for_user(*, user: Any, action: Action = "view") -> QuerySet[Need]:
    """The user's needs with what lists and detail pages show (constant queries)."""
    return (  # type: ignore[no-any-return]
        Need.objects.for_user(user, action)
        .select_related("topic", "unit", "fiscal_year", "requester_municipality")
        .prefetch_related(_stakeholder_links())
    )


def organization_id_of(user: Any) -> int:
    membership = active_membership(user)
    if membership is None:
        raise Http404
    return int(membership.organization_id)


def need_list(*, user: Any, params: Mapping[str, Any]) -> QuerySet[Need]:
    """The user's needs narrowed by the list filter (``ValidationError`` if invalid)."""
    form = bind(NeedFilterForm, params, organization_id=organization_id_of(user))
    return form.apply(needs_for_user(user=user)).order_by("-created_at", "-id")


def triageable_needs(*, user: Any) -> QuerySet[Need]:
    """Needs the user may triage: those in its write scope, plus the requests of the public
    form that still have no unit (SAL-1: the unit head who takes one assigns it to its unit;
    the service refuses any other unit for a unit-scoped role)."""
    writable = Need.objects.for_user(user, "change").values("pk")
    return needs_for_user(user=user).filter(
        Q(pk__in=writable) | Q(unit__isnull=True, status=NeedStatus.TO_TRIAGE)
    )


def can_triage_need(*, user: Any, need: Need) -> bool:
    return (
        need.status == NeedStatus.TO_TRIAGE
        and triageable_needs(user=user).filter(pk=need.pk).exists()
    )


def need_get(*, user: Any, pk: int, action: Action | Literal["triage"] = "view") -> Need:
    queryset = (
        triageable_needs(user=user)
        if action == "triage"
        else needs_for_user(user=user, action=action)
    )
    need = queryset.select_related("created_by", "triaged_by").filter(pk=pk).first()
    if need is None:
        raise Http404
    return need


def to_triage_count(*, user: Any) -> int:
    """Demand needs from the public form waiting to be triaged (the list's badge)."""
    return int(Need.objects.for_user(user).filter(status=NeedStatus.TO_TRIAGE).count())


def can_change_need(*, user: Any, need: Need) -> bool:
    """Whether ``need`` is inside the user's write scope (its unit subtree when limited)."""
    return bool(Need.objects.for_user(user, "change").filter(pk=need.pk).exists())


def similar_needs(*, user: Any, need: Need, limit: int = 10) -> list[Need]:
    """Other open or planned needs of the same stakeholders on the same topic (EDU-1 asks
    to keep the needs consistent: a duplicate shows up here before it reaches a plan)."""
    stakeholder_ids = [link.stakeholder_id for link in need.stakeholder_links.all()]
    if not stakeholder_ids or need.topic_id is None:
        return []
    return list(
        Need.objects.for_user(user)
        .filter(
            topic_id=need.topic_id,
            status__in=[NeedStatus.OPEN, NeedStatus.PLANNED, NeedStatus.TO_TRIAGE],
            stakeholder_links__stakeholder_id__in=stakeholder_ids,
        )
        .exclude(pk=need.pk)
        .select_related("unit")
        .distinct()
        .order_by("-created_at", "-id")[:limit]
    )


# --- choices for forms -----------------------------------------------------------------------


def topic_choices(*, user: Any, keep: Iterable[int | None] = ()) -> QuerySet[Topic]:
    """Active topics of the organization plus the ones already chosen."""
    keep_ids = [pk for pk in keep if pk]
    return (  # type: ignore[no-any-return]
        Topic.objects.for_user(user)
        .filter(Q(is_active=True) | Q(pk__in=keep_ids))
        .order_by("sort_order", "name")
    )


def writable_units(*, user: Any, keep: Iterable[int | None] = ()) -> QuerySet[Unit]:
    """Units the user may give a need to: its unit subtree when its writes are limited."""
    keep_ids = [pk for pk in keep if pk]
    qs = Unit.objects.for_user(user).filter(Q(is_active=True) | Q(pk__in=keep_ids))
    membership = active_membership(user)
    if membership is not None and _limited(membership):
        assert membership.unit_id is not None
        qs = qs.filter(pk__in=unit_subtree_ids(membership.organization_id, membership.unit_id))
    return qs.order_by("name")  # type: ignore[no-any-return]


def allowed_unit_ids(*, user: Any) -> set[int] | None:
    """The units the user's writes are limited to, or None when it may write any unit."""
    membership = active_membership(user)
    if membership is None or not _limited(membership):
        return None
    assert membership.unit_id is not None
    return unit_subtree_ids(membership.organization_id, membership.unit_id)


def fiscal_year_choices(*, user: Any) -> QuerySet[FiscalYear]:
    return FiscalYear.objects.for_user(user).order_by("-year")  # type: ignore[no-any-return]


def current_fiscal_year(*, organization: Organization) -> FiscalYear | None:
    """The organization's current vigencia (flagged current, else the latest)."""
    return (
        FiscalYear.objects.filter(organization=organization)
        .order_by("-is_current", "-year")
        .first()
    )


def stakeholder_choices(*, user: Any) -> QuerySet[Stakeholder]:
    """Stakeholders a need may name (validation of the picker: only selected ids are read)."""
    return Stakeholder.objects.for_user(user).only(  # type: ignore[no-any-return]
        "id", "name", "organization_id", "is_active"
    )


def stakeholder_options(*, user: Any, text: str, exclude: Iterable[int] = ()) -> list[Stakeholder]:
    """Active stakeholders matching ``text`` (name or identifier) for the picker."""
    text = text.strip()
    if len(text) < 2:
        return []
    return list(
        Stakeholder.objects.for_user(user)
        .filter(stakeholder_search_q(text), is_active=True)
        .exclude(pk__in=list(exclude))
        .select_related("municipality")
        .order_by("name", "id")[:STAKEHOLDER_OPTIONS_LIMIT]
    )


def stakeholders_by_ids(*, user: Any, ids: Iterable[int]) -> list[Stakeholder]:
    return list(
        Stakeholder.objects.for_user(user)
        .filter(pk__in=list(ids))
        .select_related("municipality")
        .order_by("name", "id")
    )


# --- public request form ---------------------------------------------------------------------


def public_organization(*, slug: str) -> Organization:
    """The active organization of a public request form, or 404."""
    organization = Organization.objects.filter(slug=slug, is_active=True).first()
    if organization is None:
        raise Http404
    return organization


def public_topics(*, organization: Organization) -> QuerySet[Topic]:
    return Topic.objects.filter(organization=organization, is_active=True).order_by(  # type: ignore[no-any-return]
        "sort_order", "name"
    )


def public_modalities(*, organization: Organization) -> QuerySet[Modality]:
    """The catalogue's active modalities a requester may prefer (public form)."""
    return Modality.objects.filter(organization=organization, is_active=True).order_by(  # type: ignore[no-any-return]
        "sort_order", "name"
    )


def requester_matches(*, user: Any, need: Need) -> list[Stakeholder]:
    """Registered stakeholders a public request may come from (triage, issue 11 §8): the one
    whose NIT or DANE code the requester gave, then the alcaldía of the requester's
    municipality. Active ones, in the user's organization, without repeats."""
    identifier = need.requester_identifier
    base = identifier.split("-", 1)[0]
    scoped = (
        Stakeholder.objects.for_user(user).filter(is_active=True).select_related("municipality")
    )
    found: list[Stakeholder] = []
    if base:
        found += list(
            scoped.filter(
                Q(nit=identifier)
                | Q(nit=base)
                | Q(nit__startswith=f"{base}-")
                | Q(dane_code=base)
                | Q(school_code=base)
            ).order_by("name", "id")[:5]
        )
    if need.requester_municipality_id:
        found += list(
            scoped.filter(
                kind=StakeholderKind.MUNICIPALITY, municipality_id=need.requester_municipality_id
            ).order_by("name", "id")[:3]
        )
    return list({s.pk: s for s in found}.values())
