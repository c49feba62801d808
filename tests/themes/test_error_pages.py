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


def test_a_territory_404_offers_the_search_and_the_home_page(alpha):
    _brand(alpha, "#7a1f3d", "Escaldes en commun")
    page = alpha.client("citizen").get("/rides/no-such-ride/").content.decode()
    assert "--primary:#7a1f3d" in page and "Escaldes en commun" in page
    assert "n’existe pas sur Escaldes en commun" in page
    assert 'class="button" href="/"' in page and "Trouver un trajet" in page


def test_a_territory_403_keeps_its_theme(alpha):
    _brand(alpha, "#1d6b3a", "Encamp Mobilité")
    response = alpha.client("citizen").get("/manage/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "--primary:#1d6b3a" in page and "Encamp Mobilité" in page
    assert "Accès refusé" in page and 'class="site-header"' in page


def test_the_503_wears_the_look_the_territory_last_showed(alpha):
    """Drawn without the database: the look a themed page left in the cache, by host."""
    from core import availability
    from core.availability import unavailable

    _brand(alpha, "#0b4f8a", "Covoit' Andorra la Vella")
    assert alpha.client().get("/").status_code == 200  # a themed page leaves the look
    availability._looks.clear()  # another process: only the cache has it
    response = unavailable(RequestFactory().get("/", HTTP_HOST=alpha.host), "database")
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"]
    assert "Service momentanément indisponible" in page
    assert "--primary:#0b4f8a" in page and "Covoit&#x27; Andorra la Vella" in page
    nonce = page.split('<style nonce="', 1)[1].split('"', 1)[0]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    elsewhere = unavailable(RequestFactory().get("/", HTTP_HOST="nowhere.example"), "database")
    assert "--primary" not in elsewhere.content.decode()
    assert "Archipel" in elsewhere.content.decode()
