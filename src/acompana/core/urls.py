from django.urls import include, path

from acompana.core.views import (
    audit,
    auth,
    documents,
    home,
    jobs,
    organization_admin,
    public,
    security,
)

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("ingresar/", auth.login_view, name="login"),
    path("ingresar/codigo/", auth.login_otp_view, name="login_otp"),
    path("salir/", auth.logout_view, name="logout"),
    path("entidad/cambiar/", home.switch_organization, name="switch_organization"),
    path("cuenta/seguridad/", security.security, name="security"),
    path("cuenta/seguridad/activar/", security.security_totp_start, name="security_totp_start"),
    path(
        "cuenta/seguridad/desactivar/",
        security.security_totp_disable,
        name="security_totp_disable",
    ),
    path("administracion/entidad/", organization_admin.organization_edit, name="organization_edit"),
    path("administracion/dependencias/", organization_admin.unit_list, name="unit_list"),
    path("administracion/dependencias/nueva/", organization_admin.unit_create, name="unit_create"),
    path("administracion/dependencias/<int:pk>/", organization_admin.unit_edit, name="unit_edit"),
    path("administracion/vigencias/", organization_admin.fiscal_year_list, name="fiscal_year_list"),
    path(
        "administracion/vigencias/<int:pk>/actual/",
        organization_admin.fiscal_year_set_current,
        name="fiscal_year_set_current",
    ),
    path("administracion/personas/", organization_admin.member_list, name="member_list"),
    path("administracion/personas/<int:pk>/", organization_admin.member_edit, name="member_edit"),
    path(
        "administracion/invitaciones/nueva/",
        organization_admin.invitation_create,
        name="invitation_create",
    ),
    path(
        "administracion/invitaciones/<int:pk>/revocar/",
        organization_admin.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitacion/<str:token>/", organization_admin.invitation_accept, name="invitation_accept"),
    path(
        "entidad/<slug:slug>/logo/", organization_admin.organization_logo, name="organization_logo"
    ),
    # an organization's public pages (no login)
    path("entidades/<slug:slug>/", public.organization_public, name="organization_public"),
    path(
        "entidades/<slug:slug>/accesibilidad/",
        public.organization_accessibility,
        name="organization_accessibility",
    ),
    path(
        "entidades/<slug:slug>/tratamiento-de-datos/",
        public.organization_data_policy,
        name="organization_data_policy",
    ),
    path("auditoria/", audit.audit_list, name="audit_list"),
    path(
        "auditoria/<str:app_label>/<str:model>/<str:object_id>/",
        audit.audit_object,
        name="audit_object",
    ),
    path("tareas/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("documentos/<int:pk>/", documents.document_download, name="document_download"),
    path("", include("acompana.core.procedures.urls")),
]
