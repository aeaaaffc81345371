"""Scoped reads of plans and consolidated plans (SAL-2, FP-5, FP-6, EDU-2..EDU-8, DNP-3).

Every list and fetch goes through ``for_user``: objects of another organization are 404.
The plan page reads its lines with a constant number of queries whatever their number:
catalogue values, municipality and responsible are joined, stakeholders and needs come in
one prefetch each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from acompana.catalog.models import Service
from acompana.core.filters import bind
from acompana.core.models import Document, FiscalYear, Membership, Unit, User
from acompana.core.scoping import Action, active_membership, unit_subtree_ids
from acompana.planning.choices import NeedStatus, PlanStatus
from acompana.planning.models import (
    ConsolidatedPlan,
    Need,
    Plan,
    PlanComment,
    PlanLine,
    PlanLineNeed,
    PlanLineStakeholder,
)
from acompana.planning.plans import workflow
from acompana.planning.plans.filters import PlanFilterForm
from acompana.registry.filters import stakeholder_search_q
from acompana.registry.models import Stakeholder

SEARCH_LIMIT = 20


# --- plans -----------------------------------------------------------------------------------


def plans_for_user(*, user: Any, action: Action = "view") -> QuerySet[Plan]:
    return Plan.objects.for_user(user, action).select_related(  # type: ignore[no-any-return]
        "unit", "fiscal_year", "consolidated", "created_by", "organization"
    )


def with_totals(queryset: QuerySet[Plan]) -> QuerySet[Plan]:
    return queryset.annotate(line_count=Count("lines"), budget_total=Sum("lines__budget"))


def with_write_scope(queryset: QuerySet[Plan], *, user: Any) -> QuerySet[Plan]:
    """Annotate ``writable`` (inside the user's write scope) in the same query, so a list
    does not ask ``can_write_plan`` once per plan."""
    writable = Plan.objects.for_user(user, "change").filter(pk=OuterRef("pk"))
    return queryset.annotate(writable=Exists(writable))


def plan_list(*, user: Any, params: Mapping[str, Any]) -> QuerySet[Plan]:
    """The user's plans narrowed by the list filter (``ValidationError`` when invalid), with
    their totals and write scope annotated (one query for a page, whatever its size)."""
    form = bind(PlanFilterForm, params, user=user)
    return with_write_scope(with_totals(form.apply(plans_for_user(user=user))), user=user).order_by(
        "-fiscal_year__year", "unit__name", "id"
    )


def plan_get(*, user: Any, pk: int, action: Action = "view") -> Plan:
    plan = plans_for_user(user=user, action=action).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def can_write_plan(*, user: Any, plan: Plan) -> bool:
    """Whether ``plan`` is inside the user's write scope (its unit subtree when limited).

    The answer is kept on the plan object per user, so a page asking several times (the
    buttons, the grid, the import link) pays one query."""
    cache: dict[Any, bool] = plan.__dict__.setdefault("_writable_for", {})
    key = getattr(user, "pk", None)
    if key not in cache:
        cache[key] = bool(Plan.objects.for_user(user, "change").filter(pk=plan.pk).exists())
    return cache[key]


def lines_queryset() -> QuerySet[PlanLine]:
    """Lines with everything the grid, the PDF and the export show (constant queries)."""
    return PlanLine.objects.select_related(  # type: ignore[no-any-return]
        "topic",
        "service",
        "service_type",
        "mechanism",
        "modality",
        "municipality__department",
        "responsible",
    ).prefetch_related(
        Prefetch(
            "stakeholder_links",
            queryset=PlanLineStakeholder.objects.select_related("stakeholder").order_by(
                "stakeholder__name", "stakeholder_id"
            ),
        ),
        Prefetch(
            "need_links", queryset=PlanLineNeed.objects.select_related("need").order_by("need_id")
        ),
    )


def plan_lines(*, plan: Plan) -> QuerySet[PlanLine]:
    return lines_queryset().filter(plan=plan).order_by("position", "id")


def line_get(*, user: Any, pk: int, action: Action = "view") -> PlanLine:
    line = (
        lines_queryset()
        .filter(pk__in=PlanLine.objects.for_user(user, action).values("pk"))
        .select_related("plan", "plan__unit", "plan__fiscal_year", "plan__organization")
        .filter(pk=pk)
        .first()
    )
    if line is None:
        raise Http404
    return line


@dataclass
class PlanTotals:
    lines: int
    budget: Decimal
    stakeholders: int
    travel: int
    contract: int
    logistics: int


def plan_totals(*, plan: Plan) -> PlanTotals:
    row = PlanLine.objects.filter(plan=plan).aggregate(
        lines=Count("id"),
        budget=Sum("budget"),
        travel=Count("id", filter=Q(needs_travel=True)),
        contract=Count("id", filter=Q(needs_contract=True)),
        logistics=Count("id", filter=Q(needs_logistics=True)),
    )
    stakeholders = (
        PlanLineStakeholder.objects.filter(line__plan=plan)
        .values("stakeholder_id")
        .distinct()
        .count()
    )
    return PlanTotals(
        lines=row["lines"] or 0,
        budget=row["budget"] or Decimal(0),
        stakeholders=stakeholders,
        travel=row["travel"] or 0,
        contract=row["contract"] or 0,
        logistics=row["logistics"] or 0,
    )


def plan_comments(*, plan: Plan) -> QuerySet[PlanComment]:
    return plan.comments.select_related("author").order_by("created_at", "id")


def documents_of(*, user: Any, obj: Plan | ConsolidatedPlan) -> QuerySet[Document]:
    return (  # type: ignore[no-any-return]
        Document.objects.for_user(user)
        .filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


# --- choices of the forms --------------------------------------------------------------------


def fiscal_years_for_user(*, user: Any) -> QuerySet[FiscalYear]:
    return FiscalYear.objects.for_user(user).order_by("-year")  # type: ignore[no-any-return]


def writable_units(*, user: Any) -> QuerySet[Unit]:
    """Active units the user may write plans for (its unit subtree for unit-scoped roles)."""
    return Unit.objects.for_user(user, "change").filter(is_active=True).order_by("name")  # type: ignore[no-any-return]


def unit_services(*, plan: Plan, keep: Iterable[int | None] = ()) -> QuerySet[Service]:
    """The catalogue services of the plan's unit (active, plus those already chosen)."""
    kept = [pk for pk in keep if pk]
    return (  # type: ignore[no-any-return]
        Service.objects.filter(organization_id=plan.organization_id, unit_id=plan.unit_id)
        .filter(Q(is_active=True) | Q(pk__in=kept))
        .prefetch_related("topics", "mechanisms", "modalities")
        .order_by("name")
    )


def member_users(*, user: Any) -> QuerySet[User]:
    """Active members of the user's organization (responsible person of a line)."""
    membership = active_membership(user)
    if membership is None:
        return User.objects.none()
    return (
        User.objects.filter(
            memberships__organization_id=membership.organization_id,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "email")
    )


def unit_member_ids(*, plan: Plan) -> set[int]:
    return set(
        Membership.objects.filter(
            organization_id=plan.organization_id, unit_id=plan.unit_id, is_active=True
        ).values_list("user_id", flat=True)
    )


def stakeholder_search(
    *, user: Any, text: str, exclude: Iterable[int] = (), limit: int = SEARCH_LIMIT
) -> list[Stakeholder]:
    """Active stakeholders of the registry matching a name or identifier (the line picker)."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    return list(
        Stakeholder.objects.for_user(user)
        .filter(is_active=True)
        .filter(stakeholder_search_q(text))
        .exclude(pk__in=list(exclude))
        .select_related("municipality")
        .order_by("name", "id")[:limit]
    )


def need_search(
    *, user: Any, text: str, exclude: Iterable[int] = (), limit: int = SEARCH_LIMIT
) -> list[Need]:
    """The organization's needs (not discarded) matching a title or number (the line picker)."""
    text = (text or "").strip().lstrip("#")
    queryset = Need.objects.for_user(user).exclude(status=NeedStatus.DISCARDED)
    if text.isdigit():
        queryset = queryset.filter(Q(pk=int(text)) | Q(title__icontains=text))
    elif len(text) >= 2:
        queryset = queryset.filter(
            Q(title__icontains=text) | Q(description__icontains=text) | Q(reference__iexact=text)
        )
    return list(
        queryset.exclude(pk__in=list(exclude))
        .select_related("topic")
        .order_by("-created_at")[:limit]
    )


def stakeholders_by_ids(*, user: Any, ids: Iterable[int]) -> list[Stakeholder]:
    return list(Stakeholder.objects.for_user(user).filter(pk__in=list(ids)).order_by("name"))


def needs_by_ids(*, user: Any, ids: Iterable[int]) -> list[Need]:
    return list(Need.objects.for_user(user).filter(pk__in=list(ids)).order_by("pk"))


# --- consolidated plans ----------------------------------------------------------------------


def consolidated_for_user(*, user: Any) -> QuerySet[ConsolidatedPlan]:
    return ConsolidatedPlan.objects.for_user(user).select_related(  # type: ignore[no-any-return]
        "fiscal_year", "organization"
    )


def consolidated_list(*, user: Any) -> QuerySet[ConsolidatedPlan]:
    return (
        consolidated_for_user(user=user)
        .annotate(plan_count=Count("plans"))
        .order_by("-fiscal_year__year")
    )


def consolidated_get(*, user: Any, pk: int) -> ConsolidatedPlan:
    consolidated = consolidated_for_user(user=user).filter(pk=pk).first()
    if consolidated is None:
        raise Http404
    return consolidated


def consolidated_plans(*, consolidated: ConsolidatedPlan) -> QuerySet[Plan]:
    """The unit plans of a consolidated plan with their totals, by unit name."""
    return with_totals(
        Plan.objects.filter(consolidated=consolidated).select_related("unit", "fiscal_year")
    ).order_by("unit__name", "id")


def consolidated_lines(
    *, consolidated: ConsolidatedPlan, unit_id: int | None = None
) -> QuerySet[PlanLine]:
    lines = lines_queryset().filter(plan__consolidated=consolidated).select_related("plan__unit")
    if unit_id:
        lines = lines.filter(plan__unit_id=unit_id)
    return lines.order_by("plan__unit__name", "plan_id", "position", "id")


def consolidated_coverage(*, consolidated: ConsolidatedPlan) -> list[dict[str, Any]]:
    """EDU-6: every active service of the catalogue's value chain (by unit and service
    type) with the lines of the consolidated plan that cover it; ``lines`` empty is a gap.
    Two queries whatever the size."""
    services = (
        Service.objects.filter(organization_id=consolidated.organization_id, is_active=True)
        .select_related("unit", "service_type")
        .order_by("unit__name", "service_type__name", "name", "pk")
    )
    covering: dict[int, list[PlanLine]] = {}
    lines = (
        PlanLine.objects.filter(plan__consolidated=consolidated, service__isnull=False)
        .select_related("plan__unit")
        .order_by("plan__unit__name", "position", "pk")
    )
    for line in lines:
        covering.setdefault(line.service_id, []).append(line)  # type: ignore[arg-type]
    return [{"service": service, "lines": covering.get(service.pk, [])} for service in services]


def eligible_plans(*, consolidated: ConsolidatedPlan) -> QuerySet[Plan]:
    """Plans of the year ready to be gathered (approved by their unit, or submitted in FP)."""
    return Plan.objects.filter(
        organization_id=consolidated.organization_id,
        fiscal_year_id=consolidated.fiscal_year_id,
        status=workflow.consolidation_source(consolidated.organization),
    ).filter(Q(consolidated__isnull=True) | Q(consolidated=consolidated))


def pending_plans(*, consolidated: ConsolidatedPlan) -> QuerySet[Plan]:
    """Plans of the year that are not (or no longer) ready: drafts, returned, in review."""
    ready = {
        PlanStatus.CONSOLIDATED,
        PlanStatus.VERIFIED,
        PlanStatus.COMMITTEE_APPROVED,
        PlanStatus.PUBLISHED,
        workflow.consolidation_source(consolidated.organization),
    }
    return (
        Plan.objects.filter(
            organization_id=consolidated.organization_id,
            fiscal_year_id=consolidated.fiscal_year_id,
        )
        .exclude(status__in=ready)
        .select_related("unit")
        .order_by("unit__name")
    )


def open_findings(*, consolidated: ConsolidatedPlan) -> QuerySet[Any]:
    """Open findings of the consistency checks (written by ``planning.checks``)."""
    from acompana.planning.choices import FindingStatus
    from acompana.planning.models import Finding

    return Finding.objects.filter(
        consolidated=consolidated, status=FindingStatus.OPEN
    ).select_related("unit")


# --- pending work (home page) ------------------------------------------------------------------


def pending_plan_work(*, user: Any) -> list[tuple[str, int, str]]:
    """(title, count, url) of the plan work waiting for ``user``: plans returned to its unit,
    plans to review (EDU-3, SAL-2, DNP-3), approved plans to consolidate (EDU-4) and
    consolidated plans waiting for verification, the committee or publication."""
    from django.urls import reverse

    from acompana.core.permissions import has_perm
    from acompana.planning.choices import ConsolidatedStatus

    membership = active_membership(user)
    if membership is None:
        return []
    organization = membership.organization
    items: list[tuple[str, int, str]] = []
    plans_url = reverse("planning:plan_list")
    writable = Plan.objects.for_user(user, "change")
    if has_perm(user, "planning.edit_plan") and membership.unit_id:
        # the unit's own returned plans (planning sees them on the consolidated plan)
        own = unit_subtree_ids(membership.organization_id, membership.unit_id)
        returned = writable.filter(status=PlanStatus.RETURNED, unit_id__in=own).count()
        if returned:
            items.append(
                (str(_("Plans returned for adjustments")), returned, plans_url + "?status=returned")
            )
    switches = workflow.plan_switches(organization)
    unit_approves = switches[workflow.REVIEW] or not switches[workflow.CONSOLIDATION]
    if has_perm(user, "planning.review_plan") and unit_approves:
        review = writable.filter(status=PlanStatus.SUBMITTED).count()
        if review:
            items.append(
                (str(_("Plans waiting for your review")), review, plans_url + "?status=submitted")
            )
    if not workflow.has_consolidation(organization):
        return items
    consolidated_url = reverse("planning:consolidated_list")
    if has_perm(user, "planning.consolidate"):
        ready = (
            Plan.objects.for_user(user)
            .filter(status=workflow.consolidation_source(organization), consolidated__isnull=True)
            .count()
        )
        if ready:
            items.append((str(_("Approved plans to consolidate")), ready, consolidated_url))
    waiting = ConsolidatedPlan.objects.for_user(user)
    if has_perm(user, "planning.verify") and switches[workflow.VERIFICATION]:
        count = waiting.filter(status=ConsolidatedStatus.DRAFT).count()
        if count:
            items.append((str(_("Consolidated plans to verify")), count, consolidated_url))
    if has_perm(user, "planning.committee") and switches[workflow.COMMITTEE]:
        stages = (
            [ConsolidatedStatus.IN_COMMITTEE, ConsolidatedStatus.COMMITTEE_REVIEWED]
            if switches[workflow.VERIFICATION]
            else [ConsolidatedStatus.DRAFT]
        )
        count = waiting.filter(status__in=stages).count()
        if count:
            items.append(
                (str(_("Plans waiting for the committee's decision")), count, consolidated_url)
            )
    if has_perm(user, "planning.publish") and switches[workflow.PUBLICATION]:
        count = waiting.filter(status=ConsolidatedStatus.COMMITTEE_APPROVED).count()
        if count:
            items.append((str(_("Approved plans to publish")), count, consolidated_url))
    return items


def trail_related(*, user: Any, fiscal_year_id: int, plans: Iterable[Plan]) -> list[Any]:
    """The objects whose events belong on a plan's procedure trail besides the plan itself:
    the needs its lines serve (SAL-1, EDU-1), the year's priority list (FP-1, DNP-1) and the
    year's strategy with its proposals (FP-2..FP-4). Three queries whatever the size."""
    from acompana.planning.models import Need, PriorityList, Strategy, StrategyProposal

    plan_ids = [plan.pk for plan in plans]
    related: list[Any] = list(
        Need.objects.for_user(user)
        .filter(plan_line_links__line__plan_id__in=plan_ids)
        .distinct()
        .only("pk")
    )
    priority_list = (
        PriorityList.objects.for_user(user)
        .filter(fiscal_year_id=fiscal_year_id)
        .order_by("-saved_at")
        .only("pk")
        .first()
    )
    if priority_list is not None:
        related.append(priority_list)
    strategy = (
        Strategy.objects.for_user(user).filter(fiscal_year_id=fiscal_year_id).only("pk").first()
    )
    if strategy is not None:
        related.append(strategy)
        related.extend(StrategyProposal.objects.filter(strategy=strategy).only("pk"))
    return related
