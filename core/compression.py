"""Text answers are sent gzip-compressed to the browsers that accept it: pages, style sheets,
scripts, JSON, SVG — a page's HTML, CSS and JavaScript shrink to about a third, which is what
a phone on a slow network waits for (Lighthouse's `uses-text-compression`). WhiteNoise serves
the static files from the npm packages and the apps' folders as they are (no compressed copies
are built), so it is done here, for them too. Images, archives and map tiles, already
compressed, are left as they are.

Django's GZipMiddleware, whose random padding of each answer (`max_random_bytes`) defeats the
BREACH attack on the CSRF token and other secrets of a compressed page."""

from django.middleware.gzip import GZipMiddleware

COMPRESSED_TYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "text/plain",
        "text/csv",
        "application/javascript",
        "application/json",
        "application/geo+json",
        "application/manifest+json",
        "image/svg+xml",
    }
)


class TextCompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        kind = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if kind not in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)
