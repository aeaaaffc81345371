from acompana.core.tests.api_utils import make_token
from acompana.core.tests.cases import ViewCase


def _admin_token(world):
    from acompana.api.models import ApiToken

    make_token(world.admin, name="Token del caso")
    return ApiToken.objects.get(user=world.admin, name="Token del caso")


CASES = [
    ViewCase("apitokens:list"),
    ViewCase(
        "apitokens:create",
        method="post",
        data=lambda w, o: {"name": "Script de informes", "expires_in_days": 30},
    ),
    ViewCase("apitokens:revoke", obj=_admin_token, method="post"),
]
