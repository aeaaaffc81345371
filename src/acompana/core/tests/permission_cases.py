from acompana.core.events import event_record
from acompana.core.models import Invitation, Membership
from acompana.core.tests.cases import ViewCase
from acompana.core.tests.factories import UnitFactory


def _unit(world):
    return UnitFactory(organization=world.org, name="Unidad del caso")


def _membership(world):
    return Membership.objects.get(organization=world.org, user=world.professional)


def _invitation(world):
    from datetime import timedelta

    from django.utils import timezone

    return Invitation.objects.create(
        organization=world.org,
        email="invitada@example.gov.co",
        full_name="Invitada",
        roles=["professional"],
        token_hash="x" * 64,
        invited_by=world.admin,
        expires_at=timezone.now() + timedelta(days=3),
    )


def _job(world):
    from acompana.core.models import Job

    # the case runs as several users: the job is the admin's (others get 404 or 403)
    return Job.objects.create(
        organization=world.org, user=world.admin, kind="test", title="Tarea de prueba"
    )


def _fiscal_year(world):
    from acompana.core.models import FiscalYear

    return FiscalYear.objects.get(organization=world.org)


def _org_with_event(world):
    event_record(actor=world.admin, organization=world.org, step_key="test.case", obj=world.org)
    return world.org


def _procedure_edit_data(world, obj):
    from acompana.core.procedures import get_profile
    from acompana.core.procedures.forms import adjustments_post_data

    world.org.refresh_from_db()
    return adjustments_post_data(get_profile(world.org), world.org.version)


def _unit_with_trail(world):
    unit = UnitFactory(organization=world.org, name="Unidad con recorrido")
    event_record(actor=world.admin, organization=world.org, step_key="need.registered", obj=unit)
    return unit


CASES = [
    ViewCase("core:home"),
    ViewCase(
        "core:switch_organization", method="post", data=lambda w, o: {"organization": w.org.pk}
    ),
    ViewCase("core:security"),
    ViewCase("core:security_totp_start", method="post"),
    ViewCase("core:security_totp_disable", method="post"),
    ViewCase("core:organization_edit"),
    ViewCase(
        "core:organization_edit",
        method="post",
        data=lambda w, o: {"name": "", "version": w.org.version},
    ),
    ViewCase("core:unit_list"),
    ViewCase("core:unit_create"),
    ViewCase(
        "core:unit_create",
        method="post",
        data=lambda w, o: {"name": "Nueva", "kind": "group", "version": 1},
    ),
    ViewCase("core:unit_edit", obj=_unit),
    ViewCase(
        "core:unit_edit",
        obj=_unit,
        method="post",
        data=lambda w, o: {
            "name": "Renombrada",
            "kind": "group",
            "version": o.version,
            "is_active": "on",
        },
    ),
    ViewCase("core:fiscal_year_list"),
    ViewCase("core:fiscal_year_list", method="post", data=lambda w, o: {"year": 2031}),
    ViewCase(
        "core:fiscal_year_set_current",
        obj=lambda w: __import__(
            "acompana.core.models", fromlist=["FiscalYear"]
        ).FiscalYear.objects.get(organization=w.org),
        method="post",
    ),
    ViewCase("core:member_list"),
    ViewCase("core:member_edit", obj=_membership),
    ViewCase(
        "core:member_edit",
        obj=_membership,
        method="post",
        data=lambda w, o: {"roles": ["admin"], "version": o.version, "is_active": "on"},
    ),
    ViewCase("core:invitation_create"),
    ViewCase("core:invitation_revoke", obj=_invitation, method="post"),
    ViewCase("core:audit_list"),
    ViewCase(
        "core:audit_object",
        obj=lambda w: _org_with_event(w),
        kwargs=lambda o: {"app_label": "core", "model": "organization", "object_id": o.pk},
    ),
    ViewCase("core:procedure"),
    ViewCase("core:job_detail", obj=_job),
    ViewCase("core:procedure_edit"),
    ViewCase("core:procedure_edit", method="post", data=_procedure_edit_data),
    ViewCase(
        "core:procedure_trail",
        obj=_unit_with_trail,
        kwargs=lambda o: {"app_label": "core", "model": "unit", "object_id": o.pk},
    ),
    ViewCase(
        "core:procedure_trail",
        obj=lambda w: w.org,
        kwargs=lambda o: {"app_label": "core", "model": "organization", "object_id": o.pk},
    ),
]
