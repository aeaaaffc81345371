from django.utils.translation import gettext_lazy as _

from acompana.core.plugins import LifecycleStage, Menu, MenuItem, ProductAppConfig, PublicPage


class PlanningConfig(ProductAppConfig):
    default = True  # the one config Django picks (apps.py also imports the base class)
    name = "acompana.planning"
    label = "planning"
    order = 30
    url_prefix = "planificacion/"
    api_prefix = "/planificacion"
    permissions = "permissions.PERMISSIONS"
    pending_work = "pending.pending_work"
    demo_loader = "demo.load"
    #: the public request form (demanda) and what it needs
    public_views = (
        "planning:need_request",
        "planning:need_request_done",
        "planning:need_request_notice",
        "planning:need_request_municipalities",
    )
    #: on each organization's public page: the request form
    public_pages = (
        PublicPage(
            _("Request technical assistance"),
            _("Tell us what your entity needs; you will get a radicado by e-mail."),
            "planning:need_request",
        ),
    )
    lifecycle = (
        LifecycleStage(
            _("Needs"), _("Needs of the grupos de valor, prioritisation."), "planning:need_list"
        ),
        LifecycleStage(
            _("Plans"),
            _("Strategy, plans per unit, consolidation, committee."),
            "planning:plan_list",
        ),
    )
    menu = Menu(
        _("Planning"),
        (
            MenuItem(_("Needs"), "planning:need_list"),
            MenuItem(_("Prioritisation"), "planning:prioritisation_model_list"),
            MenuItem(_("Indicators"), "planning:indicator_list"),
            MenuItem(_("Strategy"), "planning:strategy_home"),
            MenuItem(_("Plans"), "planning:plan_list"),
            MenuItem(_("Consolidated plan"), "planning:consolidated_list"),
            MenuItem(_("Consistency checks"), "planning:checks_index"),
        ),
    )
