"""Registry of grupos de valor: DIVIPOLA geography, stakeholders, people and consent."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.contrib.postgres.fields import ArrayField
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from acompana.core.models import TenantModel, User
from acompana.geo.models import Department, Municipality
from acompana.registry.choices import (
    ENTITY_ORDER_OF_KIND,
    AgeGroup,
    ConsentChannel,
    ConsentPurpose,
    Disability,
    DocumentType,
    EntityOrder,
    Ethnicity,
    Gender,
    HealthSubtype,
    StakeholderKind,
    YesNo,
)


class Stakeholder(TenantModel):
    """A grupo de valor: an entity the organization assists (DESIGN section 2).

    Identifiers are optional but unique per organization when given (partial unique
    constraints; the services name the existing record). ``department`` is stored next to
    ``municipality`` (derived from it when there is one) so lists filter by department with
    one indexed column, and a gobernación (which has no municipality) is still placed.
    Stakeholders are never deleted: they are deactivated. Not unit-owned (``unit_path`` None).
    """

    kind = models.CharField(_("kind"), max_length=30, choices=StakeholderKind.choices)
    health_subtype = models.CharField(
        _("health actor type"), max_length=10, choices=HealthSubtype.choices, blank=True
    )
    name = models.CharField(_("name"), max_length=250)
    #: name without accents, lower-case: accent-insensitive search ("garzon" finds "Garzón")
    search_name = models.CharField(max_length=250, editable=False, default="")
    nit = models.CharField(_("NIT"), max_length=20, blank=True)
    dane_code = models.CharField(
        _("DANE code (territorial entity)"),
        max_length=5,
        blank=True,
        help_text=_(
            "Municipality (5 digits) of an alcaldía, department (2 digits) of a gobernación."
        ),
    )
    school_code = models.CharField(_("DANE code (school)"), max_length=12, blank=True)
    reps_code = models.CharField(_("REPS code"), max_length=12, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("school of this site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sites",
    )
    address = models.CharField(_("address"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    category = models.CharField(
        _("category"),
        max_length=60,
        blank=True,
        help_text=_(
            "Municipalities and departments: category of Ley 617 de 2000 (E for especial, "
            "1 to 6). Others: free text."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "nit"],
                condition=~models.Q(nit=""),
                name="stakeholder_unique_nit",
            ),
            models.UniqueConstraint(
                fields=["organization", "dane_code"],
                condition=~models.Q(dane_code=""),
                name="stakeholder_unique_dane_code",
            ),
            # a school and its principal site share the DANE code: unique per kind
            models.UniqueConstraint(
                fields=["organization", "kind", "school_code"],
                condition=~models.Q(school_code=""),
                name="stakeholder_unique_school_code",
            ),
            models.UniqueConstraint(
                fields=["organization", "reps_code"],
                condition=~models.Q(reps_code=""),
                name="stakeholder_unique_reps_code",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "name", "id"], name="stakeholder_org_name"),
            models.Index(fields=["organization", "kind"], name="stakeholder_org_kind"),
            models.Index(fields=["organization", "department"], name="stakeholder_org_dept"),
            models.Index(fields=["organization", "municipality"], name="stakeholder_org_mun"),
            models.Index(fields=["organization", "parent"], name="stakeholder_org_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def entity_order(self) -> str:
        """``national`` or ``territorial`` for a public entity ("" otherwise), from its kind:
        the kind already says it (``Public entity, national order``, an alcaldía is
        territorial), so a second field could only contradict it."""
        return ENTITY_ORDER_OF_KIND.get(self.kind, "")

    @property
    def entity_order_label(self) -> str:
        order = self.entity_order
        return str(EntityOrder(order).label) if order else ""

    @property
    def identifiers(self) -> list[tuple[str, str]]:
        """(label, value) of every identifier the stakeholder has, for lists and exports."""
        pairs = [
            (str(_("NIT")), self.nit),
            (str(_("DANE")), self.dane_code),
            (str(_("DANE")), self.school_code),
            (str(_("REPS")), self.reps_code),
        ]
        return [(label, value) for label, value in pairs if value]


class Person(TenantModel):
    """A human who attends or is the contact of a grupo de valor.

    The differential-approach attributes (``SENSITIVE_FIELDS``) are sensitive data: they are
    written only while the person has a valid consent for ``sensitive_data`` (services
    enforce it) and read only through selectors that hide them when that consent is revoked.
    An empty value means "not asked"; ``prefer_not`` records the answer "prefiero no responder".
    """

    document_type = models.CharField(_("document type"), max_length=4, choices=DocumentType.choices)
    document_number = models.CharField(_("document number"), max_length=20)
    first_name = models.CharField(_("first names"), max_length=120)
    last_name = models.CharField(_("last names"), max_length=120)
    search_name = models.CharField(max_length=250, editable=False, default="")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    stakeholder = models.ForeignKey(
        Stakeholder,
        verbose_name=_("stakeholder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    age_group = models.CharField(
        _("life course"), max_length=20, choices=AgeGroup.choices, blank=True
    )
    gender = models.CharField(
        _("gender identity"), max_length=20, choices=Gender.choices, blank=True
    )
    ethnicity = models.CharField(
        _("ethnic self-recognition"), max_length=20, choices=Ethnicity.choices, blank=True
    )
    disability = models.CharField(
        _("disability"), max_length=20, choices=Disability.choices, blank=True
    )
    conflict_victim = models.CharField(
        _("victim of the armed conflict"), max_length=20, choices=YesNo.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "document_type", "document_number"],
                name="person_unique_document",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "last_name", "first_name", "id"], name="person_org_name"
            ),
            models.Index(fields=["organization", "stakeholder"], name="person_org_stakeholder"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def consent_evidence_path(instance: Consent, filename: str) -> str:
    """A random name per organization: the original name may contain the person's name."""
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"registro/consentimientos/{instance.organization_id}/{uuid.uuid4().hex}{suffix}"


class Consent(TenantModel):
    """Proof of a person's habeas-data authorisation (Ley 1581 de 2012, article 9).

    Records what was authorised (``purposes``), which notice the person saw (version and
    SHA-256 of its text, see ``registry.notice``), how and when, and who collected it. A
    consent is never edited or deleted: it is revoked (``revoked_at``), which blocks the
    uses it covered from then on.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="consents"
    )
    purposes = ArrayField(
        models.CharField(max_length=20, choices=ConsentPurpose.choices),
        verbose_name=_("purposes"),
    )
    notice_version = models.CharField(_("notice version"), max_length=20)
    notice_hash = models.CharField(_("notice hash (SHA-256)"), max_length=64)
    channel = models.CharField(_("channel"), max_length=20, choices=ConsentChannel.choices)
    granted_at = models.DateTimeField(_("granted at"))
    collected_by = models.ForeignKey(
        User, verbose_name=_("collected by"), on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.FileField(
        _("evidence"),
        upload_to=consent_evidence_path,
        blank=True,
        validators=[FileExtensionValidator(["pdf", "png", "jpg", "jpeg"])],
        help_text=_("Scan of the signed form or the e-mail (PDF or image), if any."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [
            models.Index(fields=["organization", "person"], name="consent_org_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.granted_at:%Y-%m-%d}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    def covers(self, purpose: str) -> bool:
        return self.is_valid and purpose in self.purposes

    def purpose_labels(self) -> list[str]:
        labels = dict(ConsentPurpose.choices)
        return [str(labels.get(p, p)) for p in self.purposes]
