from django.urls import path

from acompana.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.stakeholder_list, name="stakeholder_list"),
    path("grupos/nuevo/", views.stakeholder_create, name="stakeholder_create"),
    path("grupos/exportar/", views.stakeholder_export, name="stakeholder_export"),
    path("grupos/<int:pk>/", views.stakeholder_detail, name="stakeholder_detail"),
    path("grupos/<int:pk>/editar/", views.stakeholder_edit, name="stakeholder_edit"),
    path(
        "grupos/<int:pk>/desactivar/",
        views.stakeholder_deactivate,
        name="stakeholder_deactivate",
    ),
    path(
        "grupos/<int:pk>/reactivar/",
        views.stakeholder_reactivate,
        name="stakeholder_reactivate",
    ),
    path("municipios/", views.municipality_options, name="municipality_options"),
    path("importar/", views.import_upload, name="import_upload"),
    path("importar/plantilla/", views.import_template, name="import_template"),
    path("importar/revision/", views.import_preview, name="import_preview"),
    path("importar/confirmar/", views.import_confirm, name="import_confirm"),
    path("personas/", views.person_list, name="person_list"),
    path("personas/nueva/", views.person_create, name="person_create"),
    path("personas/exportar/", views.person_export, name="person_export"),
    path("personas/<int:pk>/", views.person_detail, name="person_detail"),
    path("personas/<int:pk>/editar/", views.person_edit, name="person_edit"),
    path(
        "personas/<int:pk>/consentimientos/nuevo/",
        views.consent_create,
        name="consent_create",
    ),
    path("consentimientos/<int:pk>/revocar/", views.consent_revoke, name="consent_revoke"),
    path("consentimientos/<int:pk>/soporte/", views.consent_evidence, name="consent_evidence"),
    path("aviso-de-privacidad/", views.consent_notice, name="consent_notice"),
]
