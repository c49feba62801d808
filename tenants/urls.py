"""The public site of the archipel (its main domain): the territories listed."""

from django.urls import path

from . import api, views

urlpatterns = [path("", views.archipel_home, name="archipel_home")]

api_urlpatterns = [
    path("territories/", api.TerritoriesList.as_view(), name="api_territories"),
]
