"""The territory's appearance: legal page, admin page, manifest and branding images."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("legal/", views.legal, name="legal"),
    path("ui/", views.design_system, name="design_system"),
    path("manage/appearance/", views.appearance, name="appearance"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("branding/<str:name>", views.branding_image, name="branding"),
]

api_urlpatterns = [
    path("territory/", api.TerritoryInfo.as_view(), name="api_territory"),
]
