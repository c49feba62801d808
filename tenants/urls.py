"""The public site of the archipel (its main domain): its API; the home page is themes.public."""

from django.urls import path

from . import api

urlpatterns: list = []  # the home page: themes.public (it shows each territory's theme)

api_urlpatterns = [
    path("territories/", api.TerritoriesList.as_view(), name="api_territories"),
]
