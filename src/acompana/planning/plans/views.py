"""Pages of the plans area (SAL-2, FP-5, FP-6, EDU-2..EDU-8, DNP-3).

Thin views: parse, call a service, show its errors. The plan page is a grid of lines edited
inline with htmx: the same views answer a full page to a plain request and a table row (or
the table body) to an htmx request, so the page also works without JavaScript.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from acompana.core.access import permission_view
from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.imports import ImportFlow
from acompana.core.models import Organization, User
from acompana.core.permissions import has_perm
from acompana.core.procedures import get_profile
from acompana.core.procedures.trail import procedure_trail
from acompana.core.views.utils import apply_service_errors, paginate, querystring_without_page
from acompana.planning.choices import FindingSeverity, PlanStatus
from acompana.planning.committee import committee_decisions_for
from acompana.planning.models import ConsolidatedPlan, Plan, PlanLine
from acompana.planning.plans import excel, selectors, services, workflow
from acompana.planning.plans.filters import PlanFilterForm
from acompana.planning.plans.forms import (
    CommentsForm,
    CommitteeDecisionForm,
    ConsolidatedCreateForm,
    ConsolidatedReturnForm,
    ImportConfirmForm,
    ImportUploadForm,
    PlanCreateForm,
    PlanLineForm,
    PlanTitleForm,
)

VIEW = "planning.view"
EDIT = "planning.edit_plan"
REVIEW = "planning.review_plan"
PUBLISH = "planning.publish"
CONSOLIDATE = "planning.consolidate"
VERIFY = "planning.verify"
COMMITTEE = "planning.committee"
#: importing lines into a plan is writing its lines: whoever may edit the unit's plan
IMPORT = EDIT
EXPORT = "planning.export"

LINES_PAGE_SIZE = 100
#: lines per page of a unit plan's grid: the page costs the same with 5 or 500 lines
#: (``benchmarks/plan_page.py``)
GRID_PAGE_SIZE = 25
#: a pk no line has, reversed once and replaced per line (reversing per row is slow)
_PK = 987654321
_LINE_URLS = {
    "edit": "planning:plan_line_edit",
    "duplicate": "planning:plan_line_duplicate",
    "move": "planning:plan_line_move",
    "delete": "planning:plan_line_delete",
}


def _organization(request: HttpRequest) -> Organization:
    return request.membership.organization  # type: ignore[attr-defined, no-any-return]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _fp_fields(organization: Organization) -> bool:
    return get_profile(organization).code == "FP"


def _can_edit_lines(request: HttpRequest, plan: Plan) -> bool:
    return (
        plan.status in workflow.EDITABLE
        and has_perm(request.user, EDIT)
        and selectors.can_write_plan(user=request.user, plan=plan)
    )


def _with_urls(lines: list[PlanLine]) -> list[PlanLine]:
    """Attach each line's action URLs (``line.urls``): one ``reverse`` per kind of action
    for the whole grid instead of five per row."""
    patterns = {name: reverse(view, args=[_PK]) for name, view in _LINE_URLS.items()}
    token = str(_PK)
    for line in lines:
        pk = str(line.pk)
        line.urls = {name: url.replace(token, pk) for name, url in patterns.items()}  # type: ignore[attr-defined]
    return lines


def _row_context(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    """What every grid row needs; the CSRF field is made once for all the rows' forms."""
    return {
        "plan": plan,
        "can_edit": _can_edit_lines(request, plan),
        "fp_fields": _fp_fields(plan.organization),
        "csrf_input": format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        ),
    }


def _grid_page_number(request: HttpRequest) -> str | None:
    """The grid's page: ``?page=`` or, for an htmx action, the page the user is on."""
    number = request.GET.get("page")
    if number is None and _is_htmx(request):
        current = request.headers.get("HX-Current-URL", "")
        number = parse_qs(urlsplit(current).query).get("page", [None])[0]
    return number


def _grid(
    request: HttpRequest, plan: Plan, totals: selectors.PlanTotals | None = None
) -> dict[str, Any]:
    """One page of the plan's lines with their links (a constant number of queries; with
    the plan's ``totals`` already read, the page count costs no query either)."""
    paginator = Paginator(selectors.plan_lines(plan=plan), GRID_PAGE_SIZE)
    if totals is not None:
        paginator.__dict__["count"] = totals.lines  # the cached_property, known already
    page = paginator.get_page(_grid_page_number(request))
    return {
        "lines": _with_urls(list(page.object_list)),
        "lines_page": page,
        **_row_context(request, plan),
    }


def _changed(response: HttpResponse) -> HttpResponse:
    """Tell the page the plan's lines changed (its summary reloads itself)."""
    response["HX-Trigger"] = "plan-changed"
    return response


# --- plans -----------------------------------------------------------------------------------


@permission_view(VIEW)
def plan_list(request: HttpRequest) -> HttpResponse:
    form = PlanFilterForm(request.GET or None, user=request.user)
    plans = selectors.plans_for_user(user=request.user)
    if form.is_bound:
        plans = form.apply(plans) if form.is_valid() else plans.none()
    plans = selectors.with_totals(plans).order_by("-fiscal_year__year", "unit__name", "id")
    organization = _organization(request)
    context = {
        "form": form,
        "page": paginate(request, plans),
        "querystring": querystring_without_page(request),
        "filtered": form.is_filtered(),
        "can_create": has_perm(request.user, EDIT),
        "has_consolidation": workflow.has_consolidation(organization),
        "path": workflow.plan_path(organization),
    }
    if _is_htmx(request):
        return render(request, "planning/plans/_plan_results.html", context)
    return render(request, "planning/plans/plan_list.html", context)


@permission_view(EDIT)
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=_organization(request),
                unit=form.cleaned_data["unit"],
                fiscal_year=form.cleaned_data["fiscal_year"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Plan «%(title)s» opened.") % {"title": plan.title})
            return redirect("planning:plan_detail", pk=plan.pk)
    return render(request, "planning/plans/plan_form.html", {"form": form})


def _path_steps(plan: Plan) -> list[dict[str, Any]]:
    labels = dict(PlanStatus.choices)
    path = workflow.plan_path(plan.organization)
    current = plan.status
    index = path.index(current) if current in path else 1  # returned sits at "submitted"
    return [
        {"label": labels.get(state, state), "done": i < index, "current": i == index}
        for i, state in enumerate(path)
    ]


def _plan_context(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    organization = plan.organization
    can_edit = _can_edit_lines(request, plan)
    actions = []
    can_act = selectors.can_write_plan(user=request.user, plan=plan)
    if can_act:
        for transition in workflow.plan_actions(
            user=request.user, organization=organization, status=plan.status
        ):
            actions.append(
                {
                    "action": transition.action,
                    "label": workflow.action_label(transition),
                    "comments": transition.comments,
                }
            )
    consolidated = plan.consolidated
    related: list[ConsolidatedPlan] = [consolidated] if consolidated is not None else []
    header = excel.plan_header(organization)
    totals = selectors.plan_totals(plan=plan)
    return {
        **_grid(request, plan, totals),
        "lines_querystring": querystring_without_page(request),
        "totals": totals,
        "comments": selectors.plan_comments(plan=plan),
        "documents": selectors.documents_of(user=request.user, obj=plan),
        "consolidated_documents": selectors.documents_of(user=request.user, obj=consolidated)
        if consolidated is not None
        else [],
        "trail": procedure_trail(
            user=request.user,
            obj=plan,
            related=[
                *related,
                *selectors.trail_related(
                    user=request.user, fiscal_year_id=plan.fiscal_year_id, plans=[plan]
                ),
            ],
        ),
        "can_edit": can_edit,
        "can_rename": can_edit,
        "can_import": can_edit,
        "can_export": has_perm(request.user, EXPORT),
        "actions": actions,
        "steps": _path_steps(plan),
        "fp_fields": _fp_fields(organization),
        "header": header,
    }


@permission_view(VIEW)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    return render(request, "planning/plans/plan_detail.html", _plan_context(request, plan))


@permission_view(VIEW)
def plan_summary(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    return render(
        request,
        "planning/plans/_summary.html",
        {"plan": plan, "totals": selectors.plan_totals(plan=plan)},
    )


@permission_view(EDIT)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    form = PlanTitleForm(
        request.POST or None, initial={"title": plan.title, "version": plan.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                actor=request.user,  # type: ignore[arg-type]
                plan=plan,
                expected_version=form.cleaned_data["version"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Plan updated."))
            return redirect("planning:plan_detail", pk=plan.pk)
    return render(request, "planning/plans/plan_edit.html", {"plan": plan, "form": form})


# --- lines (the grid) ------------------------------------------------------------------------


def _line_form(
    request: HttpRequest, plan: Plan, line: PlanLine | None, data: Any = None
) -> PlanLineForm:
    key = line.pk if line is not None else "new"
    return PlanLineForm(
        data,
        user=request.user,
        plan=plan,
        line=line,
        fp_fields=_fp_fields(plan.organization),
        auto_id=f"line-{key}-%s",
    )


def _row(
    request: HttpRequest, plan: Plan, line: PlanLine, *, message: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "planning/plans/_line_row.html",
        {**_row_context(request, plan), "line": _with_urls([line])[0], "message": message},
        status=status,
    )


def _form_row(
    request: HttpRequest, plan: Plan, form: PlanLineForm, *, message: str = ""
) -> HttpResponse:
    return render(
        request,
        "planning/plans/_line_form_row.html",
        {"plan": plan, "form": form, "line": form.line, "message": message},
    )


def _body(request: HttpRequest, plan: Plan) -> HttpResponse:
    return _changed(
        render(
            request,
            "planning/plans/_lines_body.html",
            _grid(request, plan),
        )
    )


def _back(request: HttpRequest, plan: Plan) -> HttpResponse:
    return redirect("planning:plan_detail", pk=plan.pk)


@permission_view(EDIT)
def plan_line_create(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: an empty line form (a table row for htmx). POST: add the line."""
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    form = _line_form(request, plan, None, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            line = services.plan_line_create(
                actor=request.user,  # type: ignore[arg-type]
                plan=plan,
                data=form.line_input(),
            )
        except TransitionError as exc:
            form.add_error(None, exc)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if not _is_htmx(request):
                messages.success(request, _("Line added."))
                return _back(request, plan)
            return _changed(_row(request, plan, selectors.line_get(user=request.user, pk=line.pk)))
    if _is_htmx(request):
        return _form_row(request, plan, form)
    return render(
        request, "planning/plans/line_form.html", {"plan": plan, "form": form, "line": None}
    )


@permission_view(VIEW)
def plan_line_row(request: HttpRequest, pk: int) -> HttpResponse:
    """The display row of a line (cancels an inline edit)."""
    line = selectors.line_get(user=request.user, pk=pk)
    return _row(request, line.plan, line)


@permission_view(EDIT)
def plan_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = selectors.line_get(user=request.user, pk=pk, action="change")
    plan = line.plan
    form = _line_form(request, plan, line, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_line_update(
                actor=request.user,  # type: ignore[arg-type]
                line=line,
                expected_version=form.cleaned_data["version"],
                data=form.line_input(),
            )
        except StaleObjectError as exc:
            # refused: the fresh content, to apply the changes again
            if not _is_htmx(request):
                raise  # 409 with the message (core.middleware.ConflictMiddleware)
            fresh = selectors.line_get(user=request.user, pk=pk)
            message = " ".join(exc.messages)
            return _form_row(request, plan, _line_form(request, plan, fresh), message=message)
        except TransitionError as exc:
            if not _is_htmx(request):
                raise  # 409 with the message (core.middleware.ConflictMiddleware)
            return _row(request, plan, line, message=" ".join(exc.messages))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if not _is_htmx(request):
                messages.success(request, _("Line saved."))
                return _back(request, plan)
            return _changed(_row(request, plan, selectors.line_get(user=request.user, pk=pk)))
    if _is_htmx(request):
        return _form_row(request, plan, form)
    return render(
        request, "planning/plans/line_form.html", {"plan": plan, "form": form, "line": line}
    )


def _line_action(request: HttpRequest, pk: int, call: Any, done: str) -> HttpResponse:
    line = selectors.line_get(user=request.user, pk=pk, action="change")
    plan = line.plan
    try:
        call(line)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if _is_htmx(request):
            response = _body(request, plan)
            response["HX-Refresh"] = "true"  # show the message with the fresh page
            return response
        return _back(request, plan)
    if _is_htmx(request):
        return _body(request, plan)
    messages.success(request, done)
    return _back(request, plan)


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", "0"))
    except ValueError:
        return 0


@permission_view(EDIT)
@require_POST
def plan_line_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    return _line_action(
        request,
        pk,
        lambda line: services.plan_line_duplicate(actor=_user(request), line=line),
        _("Line duplicated below the original."),
    )


@permission_view(EDIT)
@require_POST
def plan_line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _line_action(
        request,
        pk,
        lambda line: services.plan_line_delete(
            actor=_user(request),
            line=line,
            expected_version=_version(request),
        ),
        _("Line deleted."),
    )


@permission_view(EDIT)
@require_POST
def plan_line_move(request: HttpRequest, pk: int) -> HttpResponse:
    return _line_action(
        request,
        pk,
        lambda line: services.plan_line_move(
            actor=_user(request),
            line=line,
            direction=request.POST.get("direction", ""),
        ),
        _("Line moved."),
    )


def _selected_ids(request: HttpRequest, name: str) -> list[int]:
    return [int(v) for v in request.GET.getlist(name) if v.isdigit()]


@permission_view(EDIT)
def plan_stakeholder_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Active stakeholders of the registry for the line picker (htmx)."""
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    text = request.GET.get("q", "")
    results = selectors.stakeholder_search(
        user=request.user, text=text, exclude=_selected_ids(request, "stakeholders")
    )
    return render(
        request,
        "planning/plans/_picker_results.html",
        {
            "plan": plan,
            "items": [
                (s.pk, s.name, s.municipality.name.title() if s.municipality else "")
                for s in results
            ],
            "name": "stakeholders",
            "prefix": request.GET.get("prefix", "line"),
            "text": text,
            "short": len(text.strip()) < 2,
        },
    )


@permission_view(EDIT)
def plan_need_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The organization's needs for the line picker (htmx)."""
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    text = request.GET.get("q", "")
    results = selectors.need_search(
        user=request.user, text=text, exclude=_selected_ids(request, "needs")
    )
    return render(
        request,
        "planning/plans/_picker_results.html",
        {
            "plan": plan,
            "items": [(n.pk, f"#{n.pk} {n.title}", n.get_status_display()) for n in results],
            "name": "needs",
            "prefix": request.GET.get("prefix", "line"),
            "text": text,
            "short": False,
        },
    )


# --- transitions -----------------------------------------------------------------------------


def _transition(request: HttpRequest, pk: int, action: str, done: str) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    form = CommentsForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    try:
        services.plan_transition(
            actor=request.user,  # type: ignore[arg-type]
            plan=plan,
            action=action,
            comments=data.get("comments") or "",
            expected_version=data.get("version"),
        )
    except ValidationError as exc:
        if isinstance(exc, TransitionError | StaleObjectError):
            raise  # 409 with the message (core.middleware.ConflictMiddleware)
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % {"title": plan.title})
    return redirect("planning:plan_detail", pk=plan.pk)


@permission_view(EDIT)
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """EDU-2, SAL-2, FP-5, DNP-3: submit (or resubmit after a return)."""
    return _transition(request, pk, "submit", _("Plan «%(title)s» submitted."))


@permission_view(EDIT)
@require_POST
def plan_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    """SAL-2, DNP-3: no review stage, one action finalises (publishes) the plan."""
    return _transition(request, pk, "finalise", _("Plan «%(title)s» finalised."))


@permission_view(REVIEW)
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """EDU-3 approve; SAL-2/DNP-3 approve and publish."""
    return _transition(request, pk, "approve", _("Plan «%(title)s» approved."))


@permission_view(PUBLISH)
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "publish", _("Plan «%(title)s» published."))


@permission_view(REVIEW)
def plan_return(request: HttpRequest, pk: int) -> HttpResponse:
    """EDU-3: return the plan to the unit with comments (a page, or the form on the plan)."""
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    form = CommentsForm(request.POST or None, required=True, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_return(
                actor=request.user,  # type: ignore[arg-type]
                plan=plan,
                comments=form.cleaned_data["comments"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            if isinstance(exc, TransitionError | StaleObjectError):
                raise  # 409 with the message (core.middleware.ConflictMiddleware)
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Plan returned to the unit with your comments."))
            return redirect("planning:plan_detail", pk=plan.pk)
    return render(request, "planning/plans/plan_return.html", {"plan": plan, "form": form})


# --- documents and spreadsheets --------------------------------------------------------------


def _filename(text: str, extension: str) -> str:
    return f"{slugify(text)[:80] or 'plan'}.{extension}"


@permission_view(VIEW)
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's PDF as it is now (stored copies are in the document list)."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    response = HttpResponse(services.plan_pdf(plan=plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(plan.title, "pdf")}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan_info(plan: Plan) -> list[tuple[str, str]]:
    return [
        ("Dependencia", plan.unit.name),
        ("Vigencia", str(plan.fiscal_year.year)),
        ("Plan", plan.title),
        ("Estado", str(plan.get_status_display())),
    ]


@permission_view(EXPORT)
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan in its official format's columns (MI-GE-RG-217, MI-GS-RG-869, ...)."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    content = excel.export_workbook(
        organization=plan.organization,
        header=excel.plan_header(plan.organization),
        info=_plan_info(plan),
        lines=selectors.plan_lines(plan=plan),
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(plan.title, "xlsx")}"'
    return response


def _parse_import(*, user: Any, target: Plan, content: bytes, filename: str) -> Any:
    return excel.parse_plan_file(plan=target, content=content, filename=filename)


def _run_import(
    *, actor: User, target: Plan, content: bytes, filename: str, options: dict[str, Any]
) -> str:
    result = services.plan_lines_import(
        actor=actor, plan=target, content=content, filename=filename, mode=options["mode"]
    )
    return _("%(created)s lines added and %(updated)s updated from %(file)s.") % {
        "created": result.created,
        "updated": result.updated,
        "file": result.filename,
    }


def _start_import(
    *, actor: User, target: Plan, path: str, filename: str, options: dict[str, Any]
) -> Any:
    return services.plan_lines_import_start(
        actor=actor, plan=target, path=path, filename=filename, mode=options["mode"]
    )


#: the import of a plan's lines from its official format, on the shared pipeline
IMPORT_FLOW = ImportFlow(
    session_key="planning_plan_import",
    folder="planeacion/importaciones",
    upload_template="planning/plans/import_upload.html",
    preview_template="planning/plans/import_preview.html",
    upload_url="planning:plan_import",
    preview_url="planning:plan_import_preview",
    confirm_url="planning:plan_import_confirm",
    done_url="planning:plan_detail",
    parse=_parse_import,
    run=_run_import,
    start=_start_import,
    url_args=lambda plan: (plan.pk,),
    upload_form=ImportUploadForm,
    options_form=ImportConfirmForm,
    max_bytes=excel.MAX_BYTES,
)


@permission_view(IMPORT)
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    return IMPORT_FLOW.upload(
        request,
        target=plan,
        context={"plan": plan, "columns": excel.layout_for(plan.organization)},
    )


@permission_view(IMPORT)
def plan_import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    return IMPORT_FLOW.preview(
        request,
        target=plan,
        context={
            "plan": plan,
            "current_lines": PlanLine.objects.filter(plan=plan).count(),
            "cancel_url": reverse("planning:plan_detail", args=[plan.pk]),
        },
    )


@permission_view(IMPORT)
@require_POST
def plan_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk, action="change")
    return IMPORT_FLOW.confirm(request, target=plan)


# --- consolidated plan (EDU-4..EDU-8, FP-4..FP-6) --------------------------------------------


@permission_view(VIEW)
def consolidated_list(request: HttpRequest) -> HttpResponse:
    organization = _organization(request)
    return render(
        request,
        "planning/plans/consolidated_list.html",
        {
            "page": paginate(request, selectors.consolidated_list(user=request.user)),
            "can_create": has_perm(request.user, CONSOLIDATE)
            and workflow.has_consolidation(organization),
            "has_consolidation": workflow.has_consolidation(organization),
            "form": ConsolidatedCreateForm(user=request.user),
        },
    )


@permission_view(CONSOLIDATE)
def consolidated_create(request: HttpRequest) -> HttpResponse:
    """EDU-4, FP-5: gather the year's approved unit plans."""
    form = ConsolidatedCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            consolidated = services.consolidated_plan_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=_organization(request),
                fiscal_year=form.cleaned_data["fiscal_year"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Consolidated plan created with the approved unit plans."))
            return redirect("planning:consolidated_detail", pk=consolidated.pk)
    return render(request, "planning/plans/consolidated_form.html", {"form": form})


@permission_view(VIEW)
def consolidated_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    organization = consolidated.organization
    plans = list(selectors.consolidated_plans(consolidated=consolidated))
    unit_filter = request.GET.get("unit", "")
    lines = selectors.consolidated_lines(
        consolidated=consolidated, unit_id=int(unit_filter) if unit_filter.isdigit() else None
    )
    findings = selectors.open_findings(consolidated=consolidated)
    actions = [
        {"action": t.action, "label": workflow.action_label(t), "perm": t.perm}
        for t in workflow.consolidated_actions(
            user=request.user, organization=organization, status=consolidated.status
        )
    ]
    return render(
        request,
        "planning/plans/consolidated_detail.html",
        {
            "consolidated": consolidated,
            "plans": plans,
            "pending": selectors.pending_plans(consolidated=consolidated),
            "eligible": selectors.eligible_plans(consolidated=consolidated)
            .exclude(consolidated=consolidated)
            .count(),
            "total_lines": sum(getattr(p, "line_count", 0) for p in plans),
            "total_budget": sum(
                (getattr(p, "budget_total", None) or Decimal(0) for p in plans), Decimal(0)
            ),
            "lines_page": paginate(request, lines, LINES_PAGE_SIZE),
            "unit_filter": unit_filter,
            "querystring": querystring_without_page(request),
            "blocking": findings.filter(severity=FindingSeverity.BLOCKING).count(),
            "warnings": findings.exclude(severity=FindingSeverity.BLOCKING).count(),
            "actions": actions,
            "decisions": committee_decisions_for(user=request.user, obj=consolidated),
            "documents": selectors.documents_of(user=request.user, obj=consolidated),
            "trail": procedure_trail(
                user=request.user,
                obj=consolidated,
                related=[
                    *plans,
                    *selectors.trail_related(
                        user=request.user,
                        fiscal_year_id=consolidated.fiscal_year_id,
                        plans=plans,
                    ),
                ],
            ),
            "can_export": has_perm(request.user, EXPORT),
            "fp_fields": _fp_fields(organization),
            "findings_url": _findings_url(consolidated),
        },
    )


def _findings_url(consolidated: ConsolidatedPlan) -> str | None:
    """The findings page of the consistency checks (planning.checks), when installed."""
    try:
        return reverse("planning:findings", kwargs={"pk": consolidated.pk})
    except NoReverseMatch:
        return None


def _consolidated_action(request: HttpRequest, pk: int, call: Any, done: str) -> HttpResponse:
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    version = request.POST.get("version", "")
    try:
        call(consolidated, int(version) if version.isdigit() else None)
    except ValidationError as exc:
        if isinstance(exc, TransitionError | StaleObjectError):
            raise  # 409 with the message (core.middleware.ConflictMiddleware)
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("planning:consolidated_detail", pk=consolidated.pk)


@permission_view(CONSOLIDATE)
@require_POST
def consolidated_gather(request: HttpRequest, pk: int) -> HttpResponse:
    return _consolidated_action(
        request,
        pk,
        lambda c, v: services.consolidated_plan_gather(
            actor=_user(request),
            consolidated=c,
            expected_version=v,
        ),
        _("The approved unit plans were added to the consolidated plan."),
    )


@permission_view(VERIFY)
@require_POST
def consolidated_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """EDU-5: run the checks and verify. A refusal lists the blocking findings (unit and what
    is wrong) in its message, not only how many there are."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    version = request.POST.get("version", "")
    try:
        services.consolidated_plan_verify(
            actor=_user(request),
            consolidated=consolidated,
            expected_version=int(version) if version.isdigit() else None,
        )
    except ValidationError as exc:
        first, *rest = exc.messages
        if rest:
            messages.error(
                request,
                format_html(
                    '{}<ul class="mb-0 mt-1" id="blocking-findings">{}</ul>',
                    first,
                    format_html_join("", "<li>{}</li>", ((item,) for item in rest)),
                ),
            )
        else:
            messages.error(request, first)
    else:
        messages.success(request, _("The consolidated plan is verified: complete and consistent."))
    return redirect("planning:consolidated_detail", pk=consolidated.pk)


@permission_view(PUBLISH)
@require_POST
def consolidated_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """EDU-8, FP-6: publish and e-mail every unit."""
    return _consolidated_action(
        request,
        pk,
        lambda c, v: services.consolidated_plan_publish(
            actor=_user(request),
            consolidated=c,
            expected_version=v,
            base_url=request.build_absolute_uri("/")[:-1],
        ),
        _("The plan is published and every unit was told by e-mail."),
    )


@permission_view(CONSOLIDATE)
def consolidated_return(request: HttpRequest, pk: int) -> HttpResponse:
    """EDU-5 "no": back to the units (EDU-2) with comments and the findings."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    returnable = (
        Plan.objects.filter(
            consolidated=consolidated,
            status__in=[PlanStatus.CONSOLIDATED, PlanStatus.VERIFIED],
        )
        .select_related("unit")
        .order_by("unit__name")
    )
    flagged = set(
        selectors.open_findings(consolidated=consolidated)
        .filter(severity=FindingSeverity.BLOCKING)
        .values_list("unit_id", flat=True)
    )
    # nothing is pre-ticked: returning one unit's plan must never return every plan; the
    # plans with blocking findings are named so the planner chooses knowingly
    form = ConsolidatedReturnForm(
        request.POST or None,
        plans=returnable,
        flagged_units=flagged,
        initial={"version": consolidated.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            returned = services.consolidated_plan_return(
                actor=request.user,  # type: ignore[arg-type]
                consolidated=consolidated,
                comments=form.cleaned_data["comments"],
                plans=list(form.cleaned_data["plans"]),
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            if isinstance(exc, TransitionError | StaleObjectError):
                raise  # 409 with the message (core.middleware.ConflictMiddleware)
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Plans returned to their units: %(units)s.")
                % {"units": ", ".join(p.unit.name for p in returned)},
            )
            return redirect("planning:consolidated_detail", pk=consolidated.pk)
    return render(
        request,
        "planning/plans/consolidated_return.html",
        {"consolidated": consolidated, "form": form},
    )


@permission_view(CONSOLIDATE)
@require_POST
def consolidated_send_to_committee(request: HttpRequest, pk: int) -> HttpResponse:
    """EDU-5 → EDU-6: the verified plan goes to the Comité Directivo."""
    return _consolidated_action(
        request,
        pk,
        lambda c, v: services.consolidated_plan_send_to_committee(
            actor=_user(request), consolidated=c, expected_version=v
        ),
        _("The consolidated plan was sent to the committee."),
    )


@permission_view(VIEW)
def consolidated_coverage(request: HttpRequest, pk: int) -> HttpResponse:
    """EDU-6: every service of the catalogue's value chain × the plan lines covering it, the
    gaps highlighted; the committee records its review here (apart from EDU-7)."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    rows = selectors.consolidated_coverage(consolidated=consolidated)
    can_review = any(
        t.action == "committee_review"
        for t in workflow.consolidated_actions(
            user=request.user,
            organization=consolidated.organization,
            status=consolidated.status,
        )
    )
    return render(
        request,
        "planning/plans/consolidated_coverage.html",
        {
            "consolidated": consolidated,
            "rows": rows,
            "gaps": sum(1 for row in rows if not row["lines"]),
            "can_review": can_review,
        },
    )


@permission_view(COMMITTEE)
@require_POST
def consolidated_committee_review(request: HttpRequest, pk: int) -> HttpResponse:
    """EDU-6: record the committee's coverage review."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    version = request.POST.get("version", "")
    try:
        services.consolidated_plan_committee_review(
            actor=_user(request),
            consolidated=consolidated,
            comments=request.POST.get("comments", ""),
            expected_version=int(version) if version.isdigit() else None,
        )
    except ValidationError as exc:
        if isinstance(exc, TransitionError | StaleObjectError):
            raise
        messages.error(request, " ".join(exc.messages))
        return redirect("planning:consolidated_coverage", pk=consolidated.pk)
    messages.success(request, _("The committee's coverage review was recorded."))
    return redirect("planning:consolidated_detail", pk=consolidated.pk)


@permission_view(COMMITTEE)
def consolidated_committee(request: HttpRequest, pk: int) -> HttpResponse:
    """EDU-6..7, FP-4: record the Comité Directivo's decision (acta)."""
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    form = CommitteeDecisionForm(request.POST or None, initial={"version": consolidated.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.consolidated_plan_committee_decide(
                actor=request.user,  # type: ignore[arg-type]
                consolidated=consolidated,
                acta_number=data["acta_number"],
                date=data["date"],
                attendees=data["attendees"],
                decision=data["decision"],
                comments=data["comments"],
                expected_version=data.get("version"),
            )
        except ValidationError as exc:
            if isinstance(exc, TransitionError | StaleObjectError):
                raise  # 409 with the message (core.middleware.ConflictMiddleware)
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Decision of acta %(number)s recorded.") % {"number": decision.acta_number},
            )
            return redirect("planning:consolidated_detail", pk=consolidated.pk)
    return render(
        request,
        "planning/plans/consolidated_committee.html",
        {
            "consolidated": consolidated,
            "form": form,
            "decisions": committee_decisions_for(user=request.user, obj=consolidated),
        },
    )


@permission_view(VIEW)
def consolidated_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    consolidated = selectors.consolidated_get(user=request.user, pk=pk)
    response = HttpResponse(
        services.consolidated_pdf(consolidated=consolidated), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{_filename(consolidated.title, "pdf")}"'
    return response


@permission_view(EXPORT)
def consolidated_export(request: HttpRequest, pk: int) -> HttpResponse:
    """EDU-4: the consolidated plan in the MI-GE-RG-217 columns, with the unit of each line."""
    consolidated: ConsolidatedPlan = selectors.consolidated_get(user=request.user, pk=pk)
    content = excel.export_workbook(
        organization=consolidated.organization,
        header=excel.consolidated_header(consolidated.organization),
        info=[
            ("Vigencia", str(consolidated.fiscal_year.year)),
            ("Plan", consolidated.title),
            ("Estado", str(consolidated.get_status_display())),
        ],
        lines=selectors.consolidated_lines(consolidated=consolidated).iterator(chunk_size=2000),
        with_unit=True,
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(consolidated.title, "xlsx")}"'
    )
    return response
