"""Permissions of the catalog app, merged into ``core.permissions`` (``CatalogConfig.permissions``)."""

from __future__ import annotations

from acompana.core.choices import Role
from acompana.core.permissions import ALL_ROLES

PERMISSIONS: dict[str, frozenset[str]] = {
    # catalogue (portafolio de servicios)
    "catalog.view": ALL_ROLES,
    "catalog.change": frozenset({Role.ADMIN, Role.UNIT_HEAD}),  # services of their unit
    "catalog.manage_values": frozenset({Role.ADMIN}),  # types, topics, mechanisms, modalities
}
