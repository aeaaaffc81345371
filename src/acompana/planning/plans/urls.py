"""URLs of the plans area, mounted at /planificacion/planes/ in the ``planning`` namespace."""

from django.urls import URLPattern, URLResolver, path

from acompana.planning.plans import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.plan_list, name="plan_list"),
    path("nuevo/", views.plan_create, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/editar/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/resumen/", views.plan_summary, name="plan_summary"),
    path("<int:pk>/lineas/nueva/", views.plan_line_create, name="plan_line_create"),
    path(
        "<int:pk>/buscar-grupos-de-valor/",
        views.plan_stakeholder_search,
        name="plan_stakeholder_search",
    ),
    path("<int:pk>/buscar-necesidades/", views.plan_need_search, name="plan_need_search"),
    path("<int:pk>/enviar/", views.plan_submit, name="plan_submit"),
    path("<int:pk>/finalizar/", views.plan_finalise, name="plan_finalise"),
    path("<int:pk>/aprobar/", views.plan_approve, name="plan_approve"),
    path("<int:pk>/devolver/", views.plan_return, name="plan_return"),
    path("<int:pk>/publicar/", views.plan_publish, name="plan_publish"),
    path("<int:pk>/pdf/", views.plan_pdf, name="plan_pdf"),
    path("<int:pk>/excel/", views.plan_export, name="plan_export"),
    path("<int:pk>/importar/", views.plan_import, name="plan_import"),
    path("<int:pk>/importar/revision/", views.plan_import_preview, name="plan_import_preview"),
    path("<int:pk>/importar/confirmar/", views.plan_import_confirm, name="plan_import_confirm"),
    path("lineas/<int:pk>/", views.plan_line_row, name="plan_line_row"),
    path("lineas/<int:pk>/editar/", views.plan_line_edit, name="plan_line_edit"),
    path("lineas/<int:pk>/duplicar/", views.plan_line_duplicate, name="plan_line_duplicate"),
    path("lineas/<int:pk>/eliminar/", views.plan_line_delete, name="plan_line_delete"),
    path("lineas/<int:pk>/mover/", views.plan_line_move, name="plan_line_move"),
    path("consolidados/", views.consolidated_list, name="consolidated_list"),
    path("consolidados/nuevo/", views.consolidated_create, name="consolidated_create"),
    path("consolidados/<int:pk>/", views.consolidated_detail, name="consolidated_detail"),
    path("consolidados/<int:pk>/reunir/", views.consolidated_gather, name="consolidated_gather"),
    path("consolidados/<int:pk>/verificar/", views.consolidated_verify, name="consolidated_verify"),
    path("consolidados/<int:pk>/devolver/", views.consolidated_return, name="consolidated_return"),
    path(
        "consolidados/<int:pk>/comite/", views.consolidated_committee, name="consolidated_committee"
    ),
    path(
        "consolidados/<int:pk>/enviar-al-comite/",
        views.consolidated_send_to_committee,
        name="consolidated_send_to_committee",
    ),
    path(
        "consolidados/<int:pk>/cobertura/",
        views.consolidated_coverage,
        name="consolidated_coverage",
    ),
    path(
        "consolidados/<int:pk>/cobertura/revision/",
        views.consolidated_committee_review,
        name="consolidated_committee_review",
    ),
    path(
        "consolidados/<int:pk>/publicar/", views.consolidated_publish, name="consolidated_publish"
    ),
    path("consolidados/<int:pk>/pdf/", views.consolidated_pdf, name="consolidated_pdf"),
    path("consolidados/<int:pk>/excel/", views.consolidated_export, name="consolidated_export"),
]
