from acompana.core.plugins import ProductAppConfig


class ApiConfig(ProductAppConfig):
    """The ``/api/v1/`` assembly (mounted by ``config.urls``) and personal API tokens."""

    default = True  # the one config Django picks (apps.py also imports the base class)
    name = "acompana.api"
    label = "api"
    order = 1000
    url_prefix = "cuenta/tokens/"
    urls_module = "urls_ui"
