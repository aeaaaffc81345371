"""URLs: core at the root, every product app at its declared prefix, the API at /api/v1/.

Apps are not listed here: each declares ``url_prefix`` in its ``AppConfig``
(``acompana.core.plugins``).
"""

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

from acompana.core.plugins import apps_with

urlpatterns: list[URLPattern | URLResolver] = [
    path(app.url_prefix or "", include(app.urls)) for app in apps_with("url_prefix")
]
urlpatterns.append(path("api/v1/", include("acompana.api.urls")))

handler403 = "acompana.core.views.errors.permission_denied"
handler404 = "acompana.core.views.errors.page_not_found"

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
