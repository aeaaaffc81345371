"""Procedure profiles: the four official procedures as versioned data files.

The public interface used by the rest of the product:

``get_profile(organization)`` -> ``Profile`` (shipped file + the organization's adjustments)
``profile_switch(organization, name)`` -> a workflow switch (DESIGN section 3)
``STEP_KEYS`` -> the generic step keys services write on events (``keys.py``)

The procedure trail of an object is ``acompana.core.procedures.trail.procedure_trail``
(not imported here: it reads events, and ``core.selectors`` imports this package).
"""

from acompana.core.procedures.keys import STEP_KEYS
from acompana.core.procedures.profiles import (
    Profile,
    ProfileError,
    Record,
    Step,
    get_profile,
    profile_switch,
    shipped_profile,
)

__all__ = [
    "STEP_KEYS",
    "Profile",
    "ProfileError",
    "Record",
    "Step",
    "get_profile",
    "profile_switch",
    "shipped_profile",
]
