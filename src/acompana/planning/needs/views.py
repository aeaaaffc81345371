"""Pages of the needs (SAL-1, EDU-1): list, detail, create, edit, triage, status, evidence,
import and export. The public request form is in ``public.py``.

Thin views: parse the form, call a service, show its errors. The list renders the whole
page or, for htmx requests, only the results (live filtering); the filter form is the one
of ``filters.py``, shared with the API and the export.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from acompana.core.access import permission_view
from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.imports import ImportFlow
from acompana.core.permissions import has_perm
from acompana.core.procedures.trail import procedure_trail
from acompana.core.views.utils import apply_service_errors, paginate, querystring_without_page
from acompana.planning.choices import NeedStatus
from acompana.planning.needs import exports, selectors, services
from acompana.planning.needs.filters import NeedFilterForm
from acompana.planning.needs.forms import NeedForm, StatusForm, TriageForm
from acompana.planning.needs.imports import MAPPING_KIND, parse_need_file
from acompana.planning.needs.workflow import next_statuses

VIEW = "planning.view"
CHANGE = "planning.change_needs"
IMPORT = "planning.import"
EXPORT = "planning.export"


def _organization(request: HttpRequest) -> Any:
    return request.membership.organization  # type: ignore[attr-defined]


def _filter_form(request: HttpRequest) -> NeedFilterForm:
    return NeedFilterForm(request.GET, organization_id=_organization(request).pk)


# --- list, detail ----------------------------------------------------------------------------


@permission_view(VIEW)
def need_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    valid = form.is_valid()
    needs = selectors.needs_for_user(user=request.user)
    needs = form.apply(needs).order_by("-created_at", "-id") if valid else needs.none()
    status = form.cleaned_data.get("status") if valid else ""
    context = {
        "form": form,
        "page": paginate(request, needs),
        "querystring": querystring_without_page(request),
        "filtered": bool(form.active_filters()),
        "tab": "to_triage" if status == NeedStatus.TO_TRIAGE else "all",
        "to_triage_count": selectors.to_triage_count(user=request.user),
        "stakeholder": _filtered_stakeholder(request, form),
        "can_change": has_perm(request.user, CHANGE),
        "can_import": has_perm(request.user, IMPORT),
        "can_export": has_perm(request.user, EXPORT),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "planning/needs/_results.html", context)
    return render(request, "planning/needs/list.html", context)


def _filtered_stakeholder(request: HttpRequest, form: NeedFilterForm) -> Any:
    if not form.is_valid() or not form.cleaned_data.get("stakeholder"):
        return None
    found = selectors.stakeholders_by_ids(user=request.user, ids=[form.cleaned_data["stakeholder"]])
    return found[0] if found else None


@permission_view(VIEW)
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get(user=request.user, pk=pk)
    can_change = has_perm(request.user, CHANGE) and selectors.can_change_need(
        user=request.user, need=need
    )
    status_form = None
    if can_change and next_statuses(need.status):
        status_form = StatusForm(initial={"version": need.version}, need=need)
    return render(
        request,
        "planning/needs/detail.html",
        {
            "need": need,
            "stakeholders": [link.stakeholder for link in need.stakeholder_links.all()],
            "similar": selectors.similar_needs(user=request.user, need=need),
            "trail": procedure_trail(user=request.user, obj=need),
            "history_url": (
                reverse("core:audit_object", args=["planning", "need", need.pk])
                if has_perm(request.user, "core.view_audit")
                else None
            ),
            "can_change": can_change,
            "can_triage": has_perm(request.user, CHANGE)
            and selectors.can_triage_need(user=request.user, need=need),
            "status_form": status_form,
        },
    )


@permission_view(VIEW)
def need_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, streamed after the permission and scope checks.

    Evidence (an e-mail screenshot, a letter) holds personal data: it is never linked from
    the public media URL and is stored under a random name.
    """
    need = selectors.need_get(user=request.user, pk=pk)
    if not need.evidence:
        raise Http404
    name = need.evidence_filename or PurePath(need.evidence.name).name
    extension = PurePath(need.evidence.name).suffix.lower()
    inline = extension in (".png", ".jpg", ".jpeg", ".pdf")
    response = FileResponse(need.evidence.open("rb"), as_attachment=not inline, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- create, edit, triage, status ------------------------------------------------------------


@permission_view(CHANGE)
def need_create(request: HttpRequest) -> HttpResponse:
    form = NeedForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=_organization(request),
                data=form.service_data(),
                evidence=form.cleaned_data.get("evidence"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Need «%(title)s» registered.") % {"title": need.title})
            return redirect("planning:need_detail", pk=need.pk)
    return render(request, "planning/needs/form.html", {"form": form, "need": None})


@permission_view(CHANGE)
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get(user=request.user, pk=pk, action="change")
    initial = {
        "title": need.title,
        "description": need.description,
        "origin": need.origin,
        "source": need.source,
        "priority": need.priority,
        "topic": need.topic,
        "unit": need.unit,
        "fiscal_year": need.fiscal_year,
        "radicado": need.radicado,
        "received_on": need.received_on,
        "stakeholders": [link.stakeholder for link in need.stakeholder_links.all()],
        "version": need.version,
    }
    form = NeedForm(
        request.POST or None, request.FILES or None, user=request.user, need=need, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(
                actor=request.user,  # type: ignore[arg-type]
                need=need,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                evidence=form.cleaned_data.get("evidence"),
                clear_evidence=bool(form.cleaned_data.get("clear_evidence")),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Need «%(title)s» saved.") % {"title": need.title})
            return redirect("planning:need_detail", pk=need.pk)
    return render(request, "planning/needs/form.html", {"form": form, "need": need})


@permission_view(CHANGE)
def need_triage(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get(user=request.user, pk=pk, action="triage")
    if need.status != NeedStatus.TO_TRIAGE:
        messages.info(request, _("This need was already triaged."))
        return redirect("planning:need_detail", pk=need.pk)
    initial = {
        "decision": services.TRIAGE_ACCEPT,
        "unit": need.unit,
        "topic": need.topic,
        "priority": need.priority,
        "stakeholders": [link.stakeholder for link in need.stakeholder_links.all()],
        "version": need.version,
    }
    form = TriageForm(request.POST or None, user=request.user, need=need, initial=initial)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            services.need_triage(
                actor=request.user,  # type: ignore[arg-type]
                need=need,
                decision=decision,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data.get("reason") or "",
                data=form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if decision == services.TRIAGE_ACCEPT:
                messages.success(request, _("Request accepted: it is now an open need."))
            else:
                messages.success(request, _("Request discarded."))
            return redirect("planning:need_detail", pk=need.pk)
    return render(request, "planning/needs/triage.html", {"form": form, "need": need})


@permission_view(CHANGE)
@require_POST
def need_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get(user=request.user, pk=pk, action="change")
    form = StatusForm(request.POST, need=need)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("planning:need_detail", pk=need.pk)
    try:
        services.need_set_status(
            actor=request.user,  # type: ignore[arg-type]
            need=need,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data.get("reason") or "",
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        if isinstance(exc, TransitionError | StaleObjectError):
            raise  # 409 with the message (core.middleware.ConflictMiddleware)
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The need is now «%(status)s».") % {"status": need.get_status_display()},
        )
    return redirect("planning:need_detail", pk=need.pk)


@permission_view(CHANGE)
def need_stakeholder_options(request: HttpRequest) -> HttpResponse:
    """Checkboxes of the stakeholders matching the picker's search (htmx partial)."""
    exclude = [int(v) for v in request.GET.getlist("stakeholders") if v.isdigit()]
    options = selectors.stakeholder_options(
        user=request.user, text=request.GET.get("stakeholder_q", ""), exclude=exclude
    )
    return render(
        request,
        "planning/needs/_stakeholder_options.html",
        {
            "options": options,
            "searched": len(request.GET.get("stakeholder_q", "").strip()) >= 2,
            "limit": selectors.STAKEHOLDER_OPTIONS_LIMIT,
        },
    )


# --- export ----------------------------------------------------------------------------------


@permission_view(EXPORT)
def need_export(request: HttpRequest) -> Any:
    file_format = request.GET.get("format", "csv")
    if file_format not in ("csv", "xlsx"):
        raise Http404
    form = _filter_form(request)
    if not form.is_valid():
        messages.error(request, _("The filters of the list are not valid."))
        return redirect("planning:need_list")
    queryset = form.apply(selectors.needs_for_user(user=request.user)).order_by(
        "-created_at", "-id"
    )
    services.need_export_record(
        actor=request.user,  # type: ignore[arg-type]
        organization=_organization(request),
        file_format=file_format,
        count=queryset.count(),
        filters=form.cleaned_data,
    )
    return exports.export_response(queryset, file_format)


# --- import ----------------------------------------------------------------------------------


def _parse_import(*, user: Any, target: Any, content: bytes, filename: str) -> Any:
    return parse_need_file(
        organization=target,
        content=content,
        filename=filename,
        allowed_unit_ids=selectors.allowed_unit_ids(user=user),
    )


def _run_import(
    *, actor: Any, target: Any, content: bytes, filename: str, options: dict[str, Any]
) -> str:
    result = services.needs_import(
        actor=actor, organization=target, content=content, filename=filename
    )
    return _("%(count)s needs imported from %(file)s.") % {
        "count": result.created,
        "file": result.filename,
    }


def _start_import(
    *, actor: Any, target: Any, path: str, filename: str, options: dict[str, Any]
) -> Any:
    return services.needs_import_start(
        actor=actor, organization=target, path=path, filename=filename
    )


#: the import of needs on the shared pipeline (``core.imports``)
IMPORT_FLOW = ImportFlow(
    session_key="planning_need_imports",
    folder="planificacion/importaciones",
    upload_template="planning/needs/import_upload.html",
    preview_template="planning/needs/import_preview.html",
    upload_url="planning:need_import",
    preview_url="planning:need_import_preview",
    confirm_url="planning:need_import_confirm",
    done_url="planning:need_list",
    parse=_parse_import,
    run=_run_import,
    start=_start_import,
    mapping_kind=MAPPING_KIND,
    mapping_permission=IMPORT,
)
IMPORT_SESSION_KEY = IMPORT_FLOW.session_key


@permission_view(IMPORT)
def need_import(request: HttpRequest) -> HttpResponse:
    return IMPORT_FLOW.upload(request, target=_organization(request))


@permission_view(IMPORT)
def need_import_preview(request: HttpRequest) -> HttpResponse:
    return IMPORT_FLOW.preview(request, target=_organization(request))


@permission_view(IMPORT)
@require_POST
def need_import_confirm(request: HttpRequest) -> HttpResponse:
    return IMPORT_FLOW.confirm(request, target=_organization(request))


@permission_view(IMPORT)
def need_import_template(request: HttpRequest) -> Any:
    file_format = request.GET.get("format", "xlsx")
    if file_format not in ("csv", "xlsx"):
        raise Http404
    return exports.template_response(file_format)
