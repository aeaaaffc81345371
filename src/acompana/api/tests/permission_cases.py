from acompana.core.tests.api_utils import make_token
from acompana.core.tests.cases import ViewCase, unique_text


def _admin_token(world):
    from acompana.api.models import ApiToken

    make_token(world.admin, name="Token del caso")
    return ApiToken.objects.get(user=world.admin, name="Token del caso")


def _token_rows(world, organization, parent, n):
    """Tokens are personal: the admin's in ``world.org``, the outsider's in the other."""
    from acompana.api.models import ApiToken

    user = world.admin if organization == world.org else world.outsider
    names = [unique_text("Token") for _ in range(n)]
    for name in names:
        make_token(user, name=name)
    return list(ApiToken.objects.filter(user=user, name__in=names))


CASES = [
    ViewCase("apitokens:list", rows=_token_rows, marker=lambda token: token.name),
    ViewCase(
        "apitokens:create",
        method="post",
        data=lambda w, o: {"name": "Script de informes", "expires_in_days": 30},
        status=200,  # the page that shows the new token once
    ),
    ViewCase("apitokens:revoke", obj=_admin_token, method="post", redirect="apitokens:list"),
]
