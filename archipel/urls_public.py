"""URLs of the public site (the archipel's main domain)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from tenants import urls as tenants
from themes import public as themes_public
from themes import views as themes_views

admin.site.site_header = "Archipel"
admin.site.site_title = "Archipel"

urlpatterns = [
    # The home page shows each territory in its own colours: themes (above tenants) renders it.
    path("", themes_public.archipel_home, name="archipel_home"),
    path("territories/<slug:slug>/logo.png", themes_public.territory_logo, name="territory_logo"),
    path("ui/", themes_views.design_system, name="public_design_system"),
    path("", include(tenants)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(tenants.api_urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
]

handler404 = "core.api.page_not_found"  # JSON under /api/
handler403 = "core.error_pages.permission_denied"  # in the territory's own look
handler500 = "themes.views.server_error"  # a territory's error may land here under ASGI
