"""URLs of indicators and prioritisation, under ``/planificacion/priorizacion/`` (namespace
``planning``)."""

from django.urls import URLPattern, URLResolver, path

from acompana.planning.prioritisation import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.prioritisation_model_list, name="prioritisation_model_list"),
    path("modelos/nuevo/", views.prioritisation_model_create, name="prioritisation_model_create"),
    path("modelos/<int:pk>/", views.prioritisation_ranking, name="prioritisation_ranking"),
    path(
        "modelos/<int:pk>/editar/",
        views.prioritisation_model_edit,
        name="prioritisation_model_edit",
    ),
    path(
        "modelos/<int:pk>/exportar/",
        views.prioritisation_ranking_export,
        name="prioritisation_ranking_export",
    ),
    path("modelos/<int:pk>/guardar-lista/", views.priority_list_save, name="priority_list_save"),
    path("listas/", views.priority_list_list, name="priority_list_list"),
    path("listas/<int:pk>/", views.priority_list_detail, name="priority_list_detail"),
    path("listas/<int:pk>/exportar/", views.priority_list_export, name="priority_list_export"),
    path("listas/<int:pk>/pdf/", views.priority_list_pdf, name="priority_list_pdf"),
    path("indicadores/", views.indicator_list, name="indicator_list"),
    path("indicadores/nuevo/", views.indicator_create, name="indicator_create"),
    path("indicadores/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("indicadores/<int:pk>/editar/", views.indicator_edit, name="indicator_edit"),
    path("indicadores/<int:pk>/eliminar/", views.indicator_delete, name="indicator_delete"),
    path(
        "indicadores/valores/exportar/",
        views.indicator_values_export,
        name="indicator_values_export",
    ),
    path(
        "indicadores/valores/importar/",
        views.indicator_values_import,
        name="indicator_values_import",
    ),
    path(
        "indicadores/valores/importar/revisar/",
        views.indicator_values_import_preview,
        name="indicator_values_import_preview",
    ),
    path(
        "indicadores/valores/importar/confirmar/",
        views.indicator_values_import_confirm,
        name="indicator_values_import_confirm",
    ),
    path(
        "indicadores/valores/plantilla/",
        views.indicator_values_template,
        name="indicator_values_template",
    ),
]
