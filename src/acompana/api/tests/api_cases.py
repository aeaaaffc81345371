"""ApiCases of the core endpoints (``core_api``) and the account endpoints (``account_api``)."""

from acompana.api.tests.cases import ApiCase

API_CASES = [
    ApiCase("organization", perm="registry.view"),
    ApiCase("unit_list", perm="registry.view"),
    ApiCase("me"),
    ApiCase(
        "switch_organization",
        method="post",
        obj=lambda w: w.org,
        kwargs=lambda o: {},
        payload=lambda w, o: {"organization_id": o.pk},
    ),
]
