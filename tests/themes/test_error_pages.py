"""Error pages and the favicon wear the territory's own look, not Archipel's."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django_tenants.utils import schema_context

from themes.selectors import theme_get
from themes.views import server_error


def _brand(cast, colour: str, name: str) -> None:
    with schema_context(cast.territory.schema_name):
        theme = theme_get()
        theme.primary_colour, theme.display_name = colour, name
        theme.icon_192 = b"\\x89PNG icon"
        theme.save()


def test_a_territory_404_page_keeps_its_theme(alpha):
    _brand(alpha, "#0b4f8a", "Alpha Covoit")
    response = alpha.client().get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "--primary:#0b4f8a" in page and "Alpha Covoit" in page
    assert "Page introuvable" in page


def test_a_500_page_keeps_the_theme_and_falls_back_to_the_plain_page(alpha):
    _brand(alpha, "#0b4f8a", "Alpha Covoit")
    request = RequestFactory().get("/", HTTP_HOST=alpha.host)
    with schema_context(alpha.territory.schema_name):
        connection.tenant = alpha.territory
        request.tenant = alpha.territory
        request.user, request.membership = AnonymousUser(), None
        themed = server_error(request)
    assert themed.status_code == 500
    assert "--primary:#0b4f8a" in themed.content.decode()
    assert "Une erreur est survenue" in themed.content.decode()
    plain = server_error(RequestFactory().get("/"))  # no territory, no user: the plain page
    assert plain.status_code == 500 and "Une erreur est survenue" in plain.content.decode()


def test_each_territory_serves_its_icon_as_favicon(alpha, beta):
    _brand(alpha, "#0b4f8a", "Alpha Covoit")
    icon = alpha.client().get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/png"
    assert icon.content == b"\\x89PNG icon"
    with schema_context(beta.territory.schema_name):
        theme = theme_get()
        theme.icon_192 = None
        theme.save()
    assert beta.client().get("/favicon.ico").status_code == 404
