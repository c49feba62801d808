"""URLs of the public site (the archipel's main domain)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from tenants.api import TerritoriesList
from tenants.views import archipel_home

admin.site.site_header = "Archipel"
admin.site.site_title = "Archipel"

urlpatterns = [
    path("", archipel_home, name="archipel_home"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/territories/", TerritoriesList.as_view(), name="api_territories"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
]
