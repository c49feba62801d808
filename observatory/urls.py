"""The authority's dashboard and downloads (/observatory/) and its API datasets."""

from django.urls import include, path

from . import api, views

dashboard_urls = [
    path("", views.dashboard, name="observatory"),
    path("download/<str:name>.<str:fmt>.zip", views.download, name="observatory_download"),
    path("access-log/", views.access_log, name="observatory_access_log"),
    path("map.json", views.flows_map, name="observatory_map"),
    path("keys/", views.api_keys, name="observatory_keys"),
]

urlpatterns = [path("observatory/", include(dashboard_urls))]

api_urlpatterns = [
    path("observatory/<str:name>/", api.Dataset.as_view(), name="api_observatory"),
]
