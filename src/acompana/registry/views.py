"""Pages of the registry: stakeholders, people, consents, import and export.

Thin views: parse the form, call a service, show its errors. Lists render the whole page
or, for htmx requests, only the results partial (live search).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from acompana.core import exports as core_exports
from acompana.core.access import permission_view
from acompana.core.imports import ImportFlow
from acompana.core.permissions import has_perm
from acompana.core.views.utils import apply_service_errors, paginate, querystring_without_page
from acompana.geo.forms import municipality_choices
from acompana.registry import exports, selectors, services
from acompana.registry.choices import ConsentPurpose
from acompana.registry.filters import PersonFilterForm, StakeholderFilterForm
from acompana.registry.forms import (
    ConsentForm,
    ConsentRevokeForm,
    PersonForm,
    StakeholderCreateForm,
    StakeholderForm,
)
from acompana.registry.imports import MAPPING_KIND, parse_stakeholder_file
from acompana.registry.notice import CURRENT_NOTICE_VERSION, notice_text
from acompana.registry.validation import input_from_stakeholder

VIEW = "registry.view"
CHANGE = "registry.change"
IMPORT = "registry.import"
EXPORT = "registry.export"


def _organization(request: HttpRequest) -> Any:
    return request.membership.organization  # type: ignore[attr-defined]


def _trail_url(app_label: str, model: str, pk: int) -> str | None:
    """The procedure trail of an object, when the installed core offers that page."""
    try:
        return reverse(
            "core:procedure_trail",
            kwargs={"app_label": app_label, "model": model, "object_id": pk},
        )
    except NoReverseMatch:
        return None


def _history_url(request: HttpRequest, model: str, pk: int) -> str | None:
    if not has_perm(request.user, "core.view_audit"):
        return None
    return reverse("core:audit_object", args=["registry", model, pk])


# --- stakeholders ----------------------------------------------------------------------------


@permission_view(VIEW)
def stakeholder_list(request: HttpRequest) -> HttpResponse:
    form = StakeholderFilterForm(request.GET)
    stakeholders = selectors.stakeholders_for_user(user=request.user)
    if form.is_valid():
        stakeholders = form.apply(stakeholders).order_by("name", "id")
    else:
        stakeholders = stakeholders.none()
    querystring = querystring_without_page(request)
    context = {
        "form": form,
        "page": paginate(request, stakeholders),
        "querystring": querystring,
        "filtered": bool(form.active_filters()),
        "can_change": has_perm(request.user, CHANGE),
        "can_import": has_perm(request.user, IMPORT),
        "can_export": has_perm(request.user, EXPORT),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "registry/_stakeholder_results.html", context)
    return render(request, "registry/stakeholder_list.html", context)


@permission_view(VIEW)
def stakeholder_detail(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = selectors.stakeholder_get(user=request.user, pk=pk)
    people = selectors.stakeholder_people(stakeholder=stakeholder)
    sites = selectors.stakeholder_sites(stakeholder=stakeholder)
    return render(
        request,
        "registry/stakeholder_detail.html",
        {
            "stakeholder": stakeholder,
            "people": people[:50],
            "people_count": people.count(),
            "sites": sites[:100] if stakeholder.kind == "school" else [],
            "history_url": _history_url(request, "stakeholder", stakeholder.pk),
            "trail_url": _trail_url("registry", "stakeholder", stakeholder.pk),
            "can_change": has_perm(request.user, CHANGE),
        },
    )


@permission_view(CHANGE)
def stakeholder_create(request: HttpRequest) -> HttpResponse:
    form = StakeholderCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stakeholder = services.stakeholder_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=_organization(request),
                data=form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Stakeholder «%(name)s» registered.") % {"name": stakeholder.name}
            )
            return redirect("registry:stakeholder_detail", pk=stakeholder.pk)
    return render(request, "registry/stakeholder_form.html", {"form": form, "stakeholder": None})


@permission_view(CHANGE)
def stakeholder_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = selectors.stakeholder_get(user=request.user, pk=pk, action="change")
    initial = {**input_from_stakeholder(stakeholder), "version": stakeholder.version}
    form = StakeholderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.stakeholder_update(
                actor=request.user,  # type: ignore[arg-type]
                stakeholder=stakeholder,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Stakeholder «%(name)s» saved.") % {"name": stakeholder.name}
            )
            return redirect("registry:stakeholder_detail", pk=stakeholder.pk)
    return render(
        request, "registry/stakeholder_form.html", {"form": form, "stakeholder": stakeholder}
    )


@permission_view(CHANGE)
@require_POST
def stakeholder_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = selectors.stakeholder_get(user=request.user, pk=pk, action="change")
    try:
        services.stakeholder_deactivate(actor=request.user, stakeholder=stakeholder)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Stakeholder «%(name)s» deactivated.") % {"name": stakeholder.name}
        )
    return redirect("registry:stakeholder_detail", pk=stakeholder.pk)


@permission_view(CHANGE)
@require_POST
def stakeholder_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = selectors.stakeholder_get(user=request.user, pk=pk, action="change")
    try:
        services.stakeholder_reactivate(actor=request.user, stakeholder=stakeholder)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Stakeholder «%(name)s» reactivated.") % {"name": stakeholder.name}
        )
    return redirect("registry:stakeholder_detail", pk=stakeholder.pk)


@permission_view(VIEW)
def municipality_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s of a department's municipalities (htmx, for the selects that follow it)."""
    if "department" in request.GET:
        department, empty = request.GET.get("department", ""), _("All municipalities")
    else:
        department, empty = request.GET.get("department_code", ""), _("— choose —")
    if department:
        choices = municipality_choices(department, empty=empty)
    else:
        choices = [("", _("Choose a department first"))]
    return render(request, "registry/_municipality_options.html", {"choices": choices})


def _export_format(request: HttpRequest) -> str:
    file_format = request.GET.get("format", "csv")
    if file_format not in ("csv", "xlsx"):
        raise Http404
    return file_format


@permission_view(EXPORT)
def stakeholder_export(request: HttpRequest) -> Any:
    file_format = _export_format(request)
    form = StakeholderFilterForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("The filters of the list are not valid."))
        return redirect("registry:stakeholder_list")
    queryset = form.apply(selectors.stakeholders_for_user(user=request.user)).order_by("name", "id")
    services.registry_export_record(
        actor=request.user,  # type: ignore[arg-type]
        organization=_organization(request),
        what="stakeholders",
        file_format=file_format,
        count=queryset.count(),
        filters=form.cleaned_data,
        personal_data=False,
        sensitive_data=False,
    )
    header, rows = exports.stakeholder_header(), exports.stakeholder_rows(queryset)
    name = core_exports.export_filename("grupos-de-valor")
    if file_format == "xlsx":
        return core_exports.xlsx_response(header, rows, name, sheet=_("Stakeholders"))
    return core_exports.csv_response(header, rows, name)


# --- import ----------------------------------------------------------------------------------


def _parse_import(*, user: Any, target: Any, content: bytes, filename: str) -> Any:
    return parse_stakeholder_file(organization=target, content=content, filename=filename)


def _run_import(
    *, actor: Any, target: Any, content: bytes, filename: str, options: dict[str, Any]
) -> str:
    result = services.stakeholders_import(
        actor=actor, organization=target, content=content, filename=filename
    )
    if result.updated:
        return _("%(count)s stakeholders imported and %(updated)s updated from %(file)s.") % {
            "count": result.created,
            "updated": result.updated,
            "file": result.filename,
        }
    return _("%(count)s stakeholders imported from %(file)s.") % {
        "count": result.created,
        "file": result.filename,
    }


def _start_import(
    *, actor: Any, target: Any, path: str, filename: str, options: dict[str, Any]
) -> Any:
    return services.stakeholders_import_start(
        actor=actor, organization=target, path=path, filename=filename
    )


#: the registry's file import on the shared pipeline (``core.imports``)
IMPORT_FLOW = ImportFlow(
    session_key="registry_imports",
    folder="registro/importaciones",
    upload_template="registry/import_upload.html",
    preview_template="registry/import_preview.html",
    upload_url="registry:import_upload",
    preview_url="registry:import_preview",
    confirm_url="registry:import_confirm",
    done_url="registry:stakeholder_list",
    parse=_parse_import,
    run=_run_import,
    start=_start_import,
    mapping_kind=MAPPING_KIND,
    mapping_permission=IMPORT,
)
IMPORT_SESSION_KEY = IMPORT_FLOW.session_key


@permission_view(IMPORT)
def import_upload(request: HttpRequest) -> HttpResponse:
    return IMPORT_FLOW.upload(request, target=_organization(request))


@permission_view(IMPORT)
def import_preview(request: HttpRequest) -> HttpResponse:
    return IMPORT_FLOW.preview(request, target=_organization(request))


@permission_view(IMPORT)
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    return IMPORT_FLOW.confirm(request, target=_organization(request))


@permission_view(IMPORT)
def import_template(request: HttpRequest) -> Any:
    return exports.template_response(_export_format(request))


# --- people ----------------------------------------------------------------------------------


@permission_view(VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonFilterForm(request.GET)
    people = selectors.people_for_user(user=request.user)
    people = (
        form.apply(people).order_by("last_name", "first_name", "id")
        if form.is_valid()
        else people.none()
    )
    stakeholder = None
    if form.is_valid() and form.cleaned_data.get("stakeholder"):
        stakeholder = (
            selectors.stakeholders_for_user(user=request.user)
            .filter(pk=form.cleaned_data["stakeholder"])
            .first()
        )
    context = {
        "form": form,
        "page": paginate(request, people),
        "querystring": querystring_without_page(request),
        "filtered": bool(form.active_filters()),
        "stakeholder": stakeholder,
        "can_change": has_perm(request.user, CHANGE),
        "can_export": has_perm(request.user, EXPORT),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "registry/_person_results.html", context)
    return render(request, "registry/person_list.html", context)


@permission_view(VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    can_view_sensitive = selectors.can_view_sensitive(request.user)
    sensitive = selectors.sensitive_data(user=request.user, person=person)
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "consents": selectors.consents_for_person(person=person),
            "can_view_sensitive": can_view_sensitive,
            "sensitive_rows": _sensitive_rows(sensitive) if sensitive is not None else None,
            "history_url": _history_url(request, "person", person.pk),
            "can_change": has_perm(request.user, CHANGE),
        },
    )


def _sensitive_rows(values: dict[str, str]) -> list[tuple[str, str]]:
    from acompana.registry.forms import SENSITIVE_FORM_FIELDS

    labels = selectors.sensitive_labels(values)
    return [(str(label), labels[name]) for name, (label, _choices) in SENSITIVE_FORM_FIELDS.items()]


@permission_view(CHANGE)
def person_create(request: HttpRequest) -> HttpResponse:
    stakeholders = selectors.stakeholder_choices(user=request.user)
    initial: dict[str, Any] = {}
    if request.GET.get("stakeholder", "").isdigit():
        initial["stakeholder"] = stakeholders.filter(pk=request.GET["stakeholder"]).first()
    form = PersonForm(
        request.POST or None,
        initial=initial,
        stakeholders=stakeholders,
        with_sensitive=selectors.can_view_sensitive(request.user),
        with_consent=True,
    )
    if request.method == "POST" and form.is_valid():
        consent = None
        if form.cleaned_data.get("consent_purposes"):
            consent = services.ConsentInput(
                purposes=form.cleaned_data["consent_purposes"],
                channel=form.cleaned_data["consent_channel"],
            )
        try:
            person = services.person_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=_organization(request),
                data=form.service_data(),
                consent=consent,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s registered.") % {"name": person.full_name})
            return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "person": None,
            "notice": notice_text(organization=_organization(request)),
        },
    )


@permission_view(CHANGE)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, action="change")
    with_sensitive = selectors.sensitive_data(user=request.user, person=person) is not None
    initial: dict[str, Any] = {
        name: getattr(person, name)
        for name in (
            "document_type",
            "document_number",
            "first_name",
            "last_name",
            "email",
            "phone",
            "position",
            "stakeholder",
        )
    }
    initial["version"] = person.version
    if with_sensitive:
        initial.update(selectors.sensitive_data(user=request.user, person=person) or {})
    form = PersonForm(
        request.POST or None,
        initial=initial,
        stakeholders=selectors.stakeholder_choices(user=request.user),
        with_sensitive=with_sensitive,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,  # type: ignore[arg-type]
                person=person,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": person.full_name})
            return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "person": person,
            "sensitive_blocked": selectors.can_view_sensitive(request.user) and not with_sensitive,
        },
    )


@permission_view(EXPORT)
def person_export(request: HttpRequest) -> Any:
    file_format = _export_format(request)
    form = PersonFilterForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("The filters of the list are not valid."))
        return redirect("registry:person_list")
    queryset = form.apply(selectors.people_for_user(user=request.user)).order_by(
        "last_name", "first_name", "id"
    )
    include_sensitive = selectors.can_view_sensitive(request.user)
    services.registry_export_record(
        actor=request.user,  # type: ignore[arg-type]
        organization=_organization(request),
        what="people",
        file_format=file_format,
        count=queryset.count(),
        filters=form.cleaned_data,
        personal_data=True,
        sensitive_data=include_sensitive,
    )
    header = exports.person_header(include_sensitive=include_sensitive)
    rows = exports.person_rows(queryset, include_sensitive=include_sensitive)
    name = core_exports.export_filename("personas")
    if file_format == "xlsx":
        return core_exports.xlsx_response(header, rows, name, sheet=_("People"))
    return core_exports.csv_response(header, rows, name)


# --- consent ---------------------------------------------------------------------------------


@permission_view(CHANGE)
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, action="change")
    form = ConsentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                actor=request.user,  # type: ignore[arg-type]
                person=person,
                purposes=form.cleaned_data["purposes"],
                channel=form.cleaned_data["channel"],
                granted_at=form.cleaned_data["granted_at"],
                evidence=form.cleaned_data.get("evidence"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Consent of %(name)s recorded.") % {"name": person.full_name}
            )
            return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/consent_form.html",
        {
            "form": form,
            "person": person,
            "notice": notice_text(organization=_organization(request)),
            "notice_version": CURRENT_NOTICE_VERSION,
            "sensitive_purpose": ConsentPurpose.SENSITIVE_DATA,
        },
    )


@permission_view(CHANGE)
def consent_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    consent = selectors.consent_get(user=request.user, pk=pk)
    if consent.revoked_at is not None:
        messages.info(request, _("This consent was already revoked."))
        return redirect("registry:person_detail", pk=consent.person_id)
    form = ConsentRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_revoke(
                actor=request.user,  # type: ignore[arg-type]
                consent=consent,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Consent revoked. Its uses are blocked from now on; the records are kept."),
            )
            return redirect("registry:person_detail", pk=consent.person_id)
    return render(request, "registry/consent_revoke.html", {"form": form, "consent": consent})


@permission_view(CHANGE)
def consent_evidence(request: HttpRequest, pk: int) -> Any:
    """The scanned evidence of a consent, streamed after the permission and scope checks.

    Evidence files are personal data: never linked from the public media URL.
    """
    consent = selectors.consent_get(user=request.user, pk=pk)
    if not consent.evidence:
        raise Http404
    return FileResponse(
        consent.evidence.open("rb"),
        as_attachment=False,
        filename=PurePath(consent.evidence.name).name,
    )


@permission_view(VIEW)
def consent_notice(request: HttpRequest) -> HttpResponse:
    """The current habeas-data notice of the organization, printable for paper consents."""
    return render(
        request,
        "registry/consent_notice.html",
        {
            "notice": notice_text(organization=_organization(request)),
            "notice_version": CURRENT_NOTICE_VERSION,
        },
    )
