"""Choices of the core app. Values are English code names; labels are what users read."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of DESIGN section 1. A membership holds one or more."""

    LEADERSHIP = "leadership", _("Leadership (secretary, deputy director)")
    COMMITTEE = "committee", _("Steering committee member")
    UNIT_HEAD = "unit_head", _("Unit head")
    PLANNER = "planner", _("Planner")
    PROFESSIONAL = "professional", _("Professional")
    FINANCE = "finance", _("Finance")
    ARCHIVIST = "archivist", _("Archivist")
    AUDITOR = "auditor", _("Internal control auditor")
    ADMIN = "admin", _("Administrator")


#: Roles whose writes may be limited to their own unit when the profile says so.
UNIT_SCOPED_ROLES = frozenset({Role.UNIT_HEAD, Role.PROFESSIONAL})


class GovernmentOrder(models.TextChoices):
    NATIONAL = "national", _("National")
    TERRITORIAL = "territorial", _("Territorial")


class ProcedureCode(models.TextChoices):
    """The four official procedures shipped with the product (shared/procedures)."""

    SAL = "SAL", _("Departmental health secretariat")
    FP = "FP", _("Función Pública")
    EDU = "EDU", _("Departmental education secretariat")
    DNP = "DNP", _("National Planning Department")


class UnitKind(models.TextChoices):
    OFFICE = "office", _("Office / secretariat")
    DIRECTORATE = "directorate", _("Technical directorate")
    SUBDIRECTORATE = "subdirectorate", _("Subdirectorate")
    GROUP = "group", _("Working group")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")
