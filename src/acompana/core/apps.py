from acompana.core.plugins import ProductAppConfig


class CoreConfig(ProductAppConfig):
    default = True  # the one config Django picks (apps.py also imports the base class)
    name = "acompana.core"
    label = "core"
    order = 0
    url_prefix = ""
    api_prefix = "/"
    api_module = "api_endpoints"
