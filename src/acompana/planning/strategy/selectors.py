"""Scoped reads of the strategy (FP-2..FP-4), used by the pages and the API.

Everything goes through ``Model.objects.for_user(user[, "change"])``: another organization's
strategy is a 404, and ``"change"`` narrows proposals to the unit subtree of a unit head.
The consolidation summary (FP-3: offer and demand) is read in a constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from acompana.catalog.models import MilestoneTemplate, Modality, Service, Topic
from acompana.core.choices import Role
from acompana.core.models import Document, FiscalYear, Membership, Organization
from acompana.core.procedures import profile_switch
from acompana.core.scoping import Action
from acompana.planning.choices import NeedStatus, Priority, ProposalStatus
from acompana.planning.models import Need, Strategy, StrategyProposal, StrategyRound
from acompana.planning.strategy.services import ACTA_KIND, consolidation_blockers

# --- strategies and fiscal years --------------------------------------------------------------


def strategies_for_user(*, user: Any) -> QuerySet[Strategy]:
    """Strategies of the user's organization, newest year first."""
    return (
        Strategy.objects.for_user(user)
        .select_related("fiscal_year", "organization", "created_by")
        .order_by("-fiscal_year__year")
    )


def fiscal_years_for_user(*, user: Any) -> QuerySet[FiscalYear]:
    return FiscalYear.objects.for_user(user).order_by("-year")


@dataclass
class YearRow:
    fiscal_year: FiscalYear
    strategy: Strategy | None


def year_overview(*, user: Any) -> list[YearRow]:
    """Every fiscal year of the organization with its strategy (None: not opened yet)."""
    by_year = {s.fiscal_year_id: s for s in strategies_for_user(user=user)}
    return [YearRow(fy, by_year.get(fy.pk)) for fy in fiscal_years_for_user(user=user)]


def years_without_strategy(*, user: Any) -> QuerySet[FiscalYear]:
    opened = Strategy.objects.for_user(user).values("fiscal_year_id")
    return fiscal_years_for_user(user=user).exclude(pk__in=opened)


# --- proposals ---------------------------------------------------------------------------------


def _services_prefetch() -> Prefetch:
    return Prefetch(
        "services",
        queryset=Service.objects.select_related("service_type")
        .prefetch_related("topics")
        .annotate(
            required_milestones=Count("milestones", filter=Q(milestones__required=True)),
        )
        .order_by("name"),
    )


def proposals_for_user(*, user: Any, action: Action = "view") -> QuerySet[StrategyProposal]:
    """Proposals of the user's organization (``"change"``: those the user may write)."""
    return StrategyProposal.objects.for_user(user, action).select_related(
        "strategy",
        "strategy__fiscal_year",
        "strategy__organization",
        "unit",
        "modality",
        "submitted_by",
    )


def strategy_proposals(*, user: Any, strategy: Strategy) -> QuerySet[StrategyProposal]:
    """The proposals of ``strategy`` with their services, in a constant number of queries."""
    return (
        proposals_for_user(user=user)
        .filter(strategy=strategy)
        .prefetch_related(_services_prefetch())
        .order_by("unit__name")
    )


def proposal_detail(*, user: Any, action: Action = "view") -> QuerySet[StrategyProposal]:
    return proposals_for_user(user=user, action=action).prefetch_related(_services_prefetch())


def writable_proposal_ids(*, user: Any, strategy: Strategy) -> set[int]:
    """Ids of the proposals of ``strategy`` the user may change (unit scope)."""
    return set(
        StrategyProposal.objects.for_user(user, "change")
        .filter(strategy=strategy)
        .values_list("pk", flat=True)
    )


def service_choices(*, proposal: StrategyProposal) -> QuerySet[Service]:
    """Services a unit may propose: the active ones of its unit, plus those already chosen."""
    chosen = proposal.services.values("pk") if proposal.pk else Service.objects.none()
    return (
        Service.objects.filter(organization_id=proposal.organization_id, unit_id=proposal.unit_id)
        .filter(Q(is_active=True) | Q(pk__in=chosen))
        .select_related("service_type")
        .order_by("name")
    )


def modality_choices(*, user: Any, keep: int | None = None) -> QuerySet[Modality]:
    return (
        Modality.objects.for_user(user)
        .filter(Q(is_active=True) | Q(pk=keep))
        .order_by("sort_order", "name")
    )


def milestones_of(*, services: list[Service]) -> dict[int, list[MilestoneTemplate]]:
    """The milestone templates (hitos) of ``services`` by service id, in order (one query)."""
    result: dict[int, list[MilestoneTemplate]] = {s.pk: [] for s in services}
    for milestone in MilestoneTemplate.objects.filter(service_id__in=list(result)).order_by(
        "service_id", "order", "pk"
    ):
        result[milestone.service_id].append(milestone)
    return result


def milestones_tracked(organization: Organization) -> bool:
    """Whether the procedure tracks milestones (FP-2: delivered when all hitos are met)."""
    return bool(profile_switch(organization, "milestones"))


def service_warnings(
    *, organization: Organization, services: list[Service], milestones: dict[int, list[Any]]
) -> list[str]:
    """FP-2 warnings on the services of a proposal: no required milestones, withdrawn."""
    warnings = []
    tracked = milestones_tracked(organization)
    for service in services:
        if not service.is_active:
            warnings.append(
                _("«%(name)s» is no longer offered in the catalogue.") % {"name": service.name}
            )
        if tracked and not any(m.required for m in milestones.get(service.pk, [])):
            warnings.append(
                _(
                    "«%(name)s» has no required milestones: a service counts as delivered only "
                    "when all its milestones are met (FP-2). Define them in the catalogue."
                )
                % {"name": service.name}
            )
    return warnings


# --- committee ---------------------------------------------------------------------------------


def committee_members(*, organization: Organization) -> list[Membership]:
    return list(
        Membership.objects.filter(
            organization=organization,
            is_active=True,
            roles__contains=[Role.COMMITTEE],
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__full_name")
    )


def committee_attendees_text(*, organization: Organization) -> str:
    """The committee members of the organization, one a line (to prefill the attendees)."""
    lines = []
    for membership in committee_members(organization=organization):
        user = membership.user
        name = user.full_name or user.email
        lines.append(f"{name} — {user.position}" if user.position else name)
    return "\n".join(lines)


def strategy_rounds(*, user: Any, strategy: Strategy) -> QuerySet[StrategyRound]:
    """Every round of the strategy, oldest first, with its decision and acta document."""
    return (
        StrategyRound.objects.for_user(user)
        .filter(strategy=strategy)
        .select_related("consolidated_by", "decision", "decision__recorded_by", "acta_document")
        .order_by("number")
    )


def strategy_documents(*, user: Any, strategy: Strategy) -> QuerySet[Document]:
    """The documents of the strategy (the committee's actas), newest first."""
    return (
        Document.objects.for_user(user)
        .filter(
            content_type=ContentType.objects.get_for_model(Strategy), object_id=str(strategy.pk)
        )
        .order_by("-created_at", "-pk")
    )


def acta_documents(*, user: Any, strategy: Strategy) -> QuerySet[Document]:
    return strategy_documents(user=user, strategy=strategy).filter(kind=ACTA_KIND)


# --- FP-3: consolidation (offer and demand) ---------------------------------------------------


@dataclass
class Note:
    """A validation note of the consolidation: ``blocking``, ``warning`` or ``info``."""

    level: str
    message: str


@dataclass
class UnitOffer:
    proposal: StrategyProposal
    services: list[Service]
    topics: list[str]


@dataclass
class DemandRow:
    label: str
    total: int
    high: int
    demand: int
    covered: bool | None = None


@dataclass
class ConsolidationSummary:
    """FP-3: what the units offer against what the year's needs ask for."""

    offers: list[UnitOffer]
    excluded: list[StrategyProposal]
    pending: list[StrategyProposal]
    total_resources: Decimal
    demand_by_topic: list[DemandRow]
    demand_by_unit: list[DemandRow]
    needs_total: int
    notes: list[Note] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)

    @property
    def can_consolidate(self) -> bool:
        return not self.blockers

    @property
    def service_count(self) -> int:
        return sum(len(o.services) for o in self.offers)


def needs_of_year(*, user: Any, strategy: Strategy) -> QuerySet[Need]:
    """The demand: needs of the strategy's year, and open needs not yet assigned to a year."""
    return (
        Need.objects.for_user(user)
        .filter(
            Q(fiscal_year_id=strategy.fiscal_year_id)
            | Q(fiscal_year__isnull=True, status__in=[NeedStatus.OPEN, NeedStatus.TO_TRIAGE])
        )
        .exclude(status=NeedStatus.DISCARDED)
    )


def _demand_counts() -> dict[str, Any]:
    return {
        "total": Count("pk"),
        "high": Count("pk", filter=Q(priority=Priority.HIGH)),
        "demand": Count("pk", filter=Q(origin="demand")),
    }


def consolidation_summary(*, user: Any, strategy: Strategy) -> ConsolidationSummary:
    """Offer (services per unit, resources) and demand (needs by topic and unit), with the
    validation notes planning reviews before consolidating (FP-3)."""
    proposals = list(strategy_proposals(user=user, strategy=strategy))
    offers: list[UnitOffer] = []
    excluded: list[StrategyProposal] = []
    pending: list[StrategyProposal] = []
    offered_topics: set[int] = set()
    offered_parents: set[int] = set()
    total = Decimal("0")
    notes: list[Note] = []
    tracked = milestones_tracked(strategy.organization)
    for proposal in proposals:
        if proposal.excluded:
            excluded.append(proposal)
            continue
        if proposal.status not in (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED):
            pending.append(proposal)
        services = list(proposal.services.all())
        topics: dict[int, Topic] = {}
        for service in services:
            for topic in service.topics.all():
                topics[topic.pk] = topic
                if topic.parent_id:
                    offered_parents.add(topic.parent_id)
            if not service.is_active:
                notes.append(
                    Note(
                        "warning",
                        _("%(unit)s: «%(name)s» is no longer offered in the catalogue.")
                        % {"unit": proposal.unit, "name": service.name},
                    )
                )
            if tracked and not getattr(service, "required_milestones", 0):
                notes.append(
                    Note(
                        "warning",
                        _(
                            "%(unit)s: «%(name)s» has no required milestones, so its delivery "
                            "cannot be verified."
                        )
                        % {"unit": proposal.unit, "name": service.name},
                    )
                )
        offered_topics.update(topics)
        total += proposal.resources
        if proposal.status in (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED):
            if proposal.resources == 0:
                notes.append(
                    Note(
                        "warning",
                        _("%(unit)s proposes no resources: confirm its financing.")
                        % {"unit": proposal.unit},
                    )
                )
            if proposal.joint:
                notes.append(
                    Note(
                        "info",
                        _("%(unit)s proposes joint work with other units.")
                        % {"unit": proposal.unit},
                    )
                )
        offers.append(
            UnitOffer(
                proposal=proposal,
                services=services,
                topics=sorted(t.name for t in topics.values()),
            )
        )

    needs = needs_of_year(user=user, strategy=strategy)
    by_topic = []
    uncovered = []
    for row in (
        needs.values("topic_id", "topic__name", "topic__parent_id")
        .annotate(**_demand_counts())
        .order_by("-total", "topic__name")
    ):
        topic_id = row["topic_id"]
        covered: bool | None = None
        if topic_id is not None:
            covered = (
                topic_id in offered_topics
                or row["topic__parent_id"] in offered_topics
                or topic_id in offered_parents
            )
            if not covered:
                uncovered.append(row["topic__name"])
        by_topic.append(
            DemandRow(
                label=row["topic__name"] or _("No topic"),
                total=row["total"],
                high=row["high"],
                demand=row["demand"],
                covered=covered,
            )
        )
    by_unit = [
        DemandRow(
            label=row["unit__name"] or _("No unit assigned"),
            total=row["total"],
            high=row["high"],
            demand=row["demand"],
        )
        for row in needs.values("unit_id", "unit__name")
        .annotate(**_demand_counts())
        .order_by("-total", "unit__name")
    ]
    needs_total = sum(r.total for r in by_topic)
    if uncovered:
        notes.insert(
            0,
            Note(
                "warning",
                _("No proposed service covers these topics with needs: %(topics)s.")
                % {"topics": ", ".join(uncovered)},
            ),
        )
    blockers = consolidation_blockers(strategy)
    return ConsolidationSummary(
        offers=offers,
        excluded=excluded,
        pending=pending,
        total_resources=total,
        demand_by_topic=by_topic,
        demand_by_unit=by_unit,
        needs_total=needs_total,
        notes=[Note("blocking", b) for b in blockers] + notes,
        blockers=blockers,
    )


@dataclass
class DemandPriorities:
    """The demand side of FP-3 beside the needs of the year: the requests open today,
    whatever year they arrived in, and the year's saved priority list (FP-1)."""

    open_requests: int
    priority_list: Any
    prioritised: list[Any]


def demand_priorities(*, user: Any, strategy: Strategy, limit: int = 50) -> DemandPriorities:
    """Open requests (accepted, not addressed nor discarded, any year) and the selected
    stakeholders of the year's priority list, in rank order (at most ``limit``)."""
    from acompana.planning.prioritisation import selectors as prioritisation

    open_requests = (
        Need.objects.for_user(user).filter(status__in=prioritisation.OPEN_REQUEST_STATUSES).count()
    )
    priority_list = prioritisation.current_priority_list(
        user=user, fiscal_year=strategy.fiscal_year
    )
    prioritised = (
        list(prioritisation.priority_list_entries(priority_list=priority_list)[:limit])
        if priority_list is not None
        else []
    )
    return DemandPriorities(
        open_requests=open_requests, priority_list=priority_list, prioritised=prioritised
    )


def trail_objects(*, strategy: Strategy) -> list[Any]:
    """The strategy and its proposals: the objects whose events make its procedure trail
    (FP-2 events are on the proposals, FP-3 and FP-4 on the strategy)."""
    return list(StrategyProposal.objects.filter(strategy=strategy).only("pk"))
