"""The catalogue (portafolio de servicios): controlled vocabularies, services and milestones.

* ``ServiceType``, ``Topic``, ``Mechanism``, ``Modality`` are per-organization vocabularies
  (seeded from the four procedures by ``catalog.seeds``, then edited by the admin).
* ``Service`` is one item of the portfolio, offered by a unit (dependencia).
* ``MilestoneTemplate`` (hito) is one stage a service must go through. FP-2: "a service
  counts as delivered only when all its milestones are met". Later stages (delivery,
  follow-up) copy the templates of a service into the milestones of each assistance and
  call ``catalog.selectors.delivery_complete`` to decide whether it is delivered: every
  template with ``required=True`` must be met; optional ones are informative.

The many-to-many links use explicit through models so every table carries
``organization_id`` (DESIGN section 4: the schema can be distributed by organization).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from acompana.catalog.choices import ServiceOrigin, StakeholderKind
from acompana.core.models import TenantModel, Unit


class CatalogValue(TenantModel):
    """Common shape of the four vocabularies: name, code, description, order, active."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"),
        max_length=60,
        blank=True,
        help_text=_("Stable identifier used by integrations and seeds."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), name="%(app_label)s_%(class)s_unique_name"
            ),
            models.UniqueConstraint(
                fields=["organization", "code"],
                condition=~models.Q(code=""),
                name="%(app_label)s_%(class)s_unique_code",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "is_active", "sort_order"],
                name="%(app_label)s_%(class)s_active",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ServiceType(CatalogValue):
    """Tipo de servicio: asesoría, orientación, asistencia técnica, capacitación (FP)."""

    class Meta(CatalogValue.Meta):
        verbose_name = _("service type")
        verbose_name_plural = _("service types")


class Topic(CatalogValue):
    """Temática: what a service is about; an optional parent groups sub-topics."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta(CatalogValue.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    @property
    def full_name(self) -> str:
        """«Parent › Child» for sub-topics (the parent must be loaded to avoid a query)."""
        if self.parent_id is None:
            return self.name
        return f"{self.parent} › {self.name}"


class Mechanism(CatalogValue):
    """Mecanismo: how the service is delivered (taller, visita, mesa de trabajo, ...)."""

    class Meta(CatalogValue.Meta):
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")


class Modality(CatalogValue):
    """Modalidad: presencial, virtual, híbrida."""

    class Meta(CatalogValue.Meta):
        verbose_name = _("modality")
        verbose_name_plural = _("modalities")


class Service(TenantModel):
    """An item of the portfolio (portafolio de servicios) offered by a unit.

    Unit heads change only the services of their own unit subtree when the procedure
    profile switch ``unit_scoped_writes`` is on (``Service.objects.for_user(user, "change")``).
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    service_type = models.ForeignKey(
        ServiceType,
        verbose_name=_("service type"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    topics: models.ManyToManyField[Topic, ServiceTopic] = models.ManyToManyField(
        Topic,
        verbose_name=_("topics"),
        through="ServiceTopic",
        related_name="services",
        blank=True,
    )
    mechanisms: models.ManyToManyField[Mechanism, ServiceMechanism] = models.ManyToManyField(
        Mechanism,
        verbose_name=_("mechanisms"),
        through="ServiceMechanism",
        related_name="services",
        blank=True,
    )
    modalities: models.ManyToManyField[Modality, ServiceModality] = models.ManyToManyField(
        Modality,
        verbose_name=_("modalities"),
        through="ServiceModality",
        related_name="services",
        blank=True,
    )
    target_stakeholder_kinds = ArrayField(
        models.CharField(max_length=40, choices=StakeholderKind.choices),
        verbose_name=_("aimed at"),
        default=list,
        blank=True,
    )
    origin = models.CharField(
        _("origin"), max_length=10, choices=ServiceOrigin.choices, default=ServiceOrigin.BOTH
    )
    duration_days = models.PositiveIntegerField(
        _("estimated duration (days)"), null=True, blank=True
    )
    estimated_hours = models.PositiveIntegerField(_("estimated hours"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    unit_path = "unit"

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                "organization", "unit", Lower("name"), name="catalog_service_unique_name"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "unit", "name"], name="catalog_service_unit"),
            models.Index(fields=["organization", "service_type"], name="catalog_service_type"),
            models.Index(fields=["organization", "is_active", "name"], name="catalog_service_act"),
        ]

    def __str__(self) -> str:
        return self.name

    def target_stakeholder_kind_labels(self) -> list[str]:
        labels = dict(StakeholderKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.target_stakeholder_kinds]


class ServiceTopic(TenantModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")

    unit_path = "service__unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "service", "topic"], name="catalog_service_topic_uniq"
            )
        ]
        indexes = [models.Index(fields=["organization", "topic"], name="catalog_svctopic_org")]


class ServiceMechanism(TenantModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="+")

    unit_path = "service__unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "service", "mechanism"],
                name="catalog_service_mechanism_uniq",
            )
        ]
        indexes = [models.Index(fields=["organization", "mechanism"], name="catalog_svcmech_org")]


class ServiceModality(TenantModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    modality = models.ForeignKey(Modality, on_delete=models.PROTECT, related_name="+")

    unit_path = "service__unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "service", "modality"],
                name="catalog_service_modality_uniq",
            )
        ]
        indexes = [models.Index(fields=["organization", "modality"], name="catalog_svcmod_org")]


class MilestoneTemplate(TenantModel):
    """A hito of a service: a stage with its expected evidence and relative due date.

    FP-2: a service counts as delivered only when all its *required* milestones are met.
    ``relative_due_days`` counts from the start of each assistance (empty: no due date).
    """

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="milestones"
    )
    order = models.PositiveIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    expected_evidence = models.CharField(_("expected evidence"), max_length=300, blank=True)
    relative_due_days = models.PositiveIntegerField(
        _("due (days after start)"), null=True, blank=True
    )
    required = models.BooleanField(_("required"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    unit_path = "service__unit"

    class Meta:
        ordering = ["service_id", "order", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        indexes = [
            models.Index(fields=["organization", "service", "order"], name="catalog_milestone_ord")
        ]

    def __str__(self) -> str:
        return self.name
