"""URLs of the consolidation checks, under /planificacion/verificacion/ (``planning`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from acompana.planning.checks import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.checks_index, name="checks_index"),
    path("<int:pk>/", views.findings, name="findings"),
    path("<int:pk>/ejecutar/", views.checks_run, name="checks_run"),
    path("<int:pk>/exportar/", views.findings_export, name="findings_export"),
    path("hallazgos/<int:pk>/aceptar/", views.finding_accept, name="finding_accept"),
]
