"""URLs of a territory's site (resolved on the territory's own domains): each app's pages and
its part of /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from incentives import urls as incentives
from interop import urls as interop
from matching import urls as matching
from notifications import urls as notifications
from observatory import urls as observatory
from provisioning import urls as provisioning
from solidarity import urls as solidarity
from tenants.members import urls as members
from themes import urls as themes
from trips import urls as trips
from trust import urls as trust

api_v1 = [
    *themes.api_urlpatterns,
    *members.api_urlpatterns,
    *trips.api_urlpatterns,
    *interop.api_urlpatterns,
    *notifications.api_urlpatterns,
    *observatory.api_urlpatterns,
    *incentives.api_urlpatterns,
]

urlpatterns = [
    path("", include(trips)),
    path("", include(matching)),
    path("", include(interop)),
    path("", include(observatory)),
    path("", include(solidarity)),
    path("", include(notifications)),
    path("", include(themes)),
    path("", include(members)),
    path("", include(provisioning)),
    path("", include(trust)),
    path("", include(incentives)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI with its init script as a file of its own (?script): no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]

handler404 = "core.api.page_not_found"  # JSON under /api/
handler403 = "core.error_pages.permission_denied"  # in the territory's own look
handler500 = "themes.views.server_error"  # in the territory's own look
