"""Scoped reads of the catalogue, used by the pages, the API and the export.

The services list is narrowed by its one filter definition, ``catalog.filters.
ServiceFilterForm`` (DESIGN 6.4), bound by the page, the API and the export alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from acompana.catalog.choices import CatalogKind
from acompana.catalog.filters import ServiceFilterForm
from acompana.catalog.models import (
    CatalogValue,
    Mechanism,
    MilestoneTemplate,
    Modality,
    Service,
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


def services_for_user(*, user: Any, action: Action = "view") -> QuerySet[Service]:
    """Services of the user's organization (``"change"``: those the user may edit)."""
    return Service.objects.for_user(user, action)


def service_list(*, user: Any, filters: ServiceFilterForm | None = None) -> QuerySet[Service]:
    """The services list with everything a row shows, in a constant number of queries,
    narrowed by the list's filter form when given."""
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
