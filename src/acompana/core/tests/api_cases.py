"""ApiCases of the core endpoints (``core/api_endpoints.py``)."""

from acompana.core.tests.api_case import ApiCase

API_CASES = [
    ApiCase("organization"),
    ApiCase("unit_list"),
]
