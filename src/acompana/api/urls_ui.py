from django.urls import path

from acompana.api import views

app_name = "apitokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("nuevo/", views.token_create, name="create"),
    path("<int:pk>/revocar/", views.token_revoke, name="revoke"),
]
