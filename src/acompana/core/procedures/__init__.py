"""Procedure profiles: the four official procedures as versioned data files.

The public interface used by the rest of the product:

``get_profile(organization)`` -> the organization's profile (shipped file + its adjustments)
``profile_switch(organization, name)`` -> a workflow switch (DESIGN section 3)
"""

from acompana.core.procedures.profiles import get_profile, profile_switch

__all__ = ["get_profile", "profile_switch"]
