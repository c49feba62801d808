from django.urls import path

from . import views

urlpatterns = [path("manage/export/", views.territory_export, name="territory_export")]
