from django.urls import path

from acompana.registry import views

app_name = "registry"

urlpatterns = [path("", views.stakeholder_list, name="stakeholder_list")]
