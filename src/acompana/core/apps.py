from acompana.core.plugins import ProductAppConfig


class CoreConfig(ProductAppConfig):
    default = True  # the one config Django picks (apps.py also imports the base class)
    name = "acompana.core"
    label = "core"
    order = 0
    url_prefix = ""
    api_prefix = "/"
    api_module = "api_endpoints"
    public_views = (
        "core:login",
        "core:login_otp",
        "core:logout",
        "core:invitation_accept",  # the invitation's own single-use token
        "core:organization_logo",  # shown on the public pages
        # an organization's public home, accessibility statement and data-processing policy
        "core:organization_public",
        "core:organization_accessibility",
        "core:organization_data_policy",
    )
