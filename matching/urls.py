"""The base map's tiles on each territory's site."""

from django.urls import path

from . import views

urlpatterns = [
    path("map/base.json", views.base_map_settings, name="base_map"),
    path("map/tiles/<str:version>/<int:z>/<int:x>/<int:y>.pbf", views.tile, name="map_tile"),
]
