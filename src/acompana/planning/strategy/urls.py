"""URLs of the strategy (FP-2..FP-4), under ``/planificacion/estrategia/`` in ``planning``."""

from django.urls import URLPattern, URLResolver, path

from acompana.planning.strategy import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.strategy_home, name="strategy_home"),
    path("abrir/", views.strategy_open, name="strategy_open"),
    path("<int:pk>/", views.strategy_detail, name="strategy_detail"),
    path("<int:pk>/dependencias/", views.strategy_sync_units, name="strategy_sync_units"),
    path("<int:pk>/consolidacion/", views.strategy_consolidation, name="strategy_consolidation"),
    path("<int:pk>/consolidar/", views.strategy_consolidate, name="strategy_consolidate"),
    path("<int:pk>/reabrir/", views.strategy_reopen, name="strategy_reopen"),
    path("<int:pk>/presentar/", views.strategy_present, name="strategy_present"),
    path("<int:pk>/comite/", views.strategy_decision_create, name="strategy_decision_create"),
    path("<int:pk>/decisiones/", views.strategy_decisions, name="strategy_decisions"),
    path("propuestas/<int:pk>/", views.strategy_proposal_detail, name="strategy_proposal_detail"),
    path(
        "propuestas/<int:pk>/editar/", views.strategy_proposal_edit, name="strategy_proposal_edit"
    ),
    path(
        "propuestas/<int:pk>/enviar/",
        views.strategy_proposal_submit,
        name="strategy_proposal_submit",
    ),
    path(
        "propuestas/<int:pk>/devolver/",
        views.strategy_proposal_return,
        name="strategy_proposal_return",
    ),
    path(
        "propuestas/<int:pk>/excluir/",
        views.strategy_proposal_exclude,
        name="strategy_proposal_exclude",
    ),
    path(
        "propuestas/<int:pk>/incluir/",
        views.strategy_proposal_include,
        name="strategy_proposal_include",
    ),
]
