"""Writes of the core app: organizations, units, memberships, invitations, second factor.

Each service is keyword-only, takes the acting user, validates, writes in one transaction
with its event row, and sends e-mail only on commit (DESIGN section 4). Administration
services check the actor's role themselves (``core.manage_organization``), so the rule holds
for every caller, not only for the views; the self-service ones (switching organization,
accepting an invitation, the second factor) act on the user's own account and need no role.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from acompana.core.choices import Role
from acompana.core.concurrency import versioned_update
from acompana.core.events import changed_fields, event_record, snapshot
from acompana.core.models import FiscalYear, Invitation, Membership, Organization, Unit, User
from acompana.core.permissions import check_perm
from acompana.core.scoping import forget_membership

#: the permission of every organization-administration service (as its views)
MANAGE = "core.manage_organization"

INVITATION_DAYS = 14

ORGANIZATION_FIELDS = [
    "name",
    "short_name",
    "nit",
    "order",
    "department",
    "municipality",
    "process_name",
    "data_policy",
    "logo",
]
UNIT_FIELDS = ["name", "code", "kind", "parent", "is_active"]
MEMBERSHIP_FIELDS = ["unit", "roles", "is_active"]


# --- users and organizations -----------------------------------------------------------------


def user_switch_organization(*, user: User, organization_id: int) -> Organization:
    """Make ``organization_id`` the user's active organization (must be a member there)."""
    membership = (
        Membership.objects.filter(
            user=user,
            organization_id=organization_id,
            is_active=True,
            organization__is_active=True,
        )
        .select_related("organization")
        .first()
    )
    if membership is None:
        raise ValidationError(_("You do not belong to that organization."), code="not_member")
    User.objects.filter(pk=user.pk).update(active_organization_id=organization_id)
    user.active_organization_id = organization_id
    forget_membership(user)
    event_record(
        actor=user,
        organization=membership.organization,
        step_key="user.switched_organization",
        obj=membership.organization,
        summary=_("%(email)s switched to the organization %(organization)s")
        % {"email": user.email, "organization": membership.organization},
    )
    return membership.organization


def organization_update(
    *, actor: User, organization: Organization, expected_version: int, data: dict[str, Any]
) -> Organization:
    check_perm(actor, MANAGE, organization_id=organization.pk)
    before = snapshot(organization, ORGANIZATION_FIELDS)
    with transaction.atomic():
        versioned_update(
            organization,
            expected_version=expected_version,
            fields={k: v for k, v in data.items() if k in ORGANIZATION_FIELDS and k != "logo"},
        )
        if "logo" in data and data["logo"] is not None:
            if data["logo"] is False:
                organization.logo = ""
            else:
                organization.logo = data["logo"]
            organization.save(update_fields=["logo"])
        b, a = changed_fields(before, snapshot(organization, ORGANIZATION_FIELDS))
        event_record(
            actor=actor,
            organization=organization,
            step_key="organization.updated",
            obj=organization,
            summary=_("Organization data updated"),
            before=b,
            after=a,
        )
    return organization


# --- units -----------------------------------------------------------------------------------


def _check_parent(unit: Unit | None, parent: Unit | None, organization: Organization) -> None:
    if parent is None:
        return
    if parent.organization_id != organization.pk:
        raise ValidationError({"parent": _("The parent unit is not of this organization.")})
    current: Unit | None = parent
    while current is not None:
        if unit is not None and current.pk == unit.pk:
            raise ValidationError({"parent": _("A unit cannot be placed inside itself.")})
        current = current.parent


def unit_create(*, actor: User, organization: Organization, data: dict[str, Any]) -> Unit:
    check_perm(actor, MANAGE, organization_id=organization.pk)
    _check_parent(None, data.get("parent"), organization)
    with transaction.atomic():
        if Unit.objects.filter(organization=organization, name__iexact=data["name"]).exists():
            raise ValidationError({"name": _("A unit with that name already exists.")})
        unit = Unit.objects.create(
            organization=organization, **{k: v for k, v in data.items() if k in UNIT_FIELDS}
        )
        event_record(
            actor=actor,
            organization=organization,
            step_key="unit.created",
            obj=unit,
            summary=_("Unit created: %(name)s") % {"name": unit.name},
            after=snapshot(unit, UNIT_FIELDS),
        )
    return unit


def unit_update(*, actor: User, unit: Unit, expected_version: int, data: dict[str, Any]) -> Unit:
    check_perm(actor, MANAGE, organization_id=unit.organization_id)
    _check_parent(unit, data.get("parent"), unit.organization)
    before = snapshot(unit, UNIT_FIELDS)
    with transaction.atomic():
        name = data.get("name", unit.name)
        clash = Unit.objects.filter(organization_id=unit.organization_id, name__iexact=name)
        if clash.exclude(pk=unit.pk).exists():
            raise ValidationError({"name": _("A unit with that name already exists.")})
        versioned_update(
            unit,
            expected_version=expected_version,
            fields={k: v for k, v in data.items() if k in UNIT_FIELDS},
        )
        b, a = changed_fields(before, snapshot(unit, UNIT_FIELDS))
        event_record(
            actor=actor,
            organization=unit.organization,
            step_key="unit.updated",
            obj=unit,
            summary=_("Unit updated: %(name)s") % {"name": unit.name},
            before=b,
            after=a,
        )
    return unit


# --- memberships -----------------------------------------------------------------------------


def _clean_roles(roles: list[str]) -> list[str]:
    valid = {r.value for r in Role}
    cleaned = [r for r in dict.fromkeys(roles) if r]
    if not cleaned:
        raise ValidationError({"roles": _("Assign at least one role.")})
    unknown = [r for r in cleaned if r not in valid]
    if unknown:
        raise ValidationError(
            {"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)}}
        )
    return cleaned


def _check_unit(unit: Unit | None, organization: Organization) -> None:
    if unit is not None and unit.organization_id != organization.pk:
        raise ValidationError({"unit": _("The unit is not of this organization.")})


def _check_last_admin(membership: Membership, roles: list[str], is_active: bool) -> None:
    if Role.ADMIN not in membership.roles:
        return
    if Role.ADMIN in roles and is_active:
        return
    others = Membership.objects.filter(
        organization_id=membership.organization_id, is_active=True, roles__contains=[Role.ADMIN]
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(
            _("The organization must keep at least one active administrator."), code="last_admin"
        )


def _role_labels(roles: list[str]) -> str:
    """The roles as people read them (a trail shows no role code, DESIGN section 9)."""
    labels = dict(Role.choices)
    return ", ".join(str(labels.get(role, role)) for role in roles)


def membership_create(
    *,
    actor: User,
    organization: Organization,
    user: User,
    roles: list[str],
    unit: Unit | None = None,
) -> Membership:
    """Link ``user`` to the organization with ``roles`` (an administrator's act)."""
    check_perm(actor, MANAGE, organization_id=organization.pk)
    return _membership_insert(
        actor=actor, organization=organization, user=user, roles=roles, unit=unit
    )


def _membership_insert(
    *,
    actor: User,
    organization: Organization,
    user: User,
    roles: list[str],
    unit: Unit | None,
) -> Membership:
    """The write of a membership, without the role check: ``membership_create`` checks the
    administrator's role; ``invitation_accept`` is authorised by the invitation's token."""
    roles = _clean_roles(roles)
    _check_unit(unit, organization)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organization=organization, user=user, roles=roles, unit=unit
            )
            event_record(
                actor=actor,
                organization=organization,
                step_key="membership.created",
                obj=membership,
                summary=_("%(email)s linked with the roles %(roles)s")
                % {"email": user.email, "roles": _role_labels(roles)},
                after=snapshot(membership, MEMBERSHIP_FIELDS),
            )
    except IntegrityError:
        raise ValidationError(
            _("%(email)s already belongs to this organization; edit their membership.")
            % {"email": user.email},
            code="duplicate",
        )
    if user.active_organization_id is None:
        User.objects.filter(pk=user.pk).update(active_organization_id=organization.pk)
    return membership


def membership_update(
    *, actor: User, membership: Membership, expected_version: int, data: dict[str, Any]
) -> Membership:
    check_perm(actor, MANAGE, organization_id=membership.organization_id)
    roles = _clean_roles(data.get("roles", membership.roles))
    unit = data.get("unit", membership.unit)
    is_active = data.get("is_active", membership.is_active)
    _check_unit(unit, membership.organization)
    _check_last_admin(membership, roles, is_active)
    before = snapshot(membership, MEMBERSHIP_FIELDS)
    with transaction.atomic():
        versioned_update(
            membership,
            expected_version=expected_version,
            fields={"roles": roles, "unit": unit, "is_active": is_active},
        )
        b, a = changed_fields(before, snapshot(membership, MEMBERSHIP_FIELDS))
        event_record(
            actor=actor,
            organization=membership.organization,
            step_key="membership.updated",
            obj=membership,
            summary=_("Membership of %(email)s updated") % {"email": membership.user.email},
            before=b,
            after=a,
        )
    forget_membership(membership.user)
    return membership


# --- invitations -----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(
    *,
    actor: User,
    organization: Organization,
    email: str,
    full_name: str,
    roles: list[str],
    unit: Unit | None = None,
    base_url: str = "",
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link (on commit). Returns it and the raw token."""
    check_perm(actor, MANAGE, organization_id=organization.pk)
    email = email.strip().lower()
    roles = _clean_roles(roles)
    _check_unit(unit, organization)
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("That person already belongs to the organization.")})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Invitation.objects.filter(
            organization=organization, email__iexact=email, accepted_at__isnull=True
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            full_name=full_name.strip(),
            roles=roles,
            unit=unit,
            token_hash=_token_hash(token),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        event_record(
            actor=actor,
            organization=organization,
            step_key="invitation.created",
            obj=invitation,
            summary=_("Invitation sent to %(email)s") % {"email": email},
            after={"roles": roles, "unit": str(unit) if unit else None},
        )
        link = base_url + reverse("core:invitation_accept", args=[token])
        transaction.on_commit(
            lambda: send_mail(
                subject=_("Invitation to Acompaña — %(org)s") % {"org": organization.short_name},
                message=_(
                    "Hello %(name)s,\n\n%(actor)s invited you to work in Acompaña with "
                    "%(org)s.\n\nTo accept, open this link (it expires in %(days)s days):\n"
                    "%(link)s\n"
                )
                % {
                    "name": full_name,
                    "actor": actor.full_name,
                    "org": organization.name,
                    "days": INVITATION_DAYS,
                    "link": link,
                },
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[email],
            )
        )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.filter(token_hash=_token_hash(token))
        .select_related("organization", "unit")
        .first()
    )
    if invitation is None or not invitation.is_open:
        return None
    return invitation


def invitation_accept(
    *, token: str, full_name: str, password: str | None, user: User | None = None
) -> User:
    """Accept an invitation: creates the account (or uses the logged-in one) and membership."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        if invitation is None:
            raise ValidationError(
                _("The invitation does not exist, has expired or was already used.")
            )
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if user is None:
            user = User.objects.filter(email__iexact=invitation.email).first()
            if user is None:
                user = User.objects.create_user(
                    invitation.email, password, full_name=full_name or invitation.full_name
                )
        elif user.email.lower() != invitation.email.lower():
            raise ValidationError(
                _(
                    "This invitation is for another e-mail address. Log out and log in with "
                    "the invited account."
                )
            )
        _membership_insert(
            actor=user,
            organization=invitation.organization,
            user=user,
            roles=invitation.roles,
            unit=invitation.unit,
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        event_record(
            actor=user,
            organization=invitation.organization,
            step_key="invitation.accepted",
            obj=invitation,
            summary=_("%(email)s accepted the invitation") % {"email": user.email},
        )
    return user


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    check_perm(actor, MANAGE, organization_id=invitation.organization_id)
    if not invitation.is_open:
        raise ValidationError(_("The invitation is no longer valid."))
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        event_record(
            actor=actor,
            organization=invitation.organization,
            step_key="invitation.revoked",
            obj=invitation,
            summary=_("Invitation to %(email)s revoked") % {"email": invitation.email},
        )
    return invitation


# --- second factor ---------------------------------------------------------------------------


def user_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def user_totp_start(*, user: User) -> TOTPDevice:
    """Create (or reuse) an unconfirmed TOTP device whose QR the user scans."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def user_totp_confirm(*, user: User, device: TOTPDevice, code: str) -> TOTPDevice:
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("Invalid device."))
    if not device.verify_token(code.strip()):
        raise ValidationError({"code": _("The code is not correct. Check the time on your phone.")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        event_record(
            actor=user,
            organization=user.active_organization,
            step_key="user.totp_enabled",
            obj=user,
            summary=_("Second factor enabled"),
        )
    return device


def user_totp_disable(*, user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        event_record(
            actor=user,
            organization=user.active_organization,
            step_key="user.totp_disabled",
            obj=user,
            summary=_("Second factor disabled"),
        )


# --- fiscal years ----------------------------------------------------------------------------


def fiscal_year_create(
    *, actor: User, organization: Organization, year: int, make_current: bool = False
) -> FiscalYear:
    """Open a vigencia (1 January – 31 December of ``year``)."""
    check_perm(actor, MANAGE, organization_id=organization.pk)
    if year < 2000 or year > 2100:
        raise ValidationError({"year": _("Write a year between 2000 and 2100.")})
    if FiscalYear.objects.filter(organization=organization, year=year).exists():
        raise ValidationError(
            {"year": _("The fiscal year %(year)s already exists.") % {"year": year}}
        )
    start, end = FiscalYear.bounds(year)
    with transaction.atomic():
        fiscal_year = FiscalYear.objects.create(
            organization=organization, year=year, start_date=start, end_date=end
        )
        event_record(
            actor=actor,
            organization=organization,
            step_key="fiscal_year.created",
            obj=fiscal_year,
            summary=_("Fiscal year %(year)s opened") % {"year": year},
        )
        if make_current:
            fiscal_year_set_current(actor=actor, fiscal_year=fiscal_year)
    return fiscal_year


def fiscal_year_set_current(*, actor: User, fiscal_year: FiscalYear) -> FiscalYear:
    """Make ``fiscal_year`` the organization's current vigencia (only one is current)."""
    check_perm(actor, MANAGE, organization_id=fiscal_year.organization_id)
    with transaction.atomic():
        FiscalYear.objects.filter(organization_id=fiscal_year.organization_id).exclude(
            pk=fiscal_year.pk
        ).update(is_current=False)
        FiscalYear.objects.filter(pk=fiscal_year.pk).update(is_current=True)
        fiscal_year.is_current = True
        event_record(
            actor=actor,
            organization=fiscal_year.organization,
            step_key="fiscal_year.set_current",
            obj=fiscal_year,
            summary=_("Fiscal year %(year)s made current") % {"year": fiscal_year.year},
        )
    return fiscal_year
