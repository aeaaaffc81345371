"""Scoped reads of the catalogue, used by the pages, the API and the export.

``ServiceFilters`` is the one filter definition of the services list (DESIGN 6.4): the
page reads it from the query string, the API from its query parameters, the export from
the same query string as the page it was asked from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from acompana.catalog.choices import ActiveFilter, CatalogKind, ServiceOrigin
from acompana.catalog.models import (
    CatalogValue,
    Mechanism,
    MilestoneTemplate,
    Modality,
    Service,
    ServiceMechanism,
    ServiceModality,
    ServiceTopic,
    ServiceType,
    Topic,
)
from acompana.core.models import Unit
from acompana.core.scoping import Action

VALUE_MODELS: dict[str, type[CatalogValue]] = {
    CatalogKind.SERVICE_TYPE: ServiceType,
    CatalogKind.TOPIC: Topic,
    CatalogKind.MECHANISM: Mechanism,
    CatalogKind.MODALITY: Modality,
}


def catalog_values(
    *, user: Any, kind: str, active_only: bool = False, action: Action = "view"
) -> QuerySet[CatalogValue]:
    """The values of one vocabulary (``CatalogKind``) of the user's organization."""
    qs: QuerySet[CatalogValue]
    if kind == CatalogKind.TOPIC:
        qs = Topic.objects.for_user(user, action).select_related("parent")
    else:
        qs = VALUE_MODELS[kind].objects.for_user(user, action)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort_order", "name")


def value_choices(*, user: Any, kind: str, keep: Iterable[int] = ()) -> QuerySet[CatalogValue]:
    """Values offered in a form: the active ones plus those already chosen (``keep``)."""
    qs: QuerySet[CatalogValue]
    if kind == CatalogKind.TOPIC:
        qs = Topic.objects.for_user(user).select_related("parent")
    else:
        qs = VALUE_MODELS[kind].objects.for_user(user)
    qs = qs.filter(Q(is_active=True) | Q(pk__in=list(keep)))
    return qs.order_by("sort_order", "name")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@dataclass
class ServiceFilters:
    """Filters of the services list; unknown or malformed values are ignored."""

    q: str = ""
    unit: int | None = None
    service_type: int | None = None
    topic: int | None = None
    mechanism: int | None = None
    modality: int | None = None
    origin: str = ""
    active: str = ActiveFilter.ACTIVE

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> ServiceFilters:
        active = str(params.get("active") or ActiveFilter.ACTIVE)
        origin = str(params.get("origin") or "")
        return cls(
            q=str(params.get("q") or "").strip()[:200],
            unit=_int_or_none(params.get("unit")),
            service_type=_int_or_none(params.get("service_type")),
            topic=_int_or_none(params.get("topic")),
            mechanism=_int_or_none(params.get("mechanism")),
            modality=_int_or_none(params.get("modality")),
            origin=origin if origin in ServiceOrigin.values else "",
            active=active if active in ActiveFilter.values else ActiveFilter.ACTIVE,
        )

    def as_query(self) -> dict[str, str]:
        """Non-empty filters as query-string parameters (for links and the export)."""
        result = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, ""):
                result[f.name] = str(value)
        return result

    def apply(self, qs: QuerySet[Service]) -> QuerySet[Service]:
        if self.q:
            qs = qs.filter(
                Q(name__icontains=self.q)
                | Q(description__icontains=self.q)
                | Q(code__iexact=self.q)
            )
        if self.unit:
            qs = qs.filter(unit_id=self.unit)
        if self.service_type:
            qs = qs.filter(service_type_id=self.service_type)
        # a sub-topic's services count for its parent topic too
        if self.topic:
            topic_links = ServiceTopic.objects.filter(
                Q(topic_id=self.topic) | Q(topic__parent_id=self.topic)
            )
            qs = qs.filter(pk__in=topic_links.values("service_id"))
        if self.mechanism:
            links = ServiceMechanism.objects.filter(mechanism_id=self.mechanism)
            qs = qs.filter(pk__in=links.values("service_id"))
        if self.modality:
            links_m = ServiceModality.objects.filter(modality_id=self.modality)
            qs = qs.filter(pk__in=links_m.values("service_id"))
        if self.origin:
            # a service offered "both" ways answers both an offer and a demand
            qs = qs.filter(origin__in=[self.origin, ServiceOrigin.BOTH])
        if self.active == ActiveFilter.ACTIVE:
            qs = qs.filter(is_active=True)
        elif self.active == ActiveFilter.INACTIVE:
            qs = qs.filter(is_active=False)
        return qs

    @property
    def is_filtered(self) -> bool:
        return self.as_query() != {"active": ActiveFilter.ACTIVE}


def services_for_user(*, user: Any, action: Action = "view") -> QuerySet[Service]:
    """Services of the user's organization (``"change"``: those the user may edit)."""
    return Service.objects.for_user(user, action)


def service_list(*, user: Any, filters: ServiceFilters | None = None) -> QuerySet[Service]:
    """The services list with everything a row shows, in a constant number of queries."""
    qs: QuerySet[Service] = (
        services_for_user(user=user)
        .select_related("unit", "service_type")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.select_related("parent")),
            "mechanisms",
            "modalities",
        )
        .annotate(milestone_count=Count("milestones", distinct=True))
        .order_by("unit__name", "name", "pk")
    )
    if filters is not None:
        qs = filters.apply(qs)
    return qs


def service_detail(*, user: Any) -> QuerySet[Service]:
    """Queryset to fetch one service with its vocabularies and milestones."""
    return (
        services_for_user(user=user)
        .select_related("unit", "service_type")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.select_related("parent")),
            "mechanisms",
            "modalities",
            Prefetch("milestones", queryset=MilestoneTemplate.objects.order_by("order", "pk")),
        )
    )


def writable_units(*, user: Any) -> QuerySet[Unit]:
    """Units whose services the user may create or edit (its unit subtree if unit-scoped)."""
    return Unit.objects.for_user(user, "change")


def can_change_service(*, user: Any, service: Service) -> bool:
    """Whether ``user`` may edit ``service`` (role checked by the caller, unit scope here)."""
    return services_for_user(user=user, action="change").filter(pk=service.pk).exists()


def milestones_for_user(*, user: Any, action: Action = "view") -> QuerySet[MilestoneTemplate]:
    return MilestoneTemplate.objects.for_user(user, action).select_related(
        "service", "service__unit", "service__organization"
    )


def service_milestones(*, service: Service) -> list[MilestoneTemplate]:
    return list(MilestoneTemplate.objects.filter(service=service).order_by("order", "pk"))


def required_milestone_ids(*, service: Service) -> set[int]:
    """Ids of the hitos that must be met for the service to count as delivered (FP-2)."""
    return set(
        MilestoneTemplate.objects.filter(service=service, required=True).values_list(
            "pk", flat=True
        )
    )


def delivery_complete(*, service: Service, met_milestone_ids: Iterable[int]) -> bool:
    """FP-2: a service counts as delivered only when all its required milestones are met.

    Later stages (delivery/follow-up) pass the template ids whose milestone an assistance
    has met. A service without required milestones is delivered once its assistance is
    recorded; the catalogue page warns when a service has no milestones.
    """
    return required_milestone_ids(service=service) <= set(met_milestone_ids)
