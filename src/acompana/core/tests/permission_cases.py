from django.contrib.contenttypes.models import ContentType

from acompana.core.events import event_record
from acompana.core.models import Invitation, Membership
from acompana.core.tests.cases import ApiListCase, ViewCase, unique_number, unique_text
from acompana.core.tests.factories import UnitFactory, member


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


def _document(world):
    from django.core.files.base import ContentFile

    from acompana.core.models import Document

    # a document of a unit (visible to every member); the outsider's organization cannot see it
    document = Document(
        organization=world.org,
        content_type=ContentType.objects.get_for_model(world.unit),
        object_id=str(world.unit.pk),
        kind="test.pdf",
        title="Documento del caso",
        sha256="0" * 64,
    )
    document.file.save("caso.pdf", ContentFile(b"%PDF-1.4 caso"), save=True)
    return document


def _fiscal_year(world):
    from acompana.core.models import FiscalYear

    return FiscalYear.objects.get(organization=world.org)


def _org_with_event(world):
    event_record(
        actor=world.admin, organization=world.org, step_key="organization.updated", obj=world.org
    )
    return world.org


def _procedure_edit_data(world, obj):
    from acompana.core.procedures import get_profile
    from acompana.core.procedures.forms import adjustments_post_data

    world.org.refresh_from_db()
    return adjustments_post_data(get_profile(world.org), world.org.version)


# --- rows of the lists (tests/test_permissions_generic.py: tenancy and query count) -------------


def _unit_rows(world, organization, parent, n):
    return [
        UnitFactory(organization=organization, name=unique_text("Dependencia")) for _ in range(n)
    ]


def _fiscal_year_rows(world, organization, parent, n):
    import datetime

    from acompana.core.models import FiscalYear

    rows = []
    for _ in range(n):
        year = 2400 + unique_number()  # far from any year on the page
        rows.append(
            FiscalYear.objects.create(
                organization=organization,
                year=year,
                start_date=datetime.date(year, 1, 1),
                end_date=datetime.date(year, 12, 31),
            )
        )
    return rows


def _member_rows(world, organization, parent, n):
    return [
        member(organization, "professional", full_name=unique_text("Persona")) for _ in range(n)
    ]


def _actor_in(world, organization):
    return world.admin if organization == world.org else world.outsider


def _event_rows(world, organization, parent, n):
    """Events about the organization itself (``parent`` is ``world.org`` on the object page)."""
    return [
        event_record(
            actor=_actor_in(world, organization),
            organization=organization,
            step_key="organization.updated",
            obj=organization,
            summary=unique_text("Cambio registrado"),
        )
        for _ in range(n)
    ]


def _summary(event):
    return event.summary


def _unit_with_trail(world):
    unit = UnitFactory(organization=world.org, name="Unidad con recorrido")
    event_record(actor=world.admin, organization=world.org, step_key="need.registered", obj=unit)
    return unit


CASES = [
    ViewCase("core:home"),
    ViewCase(
        "core:switch_organization",
        method="post",
        data=lambda w, o: {"organization": w.org.pk},
        redirect="core:home",
    ),
    ViewCase("core:security"),
    ViewCase("core:security_totp_start", method="post", redirect="core:security"),
    ViewCase("core:security_totp_disable", method="post", redirect="core:security"),
    ViewCase("core:organization_edit"),
    ViewCase(
        "core:organization_edit",
        method="post",
        data=lambda w, o: {"name": "", "version": w.org.version},
        status=200,  # the name is required: the form comes back with the error
    ),
    ViewCase("core:unit_list", rows=_unit_rows),
    ViewCase("core:unit_create"),
    ViewCase(
        "core:unit_create",
        method="post",
        data=lambda w, o: {"name": "Nueva", "kind": "group", "version": 1},
        redirect="core:unit_list",
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
        redirect="core:unit_list",
    ),
    ViewCase("core:fiscal_year_list", rows=_fiscal_year_rows, marker=lambda fy: str(fy.year)),
    ViewCase(
        "core:fiscal_year_list",
        method="post",
        data=lambda w, o: {"year": 2031},
        redirect="core:fiscal_year_list",
    ),
    ViewCase(
        "core:fiscal_year_set_current",
        obj=lambda w: __import__(
            "acompana.core.models", fromlist=["FiscalYear"]
        ).FiscalYear.objects.get(organization=w.org),
        method="post",
        redirect="core:fiscal_year_list",
    ),
    ViewCase("core:member_list", rows=_member_rows),
    ViewCase("core:member_edit", obj=_membership),
    ViewCase(
        "core:member_edit",
        obj=_membership,
        method="post",
        data=lambda w, o: {"roles": ["admin"], "version": o.version, "is_active": "on"},
        redirect="core:member_list",
    ),
    ViewCase("core:invitation_create"),
    ViewCase("core:invitation_revoke", obj=_invitation, method="post", redirect="core:member_list"),
    ViewCase("core:audit_list", rows=_event_rows, marker=_summary),
    ViewCase(
        "core:audit_object",
        obj=lambda w: _org_with_event(w),
        kwargs=lambda o: {"app_label": "core", "model": "organization", "object_id": o.pk},
        rows=_event_rows,
        marker=_summary,
    ),
    ViewCase("core:procedure"),
    ViewCase("core:job_detail", obj=_job),
    ViewCase("core:document_download", obj=_document),
    ViewCase("core:procedure_edit"),
    ViewCase(
        "core:procedure_edit", method="post", data=_procedure_edit_data, redirect="core:procedure"
    ),
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

#: API lists (tests/test_api_lists_generic.py)
API_LISTS = [ApiListCase("unit_list", rows=_unit_rows)]
