"""Personal API tokens. Only a SHA-256 hash of the token is stored; the user sees it once."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from acompana.core.models import User


class ApiTokenState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("API token state", "Active")
    EXPIRED = "expired", pgettext_lazy("API token state", "Expired")
    REVOKED = "revoked", pgettext_lazy("API token state", "Revoked")


class ApiToken(models.Model):
    """A personal token to call the API as its user (``Authorization: Bearer acp_...``).

    The token acts with the user's roles in the user's active organization; it is not tied
    to one organization. Revoked and expired tokens stay listed for the record.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def state(self) -> ApiTokenState:
        if self.revoked_at is not None:
            return ApiTokenState.REVOKED
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return ApiTokenState.EXPIRED
        return ApiTokenState.ACTIVE
