"""Choices of the catalogue. Values are English code names; labels are what users read."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ServiceOrigin(models.TextChoices):
    """Whether a service is offered proactively (oferta), on request (demanda) or both (FP)."""

    OFFER = "offer", _("Offer")
    DEMAND = "demand", _("Demand")
    BOTH = "both", _("Offer and demand")


class StakeholderKind(models.TextChoices):
    """Kinds of grupo de valor a service is aimed at.

    The registry app owns stakeholders and defines the same codes; the catalogue only stores
    the codes so a plan line can later check that a service fits the stakeholder it serves.
    """

    PUBLIC_ENTITY_NATIONAL = "public_entity_national", _("National public entity")
    PUBLIC_ENTITY_TERRITORIAL = "public_entity_territorial", _("Territorial public entity")
    MUNICIPALITY = "municipality", _("Municipality")
    DEPARTMENT = "department", _("Department")
    SCHOOL = "school", _("School (establecimiento educativo)")
    SCHOOL_SITE = "school_site", _("School site (sede)")
    HEALTH_ACTOR = "health_actor", _("Health-system actor")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    OTHER = "other", _("Other")


class CatalogKind(models.TextChoices):
    """The four controlled vocabularies of the catalogue, as named in URLs and events."""

    SERVICE_TYPE = "service_type", _("Service types")
    TOPIC = "topic", _("Topics")
    MECHANISM = "mechanism", _("Mechanisms")
    MODALITY = "modality", _("Modalities")


class ActiveFilter(models.TextChoices):
    ACTIVE = "1", pgettext_lazy("catalogue", "Active")
    INACTIVE = "0", pgettext_lazy("catalogue", "Inactive")
    ALL = "all", _("All")
