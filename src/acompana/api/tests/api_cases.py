"""ApiCases of the account endpoints (``account_api``)."""

from acompana.core.tests.api_case import ApiCase

API_CASES = [
    ApiCase("me"),
    ApiCase(
        "switch_organization",
        method="post",
        obj=lambda w: w.org,
        kwargs=lambda o: {},
        payload=lambda w, o: {"organization_id": o.pk},
    ),
]
