from django.urls import URLPattern, path

from acompana.catalog import views
from acompana.catalog.choices import CatalogKind

app_name = "catalog"

#: (URL segment, kind) of the four vocabularies; their pages share one view each.
VALUE_SEGMENTS = [
    ("tipos-de-servicio", CatalogKind.SERVICE_TYPE),
    ("tematicas", CatalogKind.TOPIC),
    ("mecanismos", CatalogKind.MECHANISM),
    ("modalidades", CatalogKind.MODALITY),
]


def _value_patterns() -> list[URLPattern]:
    patterns = []
    for segment, kind in VALUE_SEGMENTS:
        prefix = views.VALUE_PAGES[kind]
        extra = {"kind": kind.value}
        patterns += [
            path(f"{segment}/", views.value_list, extra, name=f"{prefix}_list"),
            path(f"{segment}/nuevo/", views.value_create, extra, name=f"{prefix}_create"),
            path(f"{segment}/<int:pk>/editar/", views.value_edit, extra, name=f"{prefix}_edit"),
        ]
    return patterns


urlpatterns = [
    path("", views.home, name="home"),
    path("exportar/", views.service_export, name="service_export"),
    path("servicios/nuevo/", views.service_create, name="service_create"),
    path("servicios/<int:pk>/", views.service_detail, name="service_detail"),
    path("servicios/<int:pk>/editar/", views.service_edit, name="service_edit"),
    path("servicios/<int:pk>/desactivar/", views.service_deactivate, name="service_deactivate"),
    path("servicios/<int:pk>/reactivar/", views.service_reactivate, name="service_reactivate"),
    path("servicios/<int:pk>/hitos/nuevo/", views.milestone_create, name="milestone_create"),
    path("hitos/<int:pk>/editar/", views.milestone_edit, name="milestone_edit"),
    path("hitos/<int:pk>/eliminar/", views.milestone_delete, name="milestone_delete"),
    path("hitos/<int:pk>/mover/", views.milestone_move, name="milestone_move"),
    *_value_patterns(),
]
