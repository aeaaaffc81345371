"""Core services: organizations, units, memberships, invitations, switching, second factor."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_otp.oath import totp

from acompana.core import services
from acompana.core.choices import Role
from acompana.core.errors import StaleObjectError
from acompana.core.models import Event, Membership, Unit, User
from acompana.core.tests.factories import UnitFactory, UserFactory, member
from acompana.core.validators import nit_check_digit, validate_nit

pytestmark = pytest.mark.django_db


def test_nit_check_digit_follows_dian():
    assert nit_check_digit("800197268") == 4
    validate_nit("800197268-4")
    with pytest.raises(ValidationError):
        validate_nit("800197268-5")
    with pytest.raises(ValidationError):
        validate_nit("ABC")


def test_unit_create_records_event_and_refuses_duplicate_names(world):
    unit = services.unit_create(
        actor=world.admin,
        organization=world.org,
        data={"name": "Vigilancia en Salud", "kind": "group", "parent": world.unit},
    )
    assert unit.parent == world.unit
    event = Event.objects.get(step_key="unit.created", object_id=str(unit.pk))
    assert event.actor == world.admin and event.organization == world.org
    with pytest.raises(ValidationError) as exc:
        services.unit_create(
            actor=world.admin,
            organization=world.org,
            data={"name": "vigilancia en salud", "kind": "group"},
        )
    assert "Ya existe" in str(exc.value)


def test_unit_cannot_be_its_own_ancestor(world):
    child = services.unit_create(
        actor=world.admin,
        organization=world.org,
        data={"name": "Hija", "kind": "group", "parent": world.unit},
    )
    with pytest.raises(ValidationError):
        services.unit_update(
            actor=world.admin,
            unit=world.unit,
            expected_version=world.unit.version,
            data={"parent": child},
        )


def test_unit_parent_from_another_organization_is_refused(world):
    foreign = UnitFactory(organization=world.other)
    with pytest.raises(ValidationError):
        services.unit_create(
            actor=world.admin,
            organization=world.org,
            data={"name": "X", "kind": "group", "parent": foreign},
        )


def test_stale_unit_edit_is_refused_and_changes_nothing(world):
    unit = Unit.objects.get(pk=world.unit.pk)
    services.unit_update(
        actor=world.admin, unit=unit, expected_version=1, data={"name": "Primera edición"}
    )
    stale = Unit.objects.get(pk=world.unit.pk)
    with pytest.raises(StaleObjectError):
        services.unit_update(
            actor=world.admin, unit=stale, expected_version=1, data={"name": "Edición vieja"}
        )
    assert Unit.objects.get(pk=world.unit.pk).name == "Primera edición"


def test_membership_roles_are_validated_and_last_admin_kept(world):
    admin_membership = Membership.objects.get(user=world.admin, organization=world.org)
    with pytest.raises(ValidationError):
        services.membership_update(
            actor=world.admin,
            membership=admin_membership,
            expected_version=admin_membership.version,
            data={"roles": [Role.PLANNER]},
        )
    with pytest.raises(ValidationError):
        services.membership_create(
            actor=world.admin, organization=world.org, user=UserFactory(), roles=["wizard"]
        )
    with pytest.raises(ValidationError):
        services.membership_create(
            actor=world.admin, organization=world.org, user=world.planner, roles=[Role.PLANNER]
        )


def test_switch_organization_only_to_own_memberships(world):
    user = member(world.org, Role.PROFESSIONAL)
    Membership.objects.create(organization=world.other, user=user, roles=[Role.AUDITOR])
    services.user_switch_organization(user=user, organization_id=world.other.pk)
    assert User.objects.get(pk=user.pk).active_organization == world.other
    stranger = UserFactory()
    with pytest.raises(ValidationError):
        services.user_switch_organization(user=stranger, organization_id=world.org.pk)


def test_invitation_flow_creates_account_and_membership(world):
    invitation, token = services.invitation_create(
        actor=world.admin,
        organization=world.org,
        email="Nueva.Persona@Example.gov.co",
        full_name="Nueva Persona",
        roles=[Role.PROFESSIONAL],
        unit=world.unit,
        base_url="http://testserver",
    )
    assert invitation.email == "nueva.persona@example.gov.co"
    assert token not in invitation.token_hash
    user = services.invitation_accept(
        token=token, full_name="Nueva Persona", password="una-clave-larga-2026"
    )
    membership = Membership.objects.get(user=user, organization=world.org)
    assert membership.roles == [Role.PROFESSIONAL] and membership.unit == world.unit
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, full_name="Otra", password="una-clave-larga-2026")


def test_invitation_email_sent_on_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _inv, token = services.invitation_create(
            actor=world.admin,
            organization=world.org,
            email="correo@example.gov.co",
            full_name="Correo",
            roles=[Role.AUDITOR],
            base_url="http://testserver",
        )
    assert len(mail.outbox) == 1
    assert token in mail.outbox[0].body


def test_revoked_invitation_cannot_be_accepted(world):
    invitation, token = services.invitation_create(
        actor=world.admin,
        organization=world.org,
        email="revocada@example.gov.co",
        full_name="Revocada",
        roles=[Role.AUDITOR],
    )
    services.invitation_revoke(actor=world.admin, invitation=invitation)
    assert services.invitation_for_token(token) is None


def test_totp_enable_requires_a_valid_code(world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = world.admin
    device = services.user_totp_start(user=user)
    with pytest.raises(ValidationError):
        services.user_totp_confirm(user=user, device=device, code="000000")
    code = f"{totp(device.bin_key):06d}"
    services.user_totp_confirm(user=user, device=device, code=code)
    assert services.user_totp_device(user) is not None
    services.user_totp_disable(user=user)
    assert services.user_totp_device(user) is None


# --- role checks in the services (every caller, not only the views) --------------------------


def test_administration_services_refuse_a_role_without_the_permission(world):
    from django.core.exceptions import PermissionDenied

    from acompana.core.procedures.services import procedure_overrides_update

    for actor in (world.planner, world.unit_head, world.outsider):
        with pytest.raises(PermissionDenied):
            services.unit_create(
                actor=actor, organization=world.org, data={"name": "Nueva", "kind": "group"}
            )
        with pytest.raises(PermissionDenied):
            services.membership_create(
                actor=actor, organization=world.org, user=UserFactory(), roles=[Role.AUDITOR]
            )
        with pytest.raises(PermissionDenied):
            services.invitation_create(
                actor=actor,
                organization=world.org,
                email="nadie@example.gov.co",
                full_name="Nadie",
                roles=[Role.AUDITOR],
            )
        with pytest.raises(PermissionDenied):
            services.fiscal_year_create(actor=actor, organization=world.org, year=2031)
        with pytest.raises(PermissionDenied):
            procedure_overrides_update(
                actor=actor,
                organization=world.org,
                expected_version=world.org.version,
                overrides={"role_names": {Role.PLANNER: "Oficina de Planeación"}},
            )
    assert not Unit.objects.filter(organization=world.org, name="Nueva").exists()
    assert not Event.objects.filter(
        step_key__in=["unit.created", "membership.created", "fiscal_year.created"]
    ).exists()


def test_the_system_actor_holds_no_role(world):
    """Writes no person makes pass ``system_actor()``: it is named in the trail, but it is
    no administrator — an administration service refuses it like anyone without the role."""
    from django.core.exceptions import PermissionDenied

    from acompana.core.actors import system_actor

    with pytest.raises(PermissionDenied):
        services.unit_create(
            actor=system_actor(), organization=world.org, data={"name": "X", "kind": "group"}
        )


def test_an_invitation_is_accepted_without_a_role_and_the_trail_names_roles(world):
    _invitation, token = services.invitation_create(
        actor=world.admin,
        organization=world.org,
        email="sin.rol@example.gov.co",
        full_name="Sin Rol",
        roles=[Role.PLANNER],
    )
    user = services.invitation_accept(token=token, full_name="Sin Rol", password="clave-larga-2026")
    event = Event.objects.get(step_key="membership.created", actor=user)
    assert Role.PLANNER.value not in event.summary.split()
    assert str(Role.PLANNER.label) in event.summary
