"""View access declarations. Every view in the product is wrapped by exactly one of these.

The wrapper records what it requires on the view (``view.acompana_access``); the generic
permission test walks every URL and fails when a view lacks the declaration, so a new view
cannot ship without a permission decision.

* ``public_view``: no login (public request form, login page). The app lists every such
  page in its ``ProductAppConfig.public_views`` (the generic test fails otherwise); a page
  opened by a signed link uses ``core.public_links.public_link_view(purpose)``, which is a
  ``public_view`` that also resolves the token (404 for a bad one, 429 after many).
* ``member_view``: any member of the active organization (home, switch organization).
* ``permission_view("registry.change")``: roles from ``core.permissions.PERMISSIONS``.

Anonymous users are sent to the login page; an authenticated user without the role gets
a 403 page; objects outside the organization are 404 (selectors, not these wrappers).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from acompana.core.permissions import has_perm, roles_for
from acompana.core.scoping import active_membership

ViewFunc = Callable[..., HttpResponseBase]


def public_view(view: ViewFunc) -> ViewFunc:
    view.acompana_access = ("public", None)  # type: ignore[attr-defined]
    return view


def _guard(view: ViewFunc, perm: str | None) -> ViewFunc:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if active_membership(request.user) is None:
            raise PermissionDenied(_("Your account does not belong to any active organization."))
        if perm is not None and not has_perm(request.user, perm):
            raise PermissionDenied(_("Your role does not allow this action."))
        return view(request, *args, **kwargs)

    wrapper.acompana_access = ("perm", perm) if perm else ("member", None)  # type: ignore[attr-defined]
    return wrapper


def member_view(view: ViewFunc) -> ViewFunc:
    return _guard(view, None)


def permission_view(perm: str) -> Callable[[ViewFunc], ViewFunc]:
    roles_for(perm)  # fail at import time on a typo

    def decorator(view: ViewFunc) -> ViewFunc:
        return _guard(view, perm)

    return decorator
