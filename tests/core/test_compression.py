"""Text answers go gzip-compressed to a browser that accepts it (core/compression.py): pages
and the static files WhiteNoise serves; images are sent as they are, and a browser that does
not say it accepts gzip gets plain text."""

import gzip

from django.test import Client


def test_pages_and_static_text_are_compressed_for_a_browser_that_accepts_gzip(alpha):
    client = Client(HTTP_HOST=alpha.host, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    page = client.get("/")
    assert page["Content-Encoding"] == "gzip" and "Accept-Encoding" in page["Vary"]
    assert b"<html" in gzip.decompress(page.content)
    css = client.get("/static/css/archipel.css")
    assert css.status_code == 200 and css["Content-Encoding"] == "gzip"
    body = gzip.decompress(b"".join(css.streaming_content))
    assert b"--primary" in body
    script = client.get("/static/vendor/htmx/htmx.min.js")
    assert script["Content-Encoding"] == "gzip"
    packed = b"".join(script.streaming_content)
    assert b"htmx" in gzip.decompress(packed) and len(packed) < len(gzip.decompress(packed)) / 2


def test_images_and_browsers_without_gzip_get_the_bytes_as_they_are(alpha):
    client = Client(HTTP_HOST=alpha.host, HTTP_ACCEPT_ENCODING="gzip")
    image = client.get("/static/vendor/leaflet/images/marker-icon.png")
    assert image.status_code == 200 and not image.has_header("Content-Encoding")
    plain = Client(HTTP_HOST=alpha.host).get("/")
    assert not plain.has_header("Content-Encoding") and b"<html" in plain.content
