"""The organization admin's pages: organization data, units, members, invitations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from acompana.core import selectors, services
from acompana.core.access import permission_view, public_view
from acompana.core.forms import (
    FiscalYearForm,
    InvitationAcceptForm,
    InvitationForm,
    MembershipForm,
    OrganizationForm,
    UnitForm,
)
from acompana.core.models import FiscalYear, Invitation, Organization
from acompana.core.views.utils import apply_service_errors, paginate

MANAGE = "core.manage_organization"


@permission_view(MANAGE)
def organization_edit(request: HttpRequest) -> HttpResponse:
    organization = get_object_or_404(
        Organization,
        pk=request.membership.organization_id,  # type: ignore[attr-defined]
    )
    form = OrganizationForm(
        request.POST or None,
        request.FILES or None,
        instance=organization,
        initial={"version": organization.version},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        # the ModelForm already set attributes on the instance; reload for a true "before"
        fresh = Organization.objects.get(pk=organization.pk)
        try:
            services.organization_update(
                actor=request.user,  # type: ignore[arg-type]
                organization=fresh,
                expected_version=form.cleaned_data["version"],
                data=data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Organization data saved."))
            return redirect("core:organization_edit")
    return render(request, "core/admin/organization_form.html", {"form": form})


@permission_view(MANAGE)
def unit_list(request: HttpRequest) -> HttpResponse:
    units = selectors.units_for_user(user=request.user).order_by("name")
    return render(request, "core/admin/unit_list.html", {"units": units})


@permission_view(MANAGE)
def unit_create(request: HttpRequest) -> HttpResponse:
    units = selectors.units_for_user(user=request.user)
    form = UnitForm(request.POST or None, units=units, initial={"version": 1, "is_active": True})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            unit = services.unit_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=request.membership.organization,  # type: ignore[attr-defined]
                data=data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Unit «%(name)s» created.") % {"name": unit.name})
            return redirect("core:unit_list")
    return render(request, "core/admin/unit_form.html", {"form": form, "unit": None})


@permission_view(MANAGE)
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    units = selectors.units_for_user(user=request.user)
    unit = get_object_or_404(units, pk=pk)
    initial = {
        "name": unit.name,
        "code": unit.code,
        "kind": unit.kind,
        "parent": unit.parent,
        "is_active": unit.is_active,
        "version": unit.version,
    }
    form = UnitForm(request.POST or None, units=units.exclude(pk=unit.pk), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.unit_update(
                actor=request.user,  # type: ignore[arg-type]
                unit=unit,
                expected_version=form.cleaned_data["version"],
                data=data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Unit «%(name)s» saved.") % {"name": unit.name})
            return redirect("core:unit_list")
    return render(request, "core/admin/unit_form.html", {"form": form, "unit": unit})


@permission_view(MANAGE)
def member_list(request: HttpRequest) -> HttpResponse:
    memberships = selectors.memberships_for_user(user=request.user).order_by("user__full_name")
    query = request.GET.get("q", "").strip()
    if query:
        memberships = memberships.filter(user__full_name__icontains=query) | memberships.filter(
            user__email__icontains=query
        )
    invitations = Invitation.objects.for_user(request.user).select_related("unit")[:50]
    return render(
        request,
        "core/admin/member_list.html",
        {
            "page": paginate(request, memberships),
            "invitations": [i for i in invitations if i.is_open],
            "query": query,
        },
    )


@permission_view(MANAGE)
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(selectors.memberships_for_user(user=request.user), pk=pk)
    units = selectors.units_for_user(user=request.user).filter(is_active=True)
    form = MembershipForm(
        request.POST or None,
        units=units,
        initial={
            "roles": membership.roles,
            "unit": membership.unit,
            "is_active": membership.is_active,
            "version": membership.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.membership_update(
                actor=request.user,  # type: ignore[arg-type]
                membership=membership,
                expected_version=form.cleaned_data["version"],
                data=data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Membership of %(user)s saved.") % {"user": membership.user}
            )
            return redirect("core:member_list")
    return render(request, "core/admin/member_form.html", {"form": form, "membership": membership})


@permission_view(MANAGE)
def invitation_create(request: HttpRequest) -> HttpResponse:
    units = selectors.units_for_user(user=request.user).filter(is_active=True)
    form = InvitationForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=request.membership.organization,  # type: ignore[attr-defined]
                base_url=request.build_absolute_uri("/").rstrip("/"),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("core:member_list")
    return render(request, "core/admin/invitation_form.html", {"form": form})


@permission_view(MANAGE)
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.for_user(request.user), pk=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Invitation to %(email)s revoked.") % {"email": invitation.email}
        )
    return redirect("core:member_list")


@public_view
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "core/admin/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        form = None
        if request.method == "POST":
            try:
                services.invitation_accept(
                    token=token,
                    full_name="",
                    password=None,
                    user=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                services.user_switch_organization(
                    user=request.user,
                    organization_id=invitation.organization_id,  # type: ignore[arg-type]
                )
                messages.success(
                    request, _("You now belong to %(org)s.") % {"org": invitation.organization}
                )
                return redirect("core:home")
    else:
        form = InvitationAcceptForm(
            request.POST or None, initial={"full_name": invitation.full_name}
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.invitation_accept(
                    token=token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Account created. Log in with your e-mail and password.")
                )
                return redirect("core:login")
    return render(
        request, "core/admin/invitation_accept.html", {"invitation": invitation, "form": form}
    )


@public_view
def organization_logo(request: HttpRequest, slug: str) -> FileResponse:
    """The organization's logo: public identity, shown on its pages and documents."""
    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    if not organization.logo:
        raise Http404
    response = FileResponse(organization.logo.open("rb"))
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    if organization.logo.name.lower().endswith(".svg"):
        response["Content-Type"] = "image/svg+xml"
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@permission_view(MANAGE)
def fiscal_year_list(request: HttpRequest) -> HttpResponse:
    fiscal_years = FiscalYear.objects.for_user(request.user).order_by("-year")
    form = FiscalYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fiscal_year = services.fiscal_year_create(
                actor=request.user,  # type: ignore[arg-type]
                organization=request.membership.organization,  # type: ignore[attr-defined]
                year=form.cleaned_data["year"],
                make_current=form.cleaned_data["make_current"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Fiscal year %(year)s created.") % {"year": fiscal_year.year}
            )
            return redirect("core:fiscal_year_list")
    return render(
        request, "core/admin/fiscal_year_list.html", {"fiscal_years": fiscal_years, "form": form}
    )


@permission_view(MANAGE)
@require_POST
def fiscal_year_set_current(request: HttpRequest, pk: int) -> HttpResponse:
    fiscal_year = get_object_or_404(FiscalYear.objects.for_user(request.user), pk=pk)
    services.fiscal_year_set_current(actor=request.user, fiscal_year=fiscal_year)  # type: ignore[arg-type]
    messages.success(
        request, _("Fiscal year %(year)s is now the current one.") % {"year": fiscal_year.year}
    )
    return redirect("core:fiscal_year_list")
