"""URLs of the needs (mounted at /planificacion/necesidades/ in the ``planning`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from acompana.planning.needs import public, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.need_list, name="need_list"),
    path("nueva/", views.need_create, name="need_create"),
    path("exportar/", views.need_export, name="need_export"),
    path("grupos-de-valor/", views.need_stakeholder_options, name="need_stakeholder_options"),
    path("importar/", views.need_import, name="need_import"),
    path("importar/plantilla/", views.need_import_template, name="need_import_template"),
    path("importar/revision/", views.need_import_preview, name="need_import_preview"),
    path("importar/confirmar/", views.need_import_confirm, name="need_import_confirm"),
    path("<int:pk>/", views.need_detail, name="need_detail"),
    path("<int:pk>/editar/", views.need_edit, name="need_edit"),
    path("<int:pk>/clasificar/", views.need_triage, name="need_triage"),
    path("<int:pk>/estado/", views.need_set_status, name="need_set_status"),
    path("<int:pk>/soporte/", views.need_evidence, name="need_evidence"),
    # public request form (no login)
    path(
        "solicitud-municipios/",
        public.need_request_municipalities,
        name="need_request_municipalities",
    ),
    path("solicitar/<slug:slug>/", public.need_request, name="need_request"),
    path("solicitar/<slug:slug>/enviada/", public.need_request_done, name="need_request_done"),
    path(
        "solicitar/<slug:slug>/aviso-de-privacidad/",
        public.need_request_notice,
        name="need_request_notice",
    ),
]
