from django.urls import path

from acompana.api.router import api

urlpatterns = [path("", api.urls)]
