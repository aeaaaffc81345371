from acompana.core.plugins import ProductAppConfig


class GeoConfig(ProductAppConfig):
    """DIVIPOLA reference data: the base every other app may use (it uses none of them)."""

    default = True  # the one config Django picks (apps.py also imports the base class)
    name = "acompana.geo"
    label = "geo"
    order = -10
