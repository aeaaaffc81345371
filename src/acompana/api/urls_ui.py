from django.urls import path

from acompana.api import views

app_name = "apitokens"

urlpatterns = [path("", views.token_list, name="list")]
