"""Pages of the consolidation checks (EDU-4, EDU-5): findings, run, accept, export.

Thin views over ``selectors`` and ``services``. The findings page renders the whole page or,
for htmx requests, only the results (filters); accepting a finding swaps its card in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from acompana.core.access import permission_view
from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.permissions import has_perm
from acompana.core.views.utils import apply_service_errors, paginate, querystring_without_page
from acompana.planning.checks import exports, selectors, services
from acompana.planning.checks.filters import FindingFilterForm
from acompana.planning.checks.forms import FindingAcceptForm
from acompana.planning.checks.rules import (
    FIELD_CHECKS,
    REQUIRED_FIELDS_STEP,
    RULES,
    required_fields_for,
)
from acompana.planning.choices import FindingStatus
from acompana.planning.models import ConsolidatedPlan, Finding

VIEW = "planning.view"
RUN = "planning.consolidate"
VERIFY = "planning.verify"
EXPORT = "planning.export"


def _with_refs(request: HttpRequest, findings: list[Finding]) -> list[Finding]:
    """Attach ``refs`` (the lines, linked to their plan) to each finding (one query)."""
    refs = selectors.line_refs(
        user=request.user, line_ids={pk for f in findings for pk in f.line_ids}
    )
    for finding in findings:
        finding.refs = [refs.get(pk) for pk in finding.line_ids]  # type: ignore[attr-defined]
        finding.rule_label = RULES[finding.rule].label if finding.rule in RULES else finding.rule  # type: ignore[attr-defined]
    return findings


def _permissions(request: HttpRequest, consolidated: ConsolidatedPlan) -> dict[str, bool]:
    is_open = consolidated.status not in services.CLOSED_STATUSES
    return {
        "can_run": has_perm(request.user, RUN) and is_open,
        "can_accept": has_perm(request.user, VERIFY) and is_open,
        "can_export": has_perm(request.user, EXPORT),
    }


def _consolidated_url(consolidated: ConsolidatedPlan) -> str | None:
    """The consolidated plan's own page (plans area), when it exists."""
    try:
        return reverse("planning:consolidated_detail", kwargs={"pk": consolidated.pk})
    except NoReverseMatch:
        return None


def _summary(consolidated: ConsolidatedPlan) -> dict[str, Any]:
    counts = selectors.finding_counts(consolidated=consolidated)
    return {
        "counts": counts,
        "blocking_open": counts["blocking"]["open"],
    }


@permission_view(VIEW)
def checks_index(request: HttpRequest) -> HttpResponse:
    plans = selectors.consolidated_plans_for_user(user=request.user)
    return render(
        request,
        "planning/checks/index.html",
        {"page": paginate(request, plans), "querystring": querystring_without_page(request)},
    )


@permission_view(VIEW)
def findings(request: HttpRequest, pk: int) -> HttpResponse:
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    form = FindingFilterForm(request.GET, organization_id=consolidated.organization_id)
    queryset = selectors.findings_of(user=request.user, consolidated=consolidated)
    queryset = form.apply(queryset) if form.is_valid() else queryset.none()
    page = paginate(request, queryset)
    _with_refs(request, list(page.object_list))
    procedure = consolidated.organization.procedure_code
    context = {
        "consolidated": consolidated,
        "consolidated_url": _consolidated_url(consolidated),
        "form": form,
        "page": page,
        "querystring": querystring_without_page(request),
        "filtered": bool(form.active_filters()),
        "rules": RULES.values(),
        "required_fields": [FIELD_CHECKS[key].label for key in required_fields_for(procedure)],
        "required_step": REQUIRED_FIELDS_STEP.get(procedure, "EDU-5"),
        **_summary(consolidated),
        **_permissions(request, consolidated),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "planning/checks/_results.html", context)
    return render(request, "planning/checks/findings.html", context)


@permission_view(RUN)
@require_POST
def checks_run(request: HttpRequest, pk: int) -> HttpResponse:
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    try:
        outcome = services.checks_run(actor=request.user, consolidated=consolidated)  # type: ignore[arg-type]
    except ValidationError as exc:
        if isinstance(exc, TransitionError | StaleObjectError):
            raise  # 409 with the message (core.middleware.ConflictMiddleware)
        for message in exc.messages:
            messages.error(request, message)
        return redirect("planning:findings", pk=consolidated.pk)
    if outcome.job is not None:
        messages.info(
            request,
            _(
                "The plans are large: the checks run in the background. This page shows the progress."
            ),
        )
        return redirect("core:job_detail", pk=outcome.job.pk)
    findings = outcome.findings or []
    open_count = sum(1 for f in findings if f.status == FindingStatus.OPEN)
    messages.success(
        request,
        _("Checks run: %(n)s findings, %(open)s open.") % {"n": len(findings), "open": open_count},
    )
    return redirect("planning:findings", pk=consolidated.pk)


@permission_view(VERIFY)
def finding_accept(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.finding_get(user=request.user, pk=pk)
    consolidated = finding.consolidated
    auto_id = f"finding-{finding.pk}-%s"
    form = FindingAcceptForm(request.POST or None, auto_id=auto_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_accept(
                actor=request.user,  # type: ignore[arg-type]
                finding=finding,
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, _("Finding accepted with its justification."))
                return redirect(
                    reverse("planning:findings", args=[consolidated.pk]) + f"#finding-{finding.pk}"
                )
            form = FindingAcceptForm(auto_id=auto_id)
            finding = selectors.finding_get(user=request.user, pk=pk)
    _with_refs(request, [finding])
    context = {
        "consolidated": consolidated,
        "finding": finding,
        "form": form,
        "accepting": finding.status == FindingStatus.OPEN,
        **_permissions(request, consolidated),
    }
    if request.htmx:  # type: ignore[attr-defined]
        context.update(_summary(consolidated))
        return render(request, "planning/checks/_finding_swap.html", context)
    return render(request, "planning/checks/accept.html", context)


@permission_view(EXPORT)
def findings_export(request: HttpRequest, pk: int) -> Any:
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    form = FindingFilterForm(request.GET, organization_id=consolidated.organization_id)
    if not form.is_valid():
        messages.error(request, _("The filters of the list are not valid."))
        return redirect("planning:findings", pk=consolidated.pk)
    queryset = form.apply(selectors.findings_of(user=request.user, consolidated=consolidated))
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return exports.findings_response(queryset, consolidated=consolidated, file_format=file_format)
