"""A territory that draws its maps from an external tile service lets its pages' scripts fetch
from that service: its origin joins the Content-Security-Policy's connect-src (django-csp reads
`response._csp_update`). Territories on their own tiles change nothing."""

from urllib.parse import urlsplit

from django.db import connection

from .selectors import settings_get


class ExternalMapTilesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if connection.schema_name == "public" or not response.get(
            "Content-Type", ""
        ).startswith("text/html"):
            return response
        url = settings_get().map_tiles_url
        if url:
            parts = urlsplit(url)
            update = dict(getattr(response, "_csp_update", None) or {})
            update["connect-src"] = [*update.get("connect-src", []), f"https://{parts.netloc}"]
            response._csp_update = update
        return response
