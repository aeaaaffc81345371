from django.urls import path

from acompana.core.procedures import views

urlpatterns = [path("procedimiento/", views.procedure, name="procedure")]
