from django.urls import path

from tests.sample_stage import views

app_name = "sample_stage"
urlpatterns = [path("", views.visit_list, name="visit_list")]
