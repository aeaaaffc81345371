from django.utils.translation import gettext_lazy as _

from acompana.core.plugins import LifecycleStage, Menu, MenuItem, ProductAppConfig


class CatalogConfig(ProductAppConfig):
    default = True  # the one config Django picks (apps.py also imports the base class)
    name = "acompana.catalog"
    label = "catalog"
    order = 20
    url_prefix = "catalogo/"
    api_prefix = "/catalogo"
    permissions = "permissions.PERMISSIONS"
    demo_loader = "demo.load"
    reference_seeds = "seeds.load_reference_values"
    lifecycle = (
        LifecycleStage(
            _("Service catalogue"),
            _("Service types, topics, mechanisms, modalities and services per unit."),
            "catalog:home",
            stage=False,
        ),
    )
    menu = Menu(_("Catalogue"), (MenuItem(_("Catalogue"), "catalog:home"),))
