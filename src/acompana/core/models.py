"""Organizations (tenants), units, users, memberships, fiscal years, events and jobs."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from acompana.core.choices import GovernmentOrder, JobStatus, ProcedureCode, Role, UnitKind
from acompana.core.scoping import TenantQuerySet
from acompana.core.validators import validate_nit


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Logs in with e-mail and password; roles come from memberships.

    ``active_organization`` is the organization the user is working in: every scoped read
    (UI, API, exports, jobs) uses it, so switching organization takes effect everywhere.
    """

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    active_organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("active organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email


class Organization(models.Model):
    """An entity (the tenant): a health or education secretariat, Función Pública, DNP."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    nit = models.CharField(_("NIT"), max_length=20, unique=True, validators=[validate_nit])
    order = models.CharField(_("order"), max_length=12, choices=GovernmentOrder.choices)
    department = models.ForeignKey(
        "geo.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    municipality = models.ForeignKey(
        "geo.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    logo = models.FileField(
        _("logo"),
        upload_to="logos/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "svg"])],
    )
    procedure_code = models.CharField(_("procedure"), max_length=8, choices=ProcedureCode.choices)
    #: Admin adjustments to the shipped profile (format codes/versions, role names).
    procedure_overrides = models.JSONField(_("procedure adjustments"), default=dict, blank=True)
    process_name = models.CharField(
        _("process name"),
        max_length=200,
        blank=True,
        help_text=_("Process printed in the header of generated documents."),
    )
    #: the organization's data-processing policy (Ley 1581 de 2012), published on its public
    #: page and linked from every consent notice; written by its admin
    data_policy = models.TextField(
        _("personal data processing policy"),
        blank=True,
        help_text=_(
            "Published on the organization's public page and linked from every privacy "
            "notice. Leave a blank line between paragraphs."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class TenantModel(models.Model):
    """Base of every tenant-owned table: ``organization_id`` first, one scoping manager."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantQuerySet.as_manager()

    #: Dotted path from the model to its ``Unit`` for unit-scoped writes (None: not unit-owned).
    unit_path: str | None = None

    class Meta:
        abstract = True


class Unit(TenantModel):
    """A dependencia: technical directorate, subdirectorate or working group (a tree)."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    unit_path = ""  # a unit is its own unit

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unit_unique_name"),
        ]
        indexes = [models.Index(fields=["organization", "parent"])]

    def __str__(self) -> str:
        return self.name


class FiscalYear(TenantModel):
    """A vigencia: the planning year of an organization."""

    year = models.PositiveIntegerField(_("year"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="fiscal_year_unique"),
        ]

    def __str__(self) -> str:
        return str(self.year)

    @classmethod
    def bounds(cls, year: int) -> tuple[datetime.date, datetime.date]:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class Membership(TenantModel):
    """A user's roles in an organization and, where it applies, a unit."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices), verbose_name=_("roles")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    unit_path = "unit"

    class Meta:
        ordering = ["user__full_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization_id}"

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(role, role)) for role in self.roles]


class Invitation(TenantModel):
    """An e-mail invitation to join an organization with given roles."""

    email = models.EmailField(_("e-mail"))
    full_name = models.CharField(_("full name"), max_length=200)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices), verbose_name=_("roles")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class Event(models.Model):
    """Append-only audit and procedure-trail row, written by services in their transaction.

    ``step_key`` is the generic key (``stakeholder.created``, ``plan.submitted``) that the
    organization's procedure profile maps to official step ids. A PostgreSQL trigger refuses
    UPDATE and DELETE on this table (migration ``0002_event_append_only``).
    """

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    step_key = models.CharField(max_length=80, db_index=True)
    summary = models.CharField(max_length=500, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    record = models.CharField(
        max_length=200, blank=True, help_text="Record/document produced (format code, file)."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["organization", "content_type", "object_id"]),
            models.Index(fields=["organization", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.step_key} {self.object_repr}"


class Job(TenantModel):
    """A background task (import, export, document generation) with progress for the user."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "user", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class Document(TenantModel):
    """A generated or uploaded file attached to an object (plan PDF, acta, evidence...).

    The header fields keep what was printed (format name, code, version) so the archive stage
    can index documents by record format; ``sha256`` proves the file was not altered.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(_("pages (folios)"), null=True, blank=True)
    format_name = models.CharField(max_length=200, blank=True)
    format_code = models.CharField(max_length=40, blank=True)
    format_version = models.CharField(max_length=20, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["organization", "content_type", "object_id"])]

    def __str__(self) -> str:
        return self.title


class PublicLink(TenantModel):
    """A signed public link to one object for one purpose (DESIGN section 7).

    Public pages (published agenda, check-in, survey, a stakeholder's commitments) are reached
    by an opaque random token, never by ids or personal data. Only the token's SHA-256 is
    stored: the raw token is shown once, when the link is issued, and a database leak does
    not reveal working links. A link opens its target only for its ``purpose``, before
    ``expires_at`` and while not revoked (``acompana.core.public_links``).
    """

    purpose = models.CharField(_("purpose"), max_length=40)
    token_hash = models.CharField(max_length=64, unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("public link")
        verbose_name_plural = _("public links")
        indexes = [
            models.Index(
                fields=["organization", "content_type", "object_id", "purpose"],
                name="core_publiclink_target_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.object_id}"

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ImportColumnMapping(TenantModel):
    """A column header of the organization's own files, mapped once in an import's preview
    to a field of that import (or to nothing: ignored), and applied to every later file of
    the same import (``core.tabular.read_rows``)."""

    #: the import (``ImportFlow.mapping_kind``, e.g. ``registry.stakeholders``)
    kind = models.CharField(_("import"), max_length=80)
    #: the header as ``core.tabular.header_key`` writes it (no accents, case or spaces)
    header_key = models.CharField(_("column header"), max_length=200)
    #: the import's column key; empty: the column is ignored
    column_key = models.CharField(_("field"), max_length=80, blank=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import column mapping")
        verbose_name_plural = _("import column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "header_key"], name="import_mapping_unique_header"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.header_key} → {self.column_key or '—'}"
