"""All ViewCases of planning (one module per area)."""

from acompana.planning.tests import (
    cases_checks,
    cases_needs,
    cases_plans,
    cases_prioritisation,
    cases_strategy,
)

_AREAS = [cases_needs, cases_prioritisation, cases_strategy, cases_plans, cases_checks]

CASES = [case for area in _AREAS for case in area.CASES]
API_LISTS = [case for area in _AREAS for case in getattr(area, "API_LISTS", [])]
