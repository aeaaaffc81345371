"""How an app plugs into the platform: one ``AppConfig`` declaration, discovered automatically.

Core names no stage. Every product app's ``apps.py`` subclasses ``ProductAppConfig`` and
says what it brings; the platform finds it among the installed apps and wires it:

* ``url_prefix``: its pages (``<app>/urls.py``, with ``app_name``) are served under it;
* ``api_prefix``: its API router (``<app>/api.py: router``) is mounted under ``/api/v1``;
* ``lifecycle``: its cards on the home page (``LifecycleStage``), ``menu`` its navigation;
* ``pending_work``: ``"<module>.<function>"``, ``function(user)`` → ``PendingItem``s;
* ``demo_loader``: ``"<module>.<function>"``, ``function(organization=, spec=)`` fills a demo
  organization (called in ``order`` by ``core.demo.load_demo``);
* ``reference_seeds``: ``"<module>.<function>"``, called by ``load_reference_data``;
* ``permissions``: ``"<module>.<NAME>"``, a ``{permission: roles}`` dict merged into
  ``core.permissions``;
* ``public_pages``: ``PublicPage`` links shown on each organization's public page;
* ``public_views``: the URL names (``"<namespace>:<name>"``) of its pages without login
  (``core.access.public_view``, ``core.public_links.public_link_view``): a public page not
  listed here fails ``tests/test_permissions_generic.py``.

Adding a stage is its folder and one line in ``INSTALLED_APPS``. ``order`` is the position in
the lifecycle (DESIGN section 2); dependencies between apps run from lower to higher order.
``tests/test_plugins.py`` proves every installed product app is wired everywhere it must be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig, apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class MenuItem:
    """A link of a stage's navigation menu (shown when the user holds ``perm``, if given)."""

    label: Any
    url_name: str
    perm: str | None = None


@dataclass(frozen=True)
class Menu:
    """An app's entry in the top navigation: a link, or a drop-down when it has several."""

    title: Any
    items: tuple[MenuItem, ...]


@dataclass(frozen=True)
class LifecycleStage:
    """A card of the home page: a stage of the lifecycle (numbered, in order) or, with
    ``stage=False``, a reference area every stage uses (registry, catalogue)."""

    title: Any
    description: Any
    url_name: str
    stage: bool = True


@dataclass(frozen=True)
class PublicPage:
    """A page an app offers on each organization's public page (``core:organization_public``).

    ``url_name`` is reversed with the organization's slug. ``available``, when given, is
    ``"<module>.<function>"`` of the app, ``function(organization) -> bool``: the link is shown
    only when the page has something to show (no empty sections on a public page).
    """

    title: Any
    description: Any
    url_name: str
    available: str | None = None


class ProductAppConfig(AppConfig):
    """Base ``AppConfig`` of every Acompaña app (core, geo and api included)."""

    default_auto_field = "django.db.models.BigAutoField"
    #: position in the lifecycle (and in the demo, seeds and menus)
    order: int = 100
    #: pages: ``<app>.<urls_module>`` at this prefix ("" for the root, None for no pages)
    url_prefix: str | None = None
    urls_module: str = "urls"
    #: API: ``<app>.<api_module>.router`` mounted at this prefix (None for no API)
    api_prefix: str | None = None
    api_module: str = "api"
    lifecycle: tuple[LifecycleStage, ...] = ()
    menu: Menu | None = None
    pending_work: str | None = None
    demo_loader: str | None = None
    reference_seeds: str | None = None
    permissions: str | None = None
    #: URL names of the app's pages without login (each a deliberate, reviewed decision)
    public_views: tuple[str, ...] = ()
    #: links on each organization's public page (the request form, the published agenda...)
    public_pages: tuple[PublicPage, ...] = ()

    def hook(self, name: str) -> Callable[..., Any] | None:
        """The callable (or value) an attribute names, relative to the app's package."""
        dotted = getattr(self, name)
        return import_string(f"{self.name}.{dotted}") if dotted else None

    @property
    def urls(self) -> str:
        return f"{self.name}.{self.urls_module}"

    @property
    def api_router(self) -> Any:
        return import_string(f"{self.name}.{self.api_module}.router")


def product_apps() -> list[ProductAppConfig]:
    """Every installed product app, in lifecycle order."""
    found = [c for c in apps.get_app_configs() if isinstance(c, ProductAppConfig)]
    return sorted(found, key=lambda c: (c.order, c.label))


def apps_with(attribute: str) -> list[ProductAppConfig]:
    """The product apps that declare ``attribute`` (in lifecycle order)."""
    return [c for c in product_apps() if getattr(c, attribute) is not None]
