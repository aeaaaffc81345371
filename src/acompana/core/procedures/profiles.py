"""Loading of procedure profiles (first cut: switches only; steps come with the profile files)."""

from __future__ import annotations

from typing import Any

DEFAULT_SWITCHES: dict[str, Any] = {
    "unit_scoped_writes": True,
}


def get_profile(organization: Any) -> dict[str, Any]:
    return {"code": organization.procedure_code, "switches": dict(DEFAULT_SWITCHES)}


def profile_switch(organization: Any, name: str) -> Any:
    return get_profile(organization)["switches"].get(name)
