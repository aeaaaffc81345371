from django.utils.translation import gettext_lazy as _

from acompana.core.plugins import LifecycleStage, Menu, MenuItem, ProductAppConfig


class RegistryConfig(ProductAppConfig):
    default = True  # the one config Django picks (apps.py also imports the base class)
    name = "acompana.registry"
    label = "registry"
    order = 10
    url_prefix = "registro/"
    api_prefix = "/registro"
    permissions = "permissions.PERMISSIONS"
    demo_loader = "demo.load"
    lifecycle = (
        LifecycleStage(
            _("Registry of grupos de valor"),
            _("Stakeholders, people and consents."),
            "registry:stakeholder_list",
            stage=False,
        ),
    )
    menu = Menu(_("Registry"), (MenuItem(_("Registry"), "registry:stakeholder_list"),))
