"""Core pages: login and lockout, home, switching, admin pages, audit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from acompana.core.models import Event, Membership, Unit
from acompana.core.plugins import product_apps
from acompana.core.procedures.keys import KEY_LABELS
from acompana.core.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_email_and_password(client, world):
    response = client.post(
        reverse("core:login"), {"username": world.admin.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    home = client.get(reverse("core:home"))
    assert world.org.name in home.content.decode()


def test_repeated_failures_lock_the_account(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("core:login"), {"username": world.admin.email, "password": "mala"})
    response = client.post(
        reverse("core:login"), {"username": world.admin.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert client.get(reverse("core:home")).status_code != 200


def test_login_asks_for_totp_when_enabled(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    from django_otp.oath import totp

    from acompana.core import services

    device = services.user_totp_start(user=world.admin)
    services.user_totp_confirm(user=world.admin, device=device, code=f"{totp(device.bin_key):06d}")
    # a code is accepted once: pretend the confirmation happened in an earlier time step
    type(device).objects.filter(pk=device.pk).update(last_t=-1)
    response = client.post(
        reverse("core:login"), {"username": world.admin.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("core:login_otp")
    assert client.get(reverse("core:home")).status_code == 302  # not logged in yet
    bad = client.post(reverse("core:login_otp"), {"code": "000000"})
    assert bad.status_code == 200
    client.post(reverse("core:login_otp"), {"code": f"{totp(device.bin_key):06d}"})
    assert client.get(reverse("core:home")).status_code == 200


def test_home_shows_organization_procedure_stages_and_pending(client_for, world):
    response = client_for(world.admin).get(reverse("core:home"))
    html = response.content.decode()
    assert world.org.name in html
    # every installed app's lifecycle cards, linked, in lifecycle order; nothing else
    expected = [
        (str(s.title), reverse(s.url_name)) for app in product_apps() for s in app.lifecycle
    ]
    shown = [(s.title, s.url) for s in response.context["stages"]]
    assert shown == expected and ("Necesidades", reverse("planning:need_list")) in shown
    for title, url in expected:
        assert f'<a href="{url}">{title}</a>' in html
    assert response.context["procedure"] is not None


def test_switch_organization(client_for, world):
    user = world.professional
    Membership.objects.create(organization=world.other, user=user, roles=["auditor"])
    c = client_for(user)
    response = c.post(reverse("core:switch_organization"), {"organization": world.other.pk})
    assert response.status_code == 302
    assert world.other.name in c.get(reverse("core:home")).content.decode()
    # not a member: refused, nothing changes
    c2 = client_for(world.planner)
    c2.post(reverse("core:switch_organization"), {"organization": world.other.pk})
    world.planner.refresh_from_db()
    assert world.planner.active_organization == world.org


def test_admin_creates_and_edits_a_unit(client_for, world):
    c = client_for(world.admin)
    response = c.post(
        reverse("core:unit_create"),
        {"name": "Gestión del Riesgo", "kind": "group", "parent": world.unit.pk, "version": 1},
    )
    assert response.status_code == 302
    unit = Unit.objects.get(organization=world.org, name="Gestión del Riesgo")
    response = c.post(
        reverse("core:unit_edit", args=[unit.pk]),
        {"name": "Gestión del Riesgo en Salud", "kind": "group", "version": 1, "is_active": "on"},
    )
    assert response.status_code == 302
    stale = c.post(
        reverse("core:unit_edit", args=[unit.pk]),
        {"name": "Otro nombre", "kind": "group", "version": 1, "is_active": "on"},
    )
    assert stale.status_code == 200
    assert "Otra persona modificó" in stale.content.decode()
    unit.refresh_from_db()
    assert unit.name == "Gestión del Riesgo en Salud"


def test_admin_changes_roles_of_a_member(client_for, world):
    membership = Membership.objects.get(user=world.professional, organization=world.org)
    c = client_for(world.admin)
    response = c.post(
        reverse("core:member_edit", args=[membership.pk]),
        {
            "roles": ["professional", "finance"],
            "unit": world.unit.pk,
            "is_active": "on",
            "version": 1,
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.roles == ["professional", "finance"]
    assert Event.objects.filter(step_key="membership.updated").exists()


def test_invitation_by_email_and_acceptance(
    client_for, client, world, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(
            reverse("core:invitation_create"),
            {"full_name": "Ana Invitada", "email": "ana@example.gov.co", "roles": ["planner"]},
        )
    assert response.status_code == 302
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitacion/" in line)
    path = link[link.index("/invitacion/") :]
    response = client.post(
        path,
        {
            "full_name": "Ana Invitada",
            "password1": "clave-segura-2026",
            "password2": "clave-segura-2026",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(
        organization=world.org, user__email="ana@example.gov.co"
    ).exists()
    assert client.get(path).status_code == 404


def test_audit_list_filters_and_object_history(client_for, world):
    c = client_for(world.admin)
    c.post(
        reverse("core:unit_create"),
        {"name": "Auditada", "kind": "group", "version": 1},
    )
    unit = Unit.objects.get(name="Auditada")
    response = client_for(world.auditor).get(reverse("core:audit_list"), {"step_key": "unit."})
    assert "Auditada" in response.content.decode()
    history = client_for(world.auditor).get(
        reverse("core:audit_object", args=["core", "unit", unit.pk])
    )
    page = history.content.decode()
    # the event by its label and the unit's name field by its label, never the raw key
    assert history.status_code == 200 and str(KEY_LABELS["unit.created"]) in page
    assert "unit.created" not in page and "None" not in page
    # the outsider cannot read this organization's history
    assert client_for(world.outsider).get(
        reverse("core:audit_object", args=["core", "unit", unit.pk])
    ).status_code in (403, 404)


def test_audit_list_query_count_does_not_grow(client_for, world, django_assert_max_num_queries):
    from acompana.core.events import event_record

    for i in range(30):
        event_record(
            actor=world.admin,
            organization=world.org,
            step_key="unit.updated",
            obj=world.unit,
            summary=str(i),
        )
    c = client_for(world.auditor)
    c.get(reverse("core:audit_list"))
    with django_assert_max_num_queries(15):
        c.get(reverse("core:audit_list"))


def test_organization_logo_upload_and_serving(client_for, client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
        b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
        b"\x00\x00\x00IEND\xaeB`\x82"
    )
    response = client_for(world.admin).post(
        reverse("core:organization_edit"),
        {
            "name": world.org.name,
            "short_name": world.org.short_name,
            "nit": world.org.nit,
            "order": world.org.order,
            "process_name": "Gestión en salud",
            "version": world.org.version,
            "logo": SimpleUploadedFile("logo.png", png, content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    world.org.refresh_from_db()
    assert world.org.process_name == "Gestión en salud" and world.org.logo
    served = client.get(reverse("core:organization_logo", args=[world.org.slug]))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == png
    assert client.get(reverse("core:organization_logo", args=[world.other.slug])).status_code == 404


def test_admin_opens_a_fiscal_year_and_makes_it_current(client_for, world):
    from acompana.core.models import FiscalYear

    c = client_for(world.admin)
    response = c.post(reverse("core:fiscal_year_list"), {"year": 2031, "make_current": "on"})
    assert response.status_code == 302
    fy = FiscalYear.objects.get(organization=world.org, year=2031)
    assert fy.is_current and str(fy.start_date) == "2031-01-01" and str(fy.end_date) == "2031-12-31"
    assert FiscalYear.objects.filter(organization=world.org, is_current=True).count() == 1
    duplicate = c.post(reverse("core:fiscal_year_list"), {"year": 2031})
    assert duplicate.status_code == 200 and "ya existe" in duplicate.content.decode()
    old = FiscalYear.objects.exclude(pk=fy.pk).get(organization=world.org)
    c.post(reverse("core:fiscal_year_set_current", args=[old.pk]))
    fy.refresh_from_db()
    assert not fy.is_current
