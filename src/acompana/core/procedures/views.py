"""Procedure pages: the organization's official procedure, the admin's adjustments and the
procedure trail of one object."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acompana.core.access import permission_view
from acompana.core.choices import Role
from acompana.core.models import Invitation, Job, Membership, Organization, TenantModel
from acompana.core.permissions import has_perm
from acompana.core.procedures import services
from acompana.core.procedures.forms import ProcedureAdjustmentsForm
from acompana.core.procedures.profiles import Profile, apply_overrides, shipped_profile
from acompana.core.procedures.trail import procedure_trail
from acompana.core.views.utils import apply_service_errors

#: What each switch means, for the Procedimiento page (DESIGN section 3).
SWITCH_LABELS = {
    "unit_scoped_writes": gettext_lazy(
        "Unit heads and professionals change only the records of their own unit"
    ),
    "plan_review_by_unit_head": gettext_lazy("The unit head reviews and approves each unit plan"),
    "plan_consolidation_by_planning": gettext_lazy(
        "Planning consolidates the units' proposals into the organization's strategy or plan"
    ),
    "plan_verification": gettext_lazy(
        "Planning verifies that the consolidated plan is complete and consistent"
    ),
    "committee_approves_strategy": gettext_lazy("The steering committee approves the strategy"),
    "committee_approves_plan": gettext_lazy(
        "The steering committee approves the plan in its minutes (acta)"
    ),
    "plan_publication": gettext_lazy("The approved plan is published and sent to the units"),
    "agenda_period": gettext_lazy("Period of the agenda"),
    "agenda_vs_plan_check": gettext_lazy("The agenda is checked against the approved plan"),
    "travel_allowance": gettext_lazy("Travel allowances (viáticos) are processed"),
    "evaluation_stages": gettext_lazy("Evaluation stages"),
    "consent_required_to_evaluate": gettext_lazy(
        "Only people who give their consent are evaluated"
    ),
    "milestones": gettext_lazy(
        "Services have milestones: a service counts as delivered only when all are met"
    ),
}

VALUE_LABELS = {
    "month": gettext_lazy("Monthly"),
    "quarter": gettext_lazy("Quarterly"),
    "satisfaction": gettext_lazy("Satisfaction / perception"),
    "impact": gettext_lazy("Impact"),
}

#: Objects of these models have no procedure trail (account administration, not procedure).
NO_TRAIL_MODELS: tuple[type[Model], ...] = (Membership, Invitation, Job)


def _switch_rows(profile: Profile) -> list[dict[str, Any]]:
    rows = []
    for name, label in SWITCH_LABELS.items():
        value = profile.switch(name)
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif isinstance(value, list | tuple):
            shown = ", ".join(str(VALUE_LABELS.get(v, v)) for v in value)
        else:
            shown = str(VALUE_LABELS.get(value, value))
        rows.append({"name": name, "label": label, "value": shown, "on": bool(value)})
    return rows


@permission_view("core.view_procedure")
def procedure(request: HttpRequest) -> HttpResponse:
    organization = request.membership.organization  # type: ignore[attr-defined]
    base = shipped_profile(organization.procedure_code)
    profile = apply_overrides(base, organization.procedure_overrides)
    role_rows = [
        {
            "role": role,
            "label": Role(role).label if role in Role.values else role,
            "name": profile.role_name(role),
            "shipped": base.role_name(role),
        }
        for role in profile.role_names
    ]
    return render(
        request,
        "core/procedures/procedure.html",
        {
            "profile": profile,
            "switches": _switch_rows(profile),
            "role_rows": role_rows,
            "can_edit": has_perm(request.user, "core.change_procedure"),
        },
    )


@permission_view("core.change_procedure")
def procedure_edit(request: HttpRequest) -> HttpResponse:
    organization = get_object_or_404(
        Organization,
        pk=request.membership.organization_id,  # type: ignore[attr-defined]
    )
    base = shipped_profile(organization.procedure_code)
    profile = apply_overrides(base, organization.procedure_overrides)
    form = ProcedureAdjustmentsForm(
        request.POST or None,
        profile=profile,
        base=base,
        initial={"version": organization.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.procedure_overrides_update(
                actor=request.user,  # type: ignore[arg-type]
                organization=organization,
                expected_version=form.cleaned_data["version"],
                overrides=form.overrides(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Procedure adjustments saved."))
            return redirect("core:procedure")
    return render(
        request,
        "core/procedures/procedure_edit.html",
        {"form": form, "profile": profile, "organization": organization},
    )


def _trail_object(request: HttpRequest, app_label: str, model: str, object_id: str) -> Model:
    """The object, only when the user may see it (its organization); otherwise 404."""
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        raise Http404
    model_class = content_type.model_class()
    membership = request.membership  # type: ignore[attr-defined]
    if model_class is Organization:
        if object_id != str(membership.organization_id):
            raise Http404
        return membership.organization  # type: ignore[no-any-return]
    if (
        model_class is None
        or not issubclass(model_class, TenantModel)
        or issubclass(model_class, NO_TRAIL_MODELS)
    ):
        raise Http404
    try:
        return get_object_or_404(model_class.objects.for_user(request.user), pk=object_id)  # type: ignore[attr-defined]
    except (ValueError, ValidationError):
        raise Http404


@permission_view("core.view_procedure")
def procedure_trail_view(
    request: HttpRequest, app_label: str, model: str, object_id: str
) -> HttpResponse:
    obj = _trail_object(request, app_label, model, object_id)
    trail = procedure_trail(user=request.user, obj=obj)
    return render(
        request,
        "core/procedures/trail_page.html",
        {
            "object": obj,
            "model_name": obj._meta.verbose_name,
            "trail": trail,
            "profile": trail.profile,
            "can_view_audit": has_perm(request.user, "core.view_audit"),
            "audit_kwargs": (app_label, model, object_id),
        },
    )
