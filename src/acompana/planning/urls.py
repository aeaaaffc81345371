"""Planning URLs: one module per area, all in the ``planning`` namespace."""

from django.urls import include, path

app_name = "planning"

urlpatterns = [
    path("necesidades/", include("acompana.planning.needs.urls")),
    path("priorizacion/", include("acompana.planning.prioritisation.urls")),
    path("estrategia/", include("acompana.planning.strategy.urls")),
    path("planes/", include("acompana.planning.plans.urls")),
    path("verificacion/", include("acompana.planning.checks.urls")),
]
