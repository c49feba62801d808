"""URLs of the public site (the archipel's main domain)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from tenants import urls as tenants

admin.site.site_header = "Archipel"
admin.site.site_title = "Archipel"

urlpatterns = [
    path("", include(tenants)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(tenants.api_urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
]

handler404 = "core.api.page_not_found"  # JSON under /api/
