"""An organization's public pages (no login): its home, accessibility statement and
data-processing policy (DESIGN section 7, issue 11 §8).

They follow the national government web conventions: a GOV.CO top bar slot (the include
``core/public/_govco_bar.html``, shown when ``settings.ACOMPANA_GOVCO_BAR``), the
organization's identity (name, logo, NIT), the accessibility statement and the
data-processing policy linked from every page. Light: local assets only, no JavaScript, no
personal data. Every public page of any app extends ``core/public/base.html`` with the
context of ``public_context``.

Core names no stage: the links of the home page (the request form, the published agenda)
are the ``public_pages`` the apps declare in their ``AppConfig`` (``core.plugins.PublicPage``),
each shown only when it has something to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.module_loading import import_string

from acompana.core.access import public_view
from acompana.core.models import Organization
from acompana.core.plugins import product_apps


@dataclass(frozen=True)
class PublicLink:
    title: str
    description: str
    url: str


def public_organization(*, slug: str) -> Organization:
    """The active organization of ``slug`` (404 otherwise): what a public page shows."""
    return get_object_or_404(Organization, slug=slug, is_active=True)


def public_context(organization: Organization, **extra: Any) -> dict[str, Any]:
    """The context ``core/public/base.html`` needs (identity, GOV.CO bar switch)."""
    return {
        "organization": organization,
        "govco_bar": bool(getattr(settings, "ACOMPANA_GOVCO_BAR", False)),
        **extra,
    }


def public_links(organization: Organization) -> list[PublicLink]:
    """The apps' public pages for ``organization`` that have something to show."""
    links = []
    for app in product_apps():
        for page in app.public_pages:
            if page.available:
                available = import_string(f"{app.name}.{page.available}")
                if not available(organization):
                    continue
            links.append(
                PublicLink(
                    str(page.title),
                    str(page.description),
                    reverse(page.url_name, args=[organization.slug]),
                )
            )
    return links


@public_view
def organization_public(request: HttpRequest, slug: str) -> HttpResponse:
    """The organization's public home: who it is and what a grupo de valor can do here."""
    organization = public_organization(slug=slug)
    return render(
        request,
        "core/public/organization.html",
        public_context(organization, links=public_links(organization)),
    )


@public_view
def organization_accessibility(request: HttpRequest, slug: str) -> HttpResponse:
    """The accessibility statement (Resolución 1519 de 2020, NTC 5854, WCAG 2.1 AA)."""
    organization = public_organization(slug=slug)
    return render(request, "core/public/accessibility.html", public_context(organization))


@public_view
def organization_data_policy(request: HttpRequest, slug: str) -> HttpResponse:
    """The organization's data-processing policy (Ley 1581 de 2012), as its admin wrote it."""
    organization = public_organization(slug=slug)
    return render(request, "core/public/data_policy.html", public_context(organization))
