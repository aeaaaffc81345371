from django.db import models

from acompana.core.models import TenantModel


class SampleVisit(TenantModel):
    """A visit of the test-only stage: a tenant row with a name."""

    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["organization", "name"], name="sample_visit_org_name")]

    def __str__(self) -> str:
        return self.name
