from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("acompana.core.urls")),
    path("registro/", include("acompana.registry.urls")),
    path("catalogo/", include("acompana.catalog.urls")),
    path("planificacion/", include("acompana.planning.urls")),
    path("api/v1/", include("acompana.api.urls")),
    path("cuenta/tokens/", include("acompana.api.urls_ui")),
]

handler403 = "acompana.core.views.errors.permission_denied"
handler404 = "acompana.core.views.errors.page_not_found"

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
