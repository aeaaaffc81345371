from django.urls import path

from acompana.core.procedures import views

urlpatterns = [
    path("procedimiento/", views.procedure, name="procedure"),
    path("procedimiento/ajustar/", views.procedure_edit, name="procedure_edit"),
    path(
        "procedimiento/recorrido/<str:app_label>/<str:model>/<str:object_id>/",
        views.procedure_trail_view,
        name="procedure_trail",
    ),
]
