"""API of the consolidation checks (EDU-4, EDU-5), mounted at /api/v1/planificacion/verificacion.

The rules every router follows are ``acompana.core.api``'s; the findings list filters with
the page's filter form.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema

from acompana.core.api import (
    ERROR_RESPONSES,
    CursorParams,
    Page,
    api_permission,
    page_of,
)
from acompana.planning.checks import selectors, services
from acompana.planning.checks.filters import FindingFilterQuery, bound_filter_form
from acompana.planning.checks.rules import RULES
from acompana.planning.models import ConsolidatedPlan, Finding

router = Router(tags=["Planeación"])

VIEW, RUN, VERIFY = "planning.view", "planning.consolidate", "planning.verify"


class FindingOut(Schema):
    id: int
    consolidated_id: int
    rule: str
    rule_label: str
    severity: str
    status: str
    message: str
    fix_hint: str
    line_ids: list[int]
    unit_id: int | None
    unit_name: str | None
    fingerprint: str
    justification: str
    accepted_by: str | None
    accepted_at: datetime.datetime | None
    created_at: datetime.datetime


def _finding_out(f: Finding) -> FindingOut:
    rule = RULES.get(f.rule)
    return FindingOut(
        id=f.pk,
        consolidated_id=f.consolidated_id,
        rule=f.rule,
        rule_label=str(rule.label) if rule else f.rule,
        severity=f.severity,
        status=f.status,
        message=f.message,
        fix_hint=f.fix_hint,
        line_ids=list(f.line_ids),
        unit_id=f.unit_id,
        unit_name=f.unit.name if f.unit else None,
        fingerprint=f.fingerprint,
        justification=f.justification,
        accepted_by=str(f.accepted_by) if f.accepted_by else None,
        accepted_at=f.accepted_at,
        created_at=f.created_at,
    )


class SeverityCounts(Schema):
    open: int
    accepted: int
    fixed: int


class ChecksSummaryOut(Schema):
    consolidated_id: int
    checked_at: datetime.datetime | None
    blocking: SeverityCounts
    warning: SeverityCounts
    suggestion: SeverityCounts
    #: false while a blocking finding is open (verification, EDU-5, cannot pass)
    can_verify: bool


class ChecksRunOut(Schema):
    """The run finished (``summary``) or, for large plans, runs as a job (``job_id``)."""

    ran: bool
    job_id: int | None = None
    job_url: str | None = None
    summary: ChecksSummaryOut | None = None


class AcceptIn(Schema):
    justification: str


def _summary(consolidated: ConsolidatedPlan) -> ChecksSummaryOut:
    counts = selectors.finding_counts(consolidated=consolidated)
    return ChecksSummaryOut(
        consolidated_id=consolidated.pk,
        checked_at=consolidated.checked_at,
        blocking=SeverityCounts(**counts["blocking"]),
        warning=SeverityCounts(**counts["warning"]),
        suggestion=SeverityCounts(**counts["suggestion"]),
        can_verify=consolidated.checked_at is not None and counts["blocking"]["open"] == 0,
    )


@router.post(
    "/verificacion/{consolidated_id}/ejecutar",
    response={200: ChecksRunOut, 202: ChecksRunOut, **ERROR_RESPONSES},
    url_name="planning_checks_run",
)
@api_permission(RUN)
def checks_run(request: HttpRequest, consolidated_id: int) -> Any:
    """Run the consolidation checks (EDU-4, EDU-5). Large plans run as a job: 202 and the
    job's id (follow it on ``/tareas/<id>/``); otherwise 200 and the counts."""
    consolidated = selectors.consolidated_get(user=request.user, pk=consolidated_id)
    outcome = services.checks_run(actor=request.user, consolidated=consolidated)  # type: ignore[arg-type]
    if outcome.job is not None:
        return 202, ChecksRunOut(
            ran=False,
            job_id=outcome.job.pk,
            job_url=reverse("core:job_detail", args=[outcome.job.pk]),
        )
    return 200, ChecksRunOut(ran=True, summary=_summary(consolidated))


@router.get(
    "/verificacion/{consolidated_id}/resumen",
    response={200: ChecksSummaryOut, **ERROR_RESPONSES},
    url_name="planning_checks_summary",
)
@api_permission(VIEW)
def checks_summary(request: HttpRequest, consolidated_id: int) -> Any:
    """Findings counted by severity and status; ``can_verify`` is what EDU-5 requires."""
    return _summary(selectors.consolidated_get(user=request.user, pk=consolidated_id))


@router.get(
    "/verificacion/{consolidated_id}/hallazgos",
    response={200: Page[FindingOut], **ERROR_RESPONSES},
    url_name="planning_finding_list",
)
@api_permission(VIEW)
def finding_list(
    request: HttpRequest,
    consolidated_id: int,
    filters: Query[FindingFilterQuery],
    page: Query[CursorParams],
) -> Any:
    """Findings of a consolidated plan, filtered like the page (``status`` empty: open and
    accepted; ``all``: fixed included); paged by cursor."""
    consolidated = selectors.consolidated_get(user=request.user, pk=consolidated_id)
    form = bound_filter_form(
        filters.dict(exclude_none=True), organization_id=consolidated.organization_id
    )
    queryset = form.apply(selectors.findings_of(user=request.user, consolidated=consolidated))
    return page_of(queryset, page, _finding_out)


@router.get(
    "/verificacion/hallazgos/{finding_id}",
    response={200: FindingOut, **ERROR_RESPONSES},
    url_name="planning_finding_detail",
)
@api_permission(VIEW)
def finding_detail(request: HttpRequest, finding_id: int) -> Any:
    return _finding_out(selectors.finding_get(user=request.user, pk=finding_id))


@router.post(
    "/verificacion/hallazgos/{finding_id}/aceptar",
    response={200: FindingOut, **ERROR_RESPONSES},
    url_name="planning_finding_accept",
)
@api_permission(VERIFY)
def finding_accept(request: HttpRequest, finding_id: int, payload: AcceptIn) -> Any:
    """Accept an open finding with a justification (at least 10 characters; planning only).
    409 when it is already accepted or fixed."""
    finding = selectors.finding_get(user=request.user, pk=finding_id)
    services.finding_accept(
        actor=request.user,  # type: ignore[arg-type]
        finding=finding,
        justification=payload.justification,
    )
    return _finding_out(selectors.finding_get(user=request.user, pk=finding_id))
