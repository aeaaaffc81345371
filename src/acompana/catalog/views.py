"""Pages of the catalogue: the portfolio of services, a service with its milestones, the four
vocabularies, and the export. Thin: parse → selector/service → render (DESIGN section 6).

Everyone in the organization reads (``catalog.view``); admins and unit heads change services
(``catalog.change``, unit heads only in their unit: ``for_user(user, "change")`` → 404);
only admins change the vocabularies (``catalog.manage_values``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from acompana.catalog import selectors, services
from acompana.catalog.choices import ActiveFilter, CatalogKind, ServiceOrigin
from acompana.catalog.exports import export_services
from acompana.catalog.filters import ServiceFilterForm
from acompana.catalog.forms import CatalogValueForm, MilestoneForm, MilestoneMoveForm, ServiceForm
from acompana.catalog.models import MilestoneTemplate, Service
from acompana.core.access import permission_view
from acompana.core.permissions import has_perm
from acompana.core.procedures import profile_switch
from acompana.core.selectors import units_for_user
from acompana.core.views.utils import apply_service_errors, paginate, querystring_without_page

VIEW = "catalog.view"
CHANGE = "catalog.change"
MANAGE_VALUES = "catalog.manage_values"

#: kind → URL name prefix of its pages (``catalog:<prefix>_list``, ``_create``, ``_edit``)
VALUE_PAGES: dict[str, str] = {
    CatalogKind.SERVICE_TYPE: "service_type",
    CatalogKind.TOPIC: "topic",
    CatalogKind.MECHANISM: "mechanism",
    CatalogKind.MODALITY: "modality",
}


def _tabs(active: str) -> list[dict[str, Any]]:
    tabs: list[dict[str, Any]] = [
        {"key": "services", "title": _("Services"), "url": reverse("catalog:home")}
    ]
    titles: dict[str, str] = {
        CatalogKind.SERVICE_TYPE: _("Service types"),
        CatalogKind.TOPIC: _("Topics"),
        CatalogKind.MECHANISM: _("Mechanisms"),
        CatalogKind.MODALITY: _("Modalities"),
    }
    for kind, prefix in VALUE_PAGES.items():
        tabs.append({"key": kind, "title": titles[kind], "url": reverse(f"catalog:{prefix}_list")})
    for tab in tabs:
        tab["active"] = tab["key"] == active
    return tabs


# --- services list, export --------------------------------------------------------------------


def _filter_options(user: Any) -> dict[str, Any]:
    return {
        "units": units_for_user(user=user).order_by("name"),
        "service_types": selectors.catalog_values(user=user, kind=CatalogKind.SERVICE_TYPE),
        "topics": selectors.catalog_values(user=user, kind=CatalogKind.TOPIC),
        "mechanisms": selectors.catalog_values(user=user, kind=CatalogKind.MECHANISM),
        "modalities": selectors.catalog_values(user=user, kind=CatalogKind.MODALITY),
        "origins": ServiceOrigin.choices,
        "active_choices": ActiveFilter.choices,
    }


@permission_view(VIEW)
def home(request: HttpRequest) -> HttpResponse:
    """The portfolio: services grouped by unit, with search and filters (htmx-refreshed)."""
    filters = ServiceFilterForm(request.GET)
    services_qs = selectors.service_list(user=request.user, filters=filters)
    context = {
        "page": paginate(request, services_qs),
        "filters": filters.values(),
        "filtered": filters.is_filtered(),
        "querystring": querystring_without_page(request),
        "export_query": urlencode(filters.as_query()),
        "has_services": selectors.services_for_user(user=request.user).exists(),
        "can_change": has_perm(request.user, CHANGE),
        "tabs": _tabs("services"),
    }
    if request.htmx and request.htmx.target == "service-results":  # type: ignore[attr-defined]
        return render(request, "catalog/includes/service_results.html", context)
    context.update(_filter_options(request.user))
    return render(request, "catalog/home.html", context)


@permission_view(VIEW)
def service_export(request: HttpRequest) -> HttpResponse:
    """The filtered services list as CSV (``?formato=csv``) or Excel (``?formato=xlsx``)."""
    filters = ServiceFilterForm(request.GET)
    file_format = request.GET.get("formato", "csv")
    if file_format not in ("csv", "xlsx"):
        raise Http404
    services_qs = selectors.service_list(user=request.user, filters=filters)
    # a streamed (CSV) or file (XLSX) response: both are HttpResponseBase, not HttpResponse
    return export_services(services_qs, file_format=file_format)  # type: ignore[return-value]


# --- one service ------------------------------------------------------------------------------


def _service_form(request: HttpRequest, service: Service | None) -> ServiceForm:
    user = request.user
    writable_units = selectors.writable_units(user=user)
    if service is None:
        units = writable_units.filter(is_active=True)
        keep: dict[str, list[int]] = {
            "service_type": [],
            "topic": [],
            "mechanism": [],
            "modality": [],
        }
        initial: dict[str, Any] = {"version": 1}
        membership = request.membership  # type: ignore[attr-defined]
        if (
            membership is not None
            and membership.unit_id
            and units.filter(pk=membership.unit_id).exists()
        ):
            initial["unit"] = membership.unit_id
    else:
        units = writable_units.filter(is_active=True) | writable_units.filter(pk=service.unit_id)
        keep = {
            "service_type": [service.service_type_id],
            "topic": [t.pk for t in service.topics.all()],
            "mechanism": [m.pk for m in service.mechanisms.all()],
            "modality": [m.pk for m in service.modalities.all()],
        }
        initial = {
            "unit": service.unit_id,
            "name": service.name,
            "code": service.code,
            "description": service.description,
            "service_type": service.service_type_id,
            "origin": service.origin,
            "topics": keep["topic"],
            "mechanisms": keep["mechanism"],
            "modalities": keep["modality"],
            "target_stakeholder_kinds": service.target_stakeholder_kinds,
            "duration_days": service.duration_days,
            "estimated_hours": service.estimated_hours,
            "version": service.version,
        }
    return ServiceForm(
        request.POST or None,
        initial=initial,
        units=units.distinct().order_by("name"),
        service_types=selectors.value_choices(
            user=user, kind=CatalogKind.SERVICE_TYPE, keep=keep["service_type"]
        ),
        topics=selectors.value_choices(user=user, kind=CatalogKind.TOPIC, keep=keep["topic"]),
        mechanisms=selectors.value_choices(
            user=user, kind=CatalogKind.MECHANISM, keep=keep["mechanism"]
        ),
        modalities=selectors.value_choices(
            user=user, kind=CatalogKind.MODALITY, keep=keep["modality"]
        ),
    )


def _service_data(form: ServiceForm) -> dict[str, Any]:
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    for field in ("topics", "mechanisms", "modalities"):
        data[field] = list(data.get(field) or [])
    return data


@permission_view(CHANGE)
def service_create(request: HttpRequest) -> HttpResponse:
    form = _service_form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=request.membership.organization,  # type: ignore[attr-defined]
                data=_service_data(form),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Service «%(name)s» created. Now define its milestones.") % {"name": service},
            )
            return redirect("catalog:service_detail", pk=service.pk)
    return render(
        request, "catalog/service_form.html", {"form": form, "service": None, "tabs": _tabs("")}
    )


@permission_view(VIEW)
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(selectors.service_detail(user=request.user), pk=pk)
    can_change = has_perm(request.user, CHANGE) and selectors.can_change_service(
        user=request.user, service=service
    )
    return render(
        request,
        "catalog/service_detail.html",
        {
            "service": service,
            "can_change": can_change,
            "can_view_audit": has_perm(request.user, "core.view_audit"),
            **_milestones_context(
                service, can_change, milestones_required=_milestones_required(request)
            ),
        },
    )


@permission_view(CHANGE)
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(
        selectors.services_for_user(user=request.user, action="change").select_related(
            "unit", "service_type"
        ),
        pk=pk,
    )
    form = _service_form(request, service)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(
                actor=request.user,  # type: ignore[arg-type]
                service=service,
                expected_version=form.cleaned_data["version"],
                data=_service_data(form),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Service «%(name)s» saved.") % {"name": service})
            return redirect("catalog:service_detail", pk=service.pk)
    return render(
        request, "catalog/service_form.html", {"form": form, "service": service, "tabs": _tabs("")}
    )


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    service = get_object_or_404(
        selectors.services_for_user(user=request.user, action="change").select_related("unit"),
        pk=pk,
    )
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = service.version
    action = services.service_reactivate if active else services.service_deactivate
    try:
        action(actor=request.user, service=service, expected_version=version)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if active:
            messages.success(request, _("Service «%(name)s» is offered again.") % {"name": service})
        else:
            messages.success(
                request, _("Service «%(name)s» withdrawn from the offer.") % {"name": service}
            )
    return redirect("catalog:service_detail", pk=service.pk)


@permission_view(CHANGE)
@require_POST
def service_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@permission_view(CHANGE)
@require_POST
def service_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


# --- milestones (htmx inline editing; full pages without JavaScript) -------------------------


def _milestones_required(request: HttpRequest) -> bool:
    """Whether the organization's procedure makes milestones part of delivery (FP-2)."""
    organization = request.membership.organization  # type: ignore[attr-defined]
    return bool(profile_switch(organization, "milestones"))


def _milestones_context(
    service: Service,
    can_change: bool,
    *,
    milestones_required: bool = False,
    add_form: MilestoneForm | None = None,
    editing: MilestoneTemplate | None = None,
    edit_form: MilestoneForm | None = None,
    status_message: str = "",
    status_error: bool = False,
) -> dict[str, Any]:
    milestones = selectors.service_milestones(service=service)
    return {
        "service": service,
        "milestones": milestones,
        "required_count": sum(1 for m in milestones if m.required),
        "can_change": can_change,
        "milestones_required": milestones_required,
        "add_form": add_form
        or MilestoneForm(initial={"version": 1, "required": True}, prefix_id="new-milestone"),
        "editing_id": editing.pk if editing is not None else None,
        "edit_form": edit_form,
        "status_message": status_message,
        "status_error": status_error,
    }


def _milestones_partial(request: HttpRequest, service: Service, **kwargs: Any) -> HttpResponse:
    context = _milestones_context(
        service, True, milestones_required=_milestones_required(request), **kwargs
    )
    return render(request, "catalog/includes/milestones.html", context)


def _changeable_milestone(request: HttpRequest, pk: int) -> MilestoneTemplate:
    return get_object_or_404(
        selectors.milestones_for_user(user=request.user, action="change"), pk=pk
    )


def _milestone_data(form: MilestoneForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


@permission_view(CHANGE)
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(
        selectors.services_for_user(user=request.user, action="change").select_related("unit"),
        pk=pk,
    )
    form = MilestoneForm(
        request.POST or None,
        initial={"version": 1, "required": True},
        prefix_id="new-milestone",
    )
    if request.method == "POST" and form.is_valid():
        try:
            milestone = services.milestone_template_create(
                actor=request.user,  # type: ignore[arg-type]
                service=service,
                data=_milestone_data(form),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            message = _("Milestone «%(name)s» added.") % {"name": milestone}
            if request.htmx:  # type: ignore[attr-defined]
                return _milestones_partial(request, service, status_message=message)
            messages.success(request, message)
            return redirect("catalog:service_detail", pk=service.pk)
    if request.htmx:  # type: ignore[attr-defined]
        return _milestones_partial(request, service, add_form=form)
    return render(
        request,
        "catalog/milestone_form.html",
        {"form": form, "service": service, "milestone": None, "tabs": _tabs("")},
    )


@permission_view(CHANGE)
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _changeable_milestone(request, pk)
    service = milestone.service
    form = MilestoneForm(
        request.POST or None,
        initial={
            "name": milestone.name,
            "description": milestone.description,
            "expected_evidence": milestone.expected_evidence,
            "relative_due_days": milestone.relative_due_days,
            "required": milestone.required,
            "version": milestone.version,
        },
        prefix_id=f"milestone-{milestone.pk}",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_template_update(
                actor=request.user,  # type: ignore[arg-type]
                milestone=milestone,
                expected_version=form.cleaned_data["version"],
                data=_milestone_data(form),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            message = _("Milestone «%(name)s» saved.") % {"name": milestone}
            if request.htmx:  # type: ignore[attr-defined]
                return _milestones_partial(request, service, status_message=message)
            messages.success(request, message)
            return redirect("catalog:service_detail", pk=service.pk)
    if request.htmx:  # type: ignore[attr-defined]
        return _milestones_partial(request, service, editing=milestone, edit_form=form)
    return render(
        request,
        "catalog/milestone_form.html",
        {"form": form, "service": service, "milestone": milestone, "tabs": _tabs("")},
    )


@permission_view(CHANGE)
@require_POST
def milestone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _changeable_milestone(request, pk)
    service = milestone.service
    version: int | None
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    failed = False
    try:
        services.milestone_template_delete(
            actor=request.user,  # type: ignore[arg-type]
            milestone=milestone,
            expected_version=version,
        )
    except ValidationError as exc:
        failed = True
        message = " ".join(exc.messages)
    else:
        message = _("Milestone «%(name)s» deleted.") % {"name": milestone}
    if request.htmx:  # type: ignore[attr-defined]
        return _milestones_partial(request, service, status_message=message, status_error=failed)
    if failed:
        messages.error(request, message)
    else:
        messages.success(request, message)
    return redirect("catalog:service_detail", pk=service.pk)


@permission_view(CHANGE)
@require_POST
def milestone_move(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _changeable_milestone(request, pk)
    service = milestone.service
    form = MilestoneMoveForm(request.POST)
    message = ""
    failed = False
    if form.is_valid():
        direction = form.cleaned_data["direction"]
        try:
            services.milestone_template_move(
                actor=request.user,  # type: ignore[arg-type]
                milestone=milestone,
                direction=direction,
            )
        except ValidationError as exc:
            failed = True
            message = " ".join(exc.messages)
        else:
            message = (
                _("Milestone «%(name)s» moved up.")
                if direction == "up"
                else _("Milestone «%(name)s» moved down.")
            ) % {"name": milestone}
    if request.htmx:  # type: ignore[attr-defined]
        return _milestones_partial(request, service, status_message=message, status_error=failed)
    if message:
        (messages.error if failed else messages.success)(request, message)
    return redirect("catalog:service_detail", pk=service.pk)


# --- vocabularies: service types, topics, mechanisms, modalities ------------------------------


def _value_titles(kind: str) -> tuple[str, str]:
    titles = {
        CatalogKind.SERVICE_TYPE: (_("Service types"), _("New service type")),
        CatalogKind.TOPIC: (_("Topics"), _("New topic")),
        CatalogKind.MECHANISM: (_("Mechanisms"), _("New mechanism")),
        CatalogKind.MODALITY: (_("Modalities"), _("New modality")),
    }
    return titles[CatalogKind(kind)]


@permission_view(VIEW)
def value_list(request: HttpRequest, kind: str) -> HttpResponse:
    values: Any = selectors.catalog_values(user=request.user, kind=kind)
    if kind == CatalogKind.TOPIC:
        values = sorted(
            values,
            key=lambda t: (
                (t.parent.sort_order, t.parent.name, 1, t.sort_order, t.name)  # type: ignore[attr-defined]
                if t.parent_id  # type: ignore[attr-defined]
                else (t.sort_order, t.name, 0, 0, "")
            ),
        )
    prefix = VALUE_PAGES[kind]
    title, new_title = _value_titles(kind)
    return render(
        request,
        "catalog/value_list.html",
        {
            "values": values,
            "kind": kind,
            "is_topic": kind == CatalogKind.TOPIC,
            "title": title,
            "new_title": new_title,
            "create_url": reverse(f"catalog:{prefix}_create"),
            "edit_url_name": f"catalog:{prefix}_edit",
            "can_manage": has_perm(request.user, MANAGE_VALUES),
            "tabs": _tabs(kind),
        },
    )


def _value_form(request: HttpRequest, kind: str, value: Any = None) -> CatalogValueForm:
    parents = None
    if kind == CatalogKind.TOPIC:
        parents = selectors.catalog_values(user=request.user, kind=kind)
        if value is not None:
            parents = parents.exclude(pk=value.pk)
    if value is None:
        initial: dict[str, Any] = {"version": 1, "is_active": True, "sort_order": 0}
    else:
        initial = {
            "name": value.name,
            "code": value.code,
            "description": value.description,
            "sort_order": value.sort_order,
            "is_active": value.is_active,
            "version": value.version,
        }
        if kind == CatalogKind.TOPIC:
            initial["parent"] = value.parent_id
    return CatalogValueForm(request.POST or None, initial=initial, parents=parents)


def _value_page(
    request: HttpRequest, kind: str, form: CatalogValueForm, value: Any
) -> HttpResponse:
    title, new_title = _value_titles(kind)
    prefix = VALUE_PAGES[kind]
    return render(
        request,
        "catalog/value_form.html",
        {
            "form": form,
            "value": value,
            "title": title,
            "new_title": new_title,
            "list_url": reverse(f"catalog:{prefix}_list"),
            "tabs": _tabs(kind),
        },
    )


@permission_view(MANAGE_VALUES)
def value_create(request: HttpRequest, kind: str) -> HttpResponse:
    form = _value_form(request, kind)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            value = services.catalog_value_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=request.membership.organization,  # type: ignore[attr-defined]
                model=selectors.VALUE_MODELS[kind],
                data=data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("«%(name)s» created.") % {"name": value})
            return redirect(f"catalog:{VALUE_PAGES[kind]}_list")
    return _value_page(request, kind, form, None)


@permission_view(MANAGE_VALUES)
def value_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    value = get_object_or_404(
        selectors.catalog_values(user=request.user, kind=kind, action="change"), pk=pk
    )
    form = _value_form(request, kind, value)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.catalog_value_update(
                actor=request.user,  # type: ignore[arg-type]
                value=value,
                expected_version=form.cleaned_data["version"],
                data=data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("«%(name)s» saved.") % {"name": value})
            return redirect(f"catalog:{VALUE_PAGES[kind]}_list")
    return _value_page(request, kind, form, value)
