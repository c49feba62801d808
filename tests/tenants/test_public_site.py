"""The public site lists the archipel; an unknown host gets a clear 404 page."""

from django.test import Client


def test_public_site_lists_every_territory_with_a_link(archipel, db):
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 200
    page = response.content.decode()
    for cast in archipel.values():
        assert f'href="http://{cast.host}/"' in page
        assert cast.territory.name in page


def test_links_keep_the_port_of_the_request(archipel, db):
    page = Client(HTTP_HOST="localhost:8000").get("/").content.decode()
    assert 'href="http://alpha.localhost:8000/"' in page


def test_public_api_lists_territories(archipel, db):
    data = Client(HTTP_HOST="localhost").get("/api/v1/territories/").json()
    assert {"alpha", "beta"} <= {t["slug"] for t in data}


def test_unknown_host_gets_a_404_page_pointing_to_the_list(archipel, db):
    response = Client(HTTP_HOST="nowhere.localhost:8000").get("/some/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "nowhere.localhost" in page
    assert 'href="http://localhost:8000/"' in page
    assert "Territoire inconnu" in page


def test_territory_home_shows_its_own_theme(alpha, beta):
    a = alpha.client().get("/").content.decode()
    b = beta.client().get("/").content.decode()
    assert 'lang="fr"' in a
    assert (
        "<title>Trouver un trajet · Alpha</title>" in a
        and "<title>Trouver un trajet · Beta</title>" in b
    )


def test_openapi_schema_documents_the_territory_api(alpha):
    response = alpha.client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/members/" in response.content.decode()


def test_each_territory_appears_in_its_own_colours_with_its_logo(alpha, beta):
    from django_tenants.utils import schema_context

    from themes.selectors import theme_get

    with schema_context(alpha.territory.schema_name):
        theme = theme_get()
        theme.display_name, theme.primary_colour = "Alpha Covoit", "#0b4f8a"
        theme.welcome_text = "Montez ensemble vers les pistes."
        theme.logo, theme.logo_version = b"\x89PNG fake", "abc123"
        theme.save()
    page = Client(HTTP_HOST="localhost").get("/").content.decode()
    assert ".territory-card-alpha { --card-primary: #0b4f8a;" in page
    assert "Alpha Covoit" in page and "Montez ensemble vers les pistes." in page
    assert 'src="/territories/alpha/logo.png?v=abc123"' in page
    assert "/territories/beta/logo.png" not in page  # Beta has no logo
    logo = Client(HTTP_HOST="localhost").get("/territories/alpha/logo.png")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert logo.content == b"\x89PNG fake"
    for missing in ("beta", "nowhere", "public"):
        assert (
            Client(HTTP_HOST="localhost").get(f"/territories/{missing}/logo.png").status_code == 404
        )
