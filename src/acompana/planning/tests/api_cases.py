"""All ApiCases of planning (one module per area)."""

from acompana.planning.tests.permission_cases import _AREAS

API_CASES = [case for area in _AREAS for case in area.API_CASES]
