"""Reads of the consolidation checks, always scoped (``for_user``: 404 outside the organization)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from acompana.planning.checks.rules import SEVERITY_ORDER
from acompana.planning.choices import FindingSeverity, FindingStatus
from acompana.planning.models import ConsolidatedPlan, Finding, PlanLine


def consolidated_plans_for_user(*, user: Any) -> QuerySet[ConsolidatedPlan]:
    """The organization's consolidated plans, newest year first, with open findings counted."""
    open_findings = Q(findings__status=FindingStatus.OPEN)
    return (
        ConsolidatedPlan.objects.for_user(user)
        .select_related("fiscal_year")
        .annotate(
            blocking_open=Count(
                "findings", filter=open_findings & Q(findings__severity=FindingSeverity.BLOCKING)
            ),
            warning_open=Count(
                "findings", filter=open_findings & Q(findings__severity=FindingSeverity.WARNING)
            ),
            suggestion_open=Count(
                "findings",
                filter=open_findings & Q(findings__severity=FindingSeverity.SUGGESTION),
            ),
        )
        .order_by("-fiscal_year__year", "-id")
    )


def consolidated_get(*, user: Any, pk: int) -> ConsolidatedPlan:
    plan = (
        ConsolidatedPlan.objects.for_user(user)
        .select_related("organization", "fiscal_year")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404
    return plan  # type: ignore[no-any-return]


def _severity_rank() -> Case:
    return Case(
        *[When(severity=severity, then=Value(rank)) for severity, rank in SEVERITY_ORDER.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def findings_of(*, user: Any, consolidated: ConsolidatedPlan) -> QuerySet[Finding]:
    """Findings of a consolidated plan: blocking first, then warnings, then suggestions."""
    return (
        Finding.objects.for_user(user)
        .filter(consolidated_id=consolidated.pk)
        .select_related("unit", "accepted_by")
        .annotate(severity_rank=_severity_rank())
        .order_by("severity_rank", "rule", "id")
    )


def finding_get(*, user: Any, pk: int) -> Finding:
    finding = (
        Finding.objects.for_user(user)
        .select_related(
            "consolidated__organization", "consolidated__fiscal_year", "unit", "accepted_by"
        )
        .filter(pk=pk)
        .first()
    )
    if finding is None:
        raise Http404
    return finding  # type: ignore[no-any-return]


def finding_counts(*, consolidated: ConsolidatedPlan) -> dict[str, dict[str, int]]:
    """severity → status → number of findings (one query)."""
    counts = {s: dict.fromkeys(FindingStatus.values, 0) for s in FindingSeverity.values}
    rows = (
        Finding.objects.filter(
            organization_id=consolidated.organization_id, consolidated_id=consolidated.pk
        )
        .values_list("severity", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for severity, status, n in rows:
        counts.setdefault(severity, {})[status] = n
    return counts


@dataclass(frozen=True)
class LineRef:
    """Where a finding's line lives: its unit, activity and a link to its plan."""

    id: int
    plan_id: int
    unit_name: str
    activity: str
    url: str | None


def plan_line_url(plan_id: int, line_id: int) -> str | None:
    """The line on its plan's page (``planning:plan_detail``), when that page exists."""
    try:
        return reverse("planning:plan_detail", kwargs={"pk": plan_id}) + f"#line-{line_id}"
    except NoReverseMatch:
        return None


def line_refs(*, user: Any, line_ids: set[int]) -> dict[int, LineRef]:
    """References of the lines named by some findings (one query, any number of lines)."""
    if not line_ids:
        return {}
    rows = (
        PlanLine.objects.for_user(user)
        .filter(pk__in=line_ids)
        .values_list("id", "plan_id", "plan__unit__name", "activity")
    )
    return {
        pk: LineRef(pk, plan_id, unit_name, activity, plan_line_url(plan_id, pk))
        for pk, plan_id, unit_name, activity in rows
    }
