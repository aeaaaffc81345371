"""DIVIPOLA: Colombia's departments and municipalities (DANE codes), shared by all tenants.

Reference data loaded from ``geo/data/divipola.csv`` (a data migration and the idempotent
``load_divipola`` command). A base app: core (an organization's seat) and every stage use it.
The tables were registry's until the move to this app (migration ``geo.0001`` renamed them).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A DIVIPOLA department (2-digit DANE code). Reference data, shared by all tenants."""

    code = models.CharField(_("DANE code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name.title() if self.name.isupper() else self.name


class Municipality(models.Model):
    """A DIVIPOLA municipality or non-municipalised area (5-digit DANE code)."""

    code = models.CharField(_("DANE code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="municipalities"
    )
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name} ({self.department.name})"
