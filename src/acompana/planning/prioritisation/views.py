"""Pages of indicators and prioritisation (FP-1 of Función Pública, DNP-1 of DNP).

Thin views: parse the form, call a service, show its errors. Lists render the whole page or,
for htmx requests, only the results partial. Reading needs ``planning.view``; indicators,
models and saving a priority list need ``planning.prioritise``; exports ``planning.export``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from acompana.core.access import permission_view
from acompana.core.imports import ImportFlow
from acompana.core.permissions import has_perm
from acompana.core.procedures.trail import procedure_trail
from acompana.core.views.utils import apply_service_errors, paginate, querystring_without_page
from acompana.planning.choices import MissingRule, Normalisation
from acompana.planning.prioritisation import exports, selectors, services
from acompana.planning.prioritisation.filters import (
    PER_PAGE_CHOICES,
    IndicatorFilterForm,
    IndicatorValueFilterForm,
)
from acompana.planning.prioritisation.forms import (
    IndicatorForm,
    PrioritisationModelForm,
    PriorityListSaveForm,
    criterion_formset,
    criterion_initial,
)
from acompana.planning.prioritisation.imports import parse_indicator_values_file, template_rows
from acompana.registry.choices import StakeholderKind

VIEW = "planning.view"
PRIORITISE = "planning.prioritise"
EXPORT = "planning.export"


def _organization(request: HttpRequest) -> Any:
    return request.membership.organization  # type: ignore[attr-defined]


def _export_format(request: HttpRequest) -> str:
    file_format = request.GET.get("format", "csv")
    if file_format not in ("csv", "xlsx"):
        raise Http404
    return file_format


def _history_url(request: HttpRequest, model: str, pk: int) -> str | None:
    if not has_perm(request.user, "core.view_audit"):
        return None
    return reverse("core:audit_object", args=["planning", model, pk])


# --- indicators ------------------------------------------------------------------------------


@permission_view(VIEW)
def indicator_list(request: HttpRequest) -> HttpResponse:
    form = IndicatorFilterForm(request.GET)
    try:
        indicators = selectors.indicator_list(user=request.user, params=request.GET.dict())
    except ValidationError:
        indicators = selectors.indicators_for_user(user=request.user).none()
    form.is_valid()
    context = {
        "form": form,
        "page": paginate(request, indicators),
        "querystring": querystring_without_page(request),
        "filtered": bool(form.active_filters()),
        "can_prioritise": has_perm(request.user, PRIORITISE),
        "can_export": has_perm(request.user, EXPORT),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "planning/prioritisation/_indicator_results.html", context)
    return render(request, "planning/prioritisation/indicator_list.html", context)


@permission_view(PRIORITISE)
def indicator_create(request: HttpRequest) -> HttpResponse:
    form = IndicatorForm(
        request.POST or None, initial={"version": 1, "higher_is_better": True, "is_active": True}
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=_organization(request),
                data=form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Indicator «%(code)s» registered.") % {"code": indicator.code}
            )
            return redirect("planning:indicator_detail", pk=indicator.pk)
    return render(
        request, "planning/prioritisation/indicator_form.html", {"form": form, "indicator": None}
    )


@permission_view(PRIORITISE)
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.indicator_get(user=request.user, pk=pk, action="change")
    initial = {
        "code": indicator.code,
        "name": indicator.name,
        "source": indicator.source,
        "description": indicator.description,
        "unit_label": indicator.unit_label,
        "scale": indicator.scale,
        "higher_is_better": indicator.higher_is_better,
        "is_active": indicator.is_active,
        "version": indicator.version,
    }
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(
                actor=request.user,  # type: ignore[arg-type]
                indicator=indicator,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Indicator «%(code)s» saved.") % {"code": indicator.code})
            return redirect("planning:indicator_detail", pk=indicator.pk)
    return render(
        request,
        "planning/prioritisation/indicator_form.html",
        {"form": form, "indicator": indicator},
    )


@permission_view(VIEW)
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.indicator_get(user=request.user, pk=pk)
    params = {**request.GET.dict(), "indicator": str(indicator.pk)}
    params.pop("page", None)
    form = IndicatorValueFilterForm(params)
    try:
        values = selectors.indicator_value_list(user=request.user, params=params)
    except ValidationError:
        values = selectors.indicator_values_for_user(user=request.user).none()
    form.is_valid()
    summary = selectors.indicator_value_summary(indicator=indicator)
    context = {
        "indicator": indicator,
        "form": form,
        "page": paginate(request, values),
        "querystring": querystring_without_page(request),
        "filtered": bool({k: v for k, v in form.active_filters().items() if k != "indicator"}),
        "summary": summary,
        "years": [row["year"] for row in summary],
        "template_year": summary[0]["year"] if summary else None,
        "can_prioritise": has_perm(request.user, PRIORITISE),
        "can_export": has_perm(request.user, EXPORT),
        "history_url": _history_url(request, "indicator", indicator.pk),
        "use_count": selectors.indicator_use_count(indicator=indicator),
        "scale_label": selectors.scale_label(indicator.scale),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "planning/prioritisation/_value_results.html", context)
    return render(request, "planning/prioritisation/indicator_detail.html", context)


@permission_view(PRIORITISE)
@require_POST
def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an unused indicator (the button on its page, with the version it showed)."""
    indicator = selectors.indicator_get(user=request.user, pk=pk, action="change")
    version = request.POST.get("version", "")
    code = indicator.code
    try:
        services.indicator_delete(
            actor=request.user,  # type: ignore[arg-type]
            indicator=indicator,
            expected_version=int(version) if version.isdigit() else -1,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("planning:indicator_detail", pk=pk)
    messages.success(request, _("Indicator «%(code)s» deleted.") % {"code": code})
    return redirect("planning:indicator_list")


@permission_view(EXPORT)
def indicator_values_export(request: HttpRequest) -> Any:
    file_format = _export_format(request)
    params = request.GET.dict()
    params.pop("format", None)
    try:
        values = selectors.indicator_value_list(user=request.user, params=params)
    except ValidationError:
        messages.error(request, _("The filters of the list are not valid."))
        return redirect("planning:indicator_list")
    return exports.respond(
        file_format,
        exports.value_header(),
        exports.value_rows(values),
        exports.export_filename("valores-indicadores"),
        sheet=_("Values"),
    )


# --- import of values ------------------------------------------------------------------------


def _parse_import(*, user: Any, target: Any, content: bytes, filename: str) -> Any:
    return parse_indicator_values_file(organization=target, content=content, filename=filename)


def _run_import(
    *, actor: Any, target: Any, content: bytes, filename: str, options: dict[str, Any]
) -> str:
    result = services.indicator_values_import(
        actor=actor, organization=target, content=content, filename=filename
    )
    return _(
        "Values imported from %(file)s: %(created)s new, %(updated)s updated, "
        "%(unchanged)s unchanged."
    ) % {
        "file": result.filename,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def _start_import(
    *, actor: Any, target: Any, path: str, filename: str, options: dict[str, Any]
) -> Any:
    return services.indicator_values_import_start(
        actor=actor, organization=target, path=path, filename=filename
    )


#: the import of indicator values on the shared pipeline (``core.imports``)
IMPORT_FLOW = ImportFlow(
    session_key="planning_indicator_values_import",
    folder="planificacion/indicadores",
    upload_template="planning/prioritisation/import_upload.html",
    preview_template="planning/prioritisation/import_preview.html",
    upload_url="planning:indicator_values_import",
    preview_url="planning:indicator_values_import_preview",
    confirm_url="planning:indicator_values_import_confirm",
    done_url="planning:indicator_list",
    parse=_parse_import,
    run=_run_import,
    start=_start_import,
)
IMPORT_SESSION_KEY = IMPORT_FLOW.session_key


@permission_view(PRIORITISE)
def indicator_values_import(request: HttpRequest) -> HttpResponse:
    return IMPORT_FLOW.upload(
        request,
        target=_organization(request),
        context={"indicators": selectors.active_indicators(user=request.user)},
    )


@permission_view(PRIORITISE)
def indicator_values_import_preview(request: HttpRequest) -> HttpResponse:
    return IMPORT_FLOW.preview(request, target=_organization(request))


@permission_view(PRIORITISE)
@require_POST
def indicator_values_import_confirm(request: HttpRequest) -> HttpResponse:
    return IMPORT_FLOW.confirm(request, target=_organization(request))


@permission_view(PRIORITISE)
def indicator_values_template(request: HttpRequest) -> Any:
    """The import template; with ``?indicator=<id>`` a row per active stakeholder."""
    file_format = _export_format(request)
    indicator = None
    year = None
    if request.GET.get("indicator"):
        try:
            indicator_pk = int(request.GET["indicator"])
            year = int(request.GET["year"]) if request.GET.get("year") else None
        except ValueError:
            raise Http404
        indicator = selectors.indicator_get(user=request.user, pk=indicator_pk)
    header, rows = template_rows(_organization(request), indicator=indicator, year=year)
    return exports.template_response(file_format, header, rows, indicator)


# --- prioritisation models -------------------------------------------------------------------


def _year_param(request: HttpRequest) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() else None


@permission_view(VIEW)
def prioritisation_model_list(request: HttpRequest) -> HttpResponse:
    year = _year_param(request)
    models = selectors.prioritisation_model_list(user=request.user, fiscal_year=year)
    lists = selectors.priority_list_list(user=request.user, fiscal_year=year)
    return render(
        request,
        "planning/prioritisation/model_list.html",
        {
            "page": paginate(request, models),
            "lists": lists[:5],
            "year": year,
            "years": selectors.fiscal_years_for_user(user=request.user),
            "querystring": querystring_without_page(request),
            "can_prioritise": has_perm(request.user, PRIORITISE),
        },
    )


def _criteria_inputs(formset: Any) -> list[services.CriterionInput]:
    return [f.to_input() for f in formset.forms if f.cleaned_data.get("kind")]


def _model_form_page(
    request: HttpRequest, *, model: Any, form: Any, formset: Any, criteria_errors: list[str]
) -> HttpResponse:
    return render(
        request,
        "planning/prioritisation/model_form.html",
        {
            "form": form,
            "formset": formset,
            "model": model,
            "criteria_errors": criteria_errors,
            "has_indicators": selectors.active_indicators(user=request.user).exists(),
            "has_fiscal_years": selectors.fiscal_years_for_user(user=request.user).exists(),
        },
    )


def _split_errors(form: Any, exc: ValidationError) -> list[str]:
    """Model fields onto the form; the criteria's messages returned for the formset."""
    criteria_errors: list[str] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if field == "criteria":
                criteria_errors.extend(errors)
            else:
                form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
    return criteria_errors


@permission_view(PRIORITISE)
def prioritisation_model_create(request: HttpRequest) -> HttpResponse:
    fiscal_years = selectors.fiscal_years_for_user(user=request.user)
    planned = selectors.planning_year(user=request.user)
    data = request.POST if request.method == "POST" else None
    form = PrioritisationModelForm(
        data,
        fiscal_years=fiscal_years,
        initial={
            "version": 1,
            "fiscal_year": planned,
            "normalisation": Normalisation.MINMAX,
            "missing_rule": MissingRule.WORST,
        },
    )
    indicators = selectors.active_indicators(user=request.user)
    formset = criterion_formset(data, indicators=indicators)
    criteria_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            model = services.prioritisation_model_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=_organization(request),
                fiscal_year=form.cleaned_data["fiscal_year"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                stakeholder_kinds=form.cleaned_data["stakeholder_kinds"],
                criteria=_criteria_inputs(formset),
                **form.rules(),
            )
        except ValidationError as exc:
            criteria_errors = _split_errors(form, exc)
        else:
            messages.success(
                request, _("Prioritisation model «%(name)s» created.") % {"name": model.name}
            )
            return redirect("planning:prioritisation_ranking", pk=model.pk)
    return _model_form_page(
        request, model=None, form=form, formset=formset, criteria_errors=criteria_errors
    )


@permission_view(PRIORITISE)
def prioritisation_model_edit(request: HttpRequest, pk: int) -> HttpResponse:
    model = selectors.prioritisation_model_get(user=request.user, pk=pk, action="change")
    criteria = selectors.model_criteria(model=model)
    data = request.POST if request.method == "POST" else None
    form = PrioritisationModelForm(
        data,
        fiscal_years=selectors.fiscal_years_for_user(user=request.user),
        editing=True,
        draft=services.model_is_draft(model),
        initial={
            "name": model.name,
            "description": model.description,
            "fiscal_year": model.fiscal_year,
            "stakeholder_kinds": list(model.stakeholder_kinds),
            "normalisation": model.normalisation,
            "missing_rule": model.missing_rule,
            "reference_date": model.reference_date,
            "version": model.version,
        },
    )
    # inactive indicators already in the model stay choosable so the form shows them
    indicators = selectors.indicators_for_user(user=request.user).filter(
        pk__in=[c.indicator_id for c in criteria if c.indicator_id]
    ) | selectors.active_indicators(user=request.user)
    formset = criterion_formset(
        data, indicators=indicators.distinct().order_by("name"), initial=criterion_initial(criteria)
    )
    criteria_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.prioritisation_model_update(
                actor=request.user,  # type: ignore[arg-type]
                model=model,
                expected_version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                stakeholder_kinds=form.cleaned_data["stakeholder_kinds"],
                criteria=_criteria_inputs(formset),
                fiscal_year=form.cleaned_data.get("fiscal_year") or model.fiscal_year,
                **form.rules(),
            )
        except ValidationError as exc:
            criteria_errors = _split_errors(form, exc)
        else:
            messages.success(
                request, _("Prioritisation model «%(name)s» saved.") % {"name": model.name}
            )
            return redirect("planning:prioritisation_ranking", pk=model.pk)
    return _model_form_page(
        request, model=model, form=form, formset=formset, criteria_errors=criteria_errors
    )


# --- the ranking -----------------------------------------------------------------------------


def _sort_urls(request: HttpRequest, ranking: selectors.Ranking, current: str) -> dict[str, Any]:
    """For each sortable column: the URL that sorts by it (toggling) and its aria-sort."""
    keys = ["rank", "name", "municipality"] + [f"crit{c.position}" for c in ranking.criteria]
    result: dict[str, Any] = {}
    for key in keys:
        params = request.GET.copy()
        params.pop("page", None)
        active = current.removeprefix("-") == key
        descending = current.startswith("-")
        params["sort"] = f"-{key}" if active and not descending else key
        if active:
            # crit<n> lists the most points first, so its «ascending» is a descending order
            state = "descending" if (descending != key.startswith("crit")) else "ascending"
        else:
            state = "none"
        result[key] = {"url": "?" + params.urlencode(), "aria": state}
    return result


def _ranking_context(request: HttpRequest, model: Any) -> dict[str, Any]:
    ranking = selectors.ranking_compute(model=model)
    rows, form = selectors.ranking_filter(
        user=request.user, ranking=ranking, params=request.GET.dict()
    )
    per_page = form.cleaned_data.get("per_page") if form.is_valid() else PER_PAGE_CHOICES[0]
    page = Paginator(rows, per_page or PER_PAGE_CHOICES[0]).get_page(request.GET.get("page"))
    sort = (form.cleaned_data.get("sort") if form.is_valid() else "") or "rank"
    filters = QueryDict(mutable=True)
    for key, value in form.stakeholder_filters().items():
        filters[key] = value
    can_prioritise = has_perm(request.user, PRIORITISE)
    sort_urls = _sort_urls(request, ranking, sort)
    return {
        "model": model,
        "ranking": ranking,
        "explanation": selectors.ranking_explanation(ranking),
        "rules": ranking.rules,
        "criteria_columns": [(c, sort_urls[f"crit{c.position}"]) for c in ranking.criteria],
        "kind_labels": [
            label for value, label in StakeholderKind.choices if value in model.stakeholder_kinds
        ],
        "form": form,
        "page": page,
        "rows_count": len(rows),
        "filtered": bool(form.is_valid() and form.stakeholder_filters()),
        "querystring": querystring_without_page(request),
        "sort": sort,
        "sort_urls": sort_urls,
        "per_page_choices": PER_PAGE_CHOICES,
        "can_prioritise": can_prioritise,
        "can_export": has_perm(request.user, EXPORT),
        "save_form": PriorityListSaveForm(
            initial={"filters": filters.urlencode(), "mode": PriorityListSaveForm.MODE_TOP}
        )
        if can_prioritise
        else None,
        "history_url": _history_url(request, "prioritisationmodel", model.pk),
        "saved_lists": selectors.priority_list_list(user=request.user).filter(model=model)[:5],
    }


@permission_view(VIEW)
def prioritisation_ranking(request: HttpRequest, pk: int) -> HttpResponse:
    """The model's ranking: every stakeholder's score explained criterion by criterion."""
    model = selectors.prioritisation_model_get(user=request.user, pk=pk)
    context = _ranking_context(request, model)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "planning/prioritisation/_ranking_results.html", context)
    return render(request, "planning/prioritisation/ranking.html", context)


@permission_view(EXPORT)
def prioritisation_ranking_export(request: HttpRequest, pk: int) -> Any:
    file_format = _export_format(request)
    model = selectors.prioritisation_model_get(user=request.user, pk=pk)
    ranking = selectors.ranking_compute(model=model)
    params = request.GET.dict()
    params.pop("format", None)
    rows, _form = selectors.ranking_filter(user=request.user, ranking=ranking, params=params)
    rules = ranking.rules or selectors.model_rules(model)
    header = exports.ranking_header(ranking.criteria, rules)
    return exports.respond(
        file_format,
        header,
        exports.ranking_rows(rows, rules, len(header)),
        exports.export_filename(f"priorizacion-{model.fiscal_year.year}-{model.pk}"),
        sheet=_("Ranking"),
    )


@permission_view(PRIORITISE)
@require_POST
def priority_list_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the selection as the year's priority list (FP-1 / DNP-1 record)."""
    model = selectors.prioritisation_model_get(user=request.user, pk=pk, action="change")
    form = PriorityListSaveForm(request.POST)
    back = reverse("planning:prioritisation_ranking", kwargs={"pk": model.pk})
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        filters = request.POST.get("filters", "")
        return redirect(f"{back}?{filters}" if filters else back)
    data = form.cleaned_data
    if data["mode"] == PriorityListSaveForm.MODE_TOP:
        ranking = selectors.ranking_compute(model=model)
        rows, _form = selectors.ranking_filter(
            user=request.user, ranking=ranking, params=QueryDict(data["filters"]).dict()
        )
        selected = selectors.ranking_top(rows, data["top"])
    else:
        selected = data["selected"]
    try:
        priority_list = services.priority_list_save(
            actor=request.user,  # type: ignore[arg-type]
            model=model,
            selected_ids=selected,
            name=data["name"],
            notes=data["notes"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(f"{back}?{data['filters']}" if data["filters"] else back)
    messages.success(
        request,
        _("Priority list «%(name)s» saved with %(count)s stakeholders.")
        % {"name": priority_list.name, "count": len(selected)},
    )
    return redirect("planning:priority_list_detail", pk=priority_list.pk)


# --- priority lists --------------------------------------------------------------------------


@permission_view(VIEW)
def priority_list_list(request: HttpRequest) -> HttpResponse:
    year = _year_param(request)
    lists = selectors.priority_list_list(user=request.user, fiscal_year=year)
    return render(
        request,
        "planning/prioritisation/priority_list_list.html",
        {
            "page": paginate(request, lists),
            "year": year,
            "years": selectors.fiscal_years_for_user(user=request.user),
            "querystring": querystring_without_page(request),
        },
    )


@permission_view(VIEW)
def priority_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    priority_list = selectors.priority_list_get(user=request.user, pk=pk)
    show_all = request.GET.get("all") == "1"
    criteria = selectors.priority_list_criteria(priority_list=priority_list)
    entries = selectors.priority_list_entries(
        priority_list=priority_list, selected_only=not show_all
    )
    page = paginate(request, entries)
    rows = [(entry, selectors.entry_cells(entry, criteria)) for entry in page.object_list]
    return render(
        request,
        "planning/prioritisation/priority_list_detail.html",
        {
            "priority_list": priority_list,
            "criteria": criteria,
            "explanation": selectors.snapshot_explanation(priority_list),
            "rules": selectors.list_rules(priority_list),
            "page": page,
            "rows": rows,
            "show_all": show_all,
            "querystring": querystring_without_page(request),
            "trail": procedure_trail(user=request.user, obj=priority_list),
            "document": selectors.priority_list_document(priority_list=priority_list),
            "can_export": has_perm(request.user, EXPORT),
            "history_url": _history_url(request, "prioritylist", priority_list.pk),
        },
    )


@permission_view(EXPORT)
def priority_list_export(request: HttpRequest, pk: int) -> Any:
    file_format = _export_format(request)
    priority_list = selectors.priority_list_get(user=request.user, pk=pk)
    criteria = selectors.priority_list_criteria(priority_list=priority_list)
    entries = selectors.priority_list_entries(
        priority_list=priority_list, selected_only=request.GET.get("all") != "1"
    )
    rules = selectors.list_rules(priority_list)
    header = exports.entry_header(criteria, rules)
    return exports.respond(
        file_format,
        header,
        exports.entry_rows(entries, criteria, rules, len(header)),
        exports.export_filename(f"grupos-priorizados-{priority_list.fiscal_year.year}"),
        sheet=_("Prioritised"),
    )


@permission_view(VIEW)
def priority_list_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The PDF stored when the list was saved (the record with the organization's header)."""
    priority_list = selectors.priority_list_get(user=request.user, pk=pk)
    document = selectors.priority_list_document(priority_list=priority_list)
    if document is None or not document.file:
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        as_attachment=request.GET.get("download") == "1",
        filename=f"grupos-priorizados-{priority_list.fiscal_year.year}-{priority_list.pk}.pdf",
        content_type="application/pdf",
    )
