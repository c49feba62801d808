"""Outbound interoperability: a territory shows the journeys of other platforms (RDEX+ and
standard covoiturage providers) under its search results, labelled with the platform's name
and linked to its page; a slow or broken provider never holds a search beyond its budget and
is paused by a circuit breaker. Providers are real HTTP servers on loopback speaking the
specs."""

import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from interop import outbound
from interop.models import Provider
from tests.factories import ANDORRA_LA_VELLA, ESCALDES, tomorrow_at
from tests.forms import SEARCH

from .loopback import serving
from .providers import PICKUP, standard_reply

pytestmark = pytest.mark.django_db


def rdex_reply(method, path, query, body):
    assert path == "/rdex/journeys"
    return 200, {
        "journeys": [
            {
                "id": "r-9", "type": "planned", "operator": "rdex.example",
                "carpoolerType": "driver", "user": {"id": "u9", "alias": "Pau"},
                "from": {"longitude": 1.6, "latitude": 42.5},
                "to": {"longitude": 1.5, "latitude": 42.5}, "duration": 1200,
                "price": {"type": "free"}, "availableSeats": 1,
                "outward": {"departureDate": PICKUP - 300},
                "webUrl": "https://rdex.example/j/r-9",
            },
            {
                "id": "p-1", "type": "planned", "operator": "rdex.example",
                "carpoolerType": "passenger", "user": {"id": "u1", "alias": "Passenger"},
                "outward": {"departureDate": PICKUP}, "webUrl": "https://rdex.example/p/1",
            },
        ]
    }  # fmt: skip


def add(cast, name, url, protocol="standard", **fields):
    with schema_context(cast.territory.schema_name):
        provider = Provider.objects.create(
            name=name, protocol=protocol, base_url=url, api_key=f"key-of-{name}", **fields
        )
        outbound.breaker_reset(provider)
        return provider


def partner_results(cast, role="citizen", **headers):
    return cast.client(role).get("/search/partners/", SEARCH, **headers)


def test_search_shows_both_standards_labelled_and_linked(alpha, beta):
    with serving(standard_reply) as standard, serving(rdex_reply) as rdex:
        add(alpha, "Covoit Voisin", f"{standard.url}/sc/")
        add(alpha, "Rdex Pyrénées", f"{rdex.url}/rdex", protocol="rdex")
        home = alpha.client("citizen").get("/", SEARCH).content.decode()
        # Loaded after the page, so that partners never slow the site's own results.
        assert 'hx-get="/search/partners/?' in home and "vendor/htmx/htmx.min.js" in home
        assert "Covoit Voisin" not in home
        page = partner_results(alpha, HTTP_HX_REQUEST="true").content.decode()
        # Nothing from Alpha's providers reaches Beta's search.
        assert "partner_search" not in beta.client("citizen").get("/", SEARCH).content.decode()
        assert "Núria" not in partner_results(beta).content.decode()
    assert page.count('class="card external"') == 2  # the unusable items are dropped
    # Said to screen readers when htmx swaps it in (js/announce.js).
    assert 'data-announce="2 trajets de plateformes partenaires ajoutés"' in page
    assert "Trajet avec Núria sur Covoit Voisin" in page
    assert 'href="https://other.example/journeys/j-1" rel="external noopener noreferrer"' in page
    assert "Publié sur Rdex Pyrénées, une autre plateforme de covoiturage" in page
    assert "2,50 €" in page and "0,00 €" in page  # free on RDEX+: nothing to share
    assert "javascript:" not in page and "Passenger" not in page
    [asked] = standard.seen
    assert asked.headers["X-API-Key"] == "key-of-Covoit Voisin"
    assert float(asked.query["departureLat"]) == pytest.approx(ESCALDES.lat)
    assert float(asked.query["arrivalLng"]) == pytest.approx(ANDORRA_LA_VELLA.lon)
    centre = datetime.fromtimestamp(int(asked.query["departureDate"]), tz=UTC)
    assert centre == tomorrow_at(8, 15).astimezone(UTC) and asked.query["timeDelta"] == "1800"
    [asked] = rdex.seen
    assert asked.headers["api_key"] == "key-of-Rdex Pyrénées"
    assert asked.query["carpoolerType"] == "driver"
    # Without JavaScript, the same results are a page of their own.
    full = partner_results(alpha)
    assert full.status_code == 200 and "<h1>" in full.content.decode()
    assert partner_results(alpha, HTTP_HX_REQUEST="true").status_code == 200


def test_a_slow_provider_is_left_out_within_the_budget(alpha, monkeypatch):
    monkeypatch.setattr(outbound, "BUDGET_S", 0.5)
    with serving(standard_reply) as fast, serving(standard_reply) as slow:
        slow.delay_s = 3.0
        add(alpha, "Rapide", f"{fast.url}/sc")
        add(alpha, "Lente", f"{slow.url}/sc", timeout_ms=5000)
        started = time.monotonic()
        page = partner_results(alpha, HTTP_HX_REQUEST="true").content.decode()
        waited = time.monotonic() - started
    # The search did not wait for the slow partner's answer (3 s): its journeys are missing
    # and it is named as unavailable; the fast partner's are there.
    assert waited < slow.delay_s
    assert "sur Rapide" in page and "sur Lente" not in page
    assert 'data-announce="1 trajet de plateformes partenaires ajouté"' in page
    assert "Indisponible pour le moment\xa0: Lente." in page


def test_a_broken_provider_is_paused_by_the_breaker_then_tried_again(alpha, monkeypatch):
    answers = {"status": 500}

    def broken(method, path, query, body):
        return answers["status"], {"error": "boom"} if answers["status"] != 200 else []

    with serving(broken) as server:
        provider = add(alpha, "Cassée", f"{server.url}/sc")
        for _ in range(outbound.FAILURES_TO_OPEN):
            page = partner_results(alpha).content.decode()
            assert "Indisponible pour le moment\xa0: Cassée." in page
        assert len(server.seen) == outbound.FAILURES_TO_OPEN
        page = partner_results(alpha).content.decode()
        assert len(server.seen) == outbound.FAILURES_TO_OPEN  # open: not asked any more
        assert "Indisponible pour le moment\xa0: Cassée." in page
        admin = alpha.client("admin").get("/manage/providers/").content.decode()
        assert "en échec\xa0: mis en pause pour une minute" in admin
        # A minute later one search tries it again; it still fails: open again at once.
        now = {"t": time.time() + outbound.OPEN_S + 1}
        monkeypatch.setattr(outbound.clock, "time", lambda: now["t"])
        partner_results(alpha)
        assert len(server.seen) == outbound.FAILURES_TO_OPEN + 1
        partner_results(alpha)
        assert len(server.seen) == outbound.FAILURES_TO_OPEN + 1  # not asked: open again
        # Another minute: only the search holding the trial lock asks it.
        now["t"] += outbound.OPEN_S + 1
        with schema_context(alpha.territory.schema_name):
            assert outbound._may_ask(provider) is True  # this one takes the trial
            assert outbound._may_ask(provider) is False  # a concurrent search does not
            outbound.redis_client().delete(outbound._breaker_key(provider) + ":trial")
        # It answers: the breaker closes.
        answers["status"] = 200
        page = partner_results(alpha).content.decode()
        assert len(server.seen) == outbound.FAILURES_TO_OPEN + 2
        assert "Indisponible" not in page
        with schema_context(alpha.territory.schema_name):
            assert outbound.breaker_open_until(provider) is None
        with schema_context(alpha.territory.schema_name):
            provider.delete()

    # An answer that is not a list of journeys is a failure too; an absurd price only drops
    # that price.
    assert outbound._price(1e300) is None and outbound._price("2.5") == Decimal("2.50")
    with serving(lambda *a: (200, "<html>")) as html:
        add(alpha, "Html", f"{html.url}/sc")
        assert "Indisponible pour le moment\xa0: Html." in partner_results(alpha).content.decode()


def failures(cast, provider) -> int:
    with schema_context(cast.territory.schema_name):
        return int(outbound.redis_client().hget(outbound._breaker_key(provider), "failures") or 0)


def test_a_provider_at_a_refused_address_is_never_called_and_left_out(alpha):
    """core/egress.py at the call, whatever the form said when it was saved: a provider whose
    address leads to this machine (loopback not allowed, as in production) is not called; it
    is unavailable and counted by the breaker, and the search still answers."""
    with serving(standard_reply) as inside:
        port = inside.url.rsplit(":", 1)[1]
        provider = add(alpha, "Interne", f"http://localhost:{port}/sc")
        with override_settings(EGRESS_ALLOW_LOOPBACK=False):
            response = partner_results(alpha, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and inside.seen == []
    assert "Indisponible pour le moment\xa0: Interne." in response.content.decode()
    assert 'data-announce="Aucun trajet partenaire"' in response.content.decode()
    assert failures(alpha, provider) == 1


def test_an_answer_over_the_size_limit_is_cut_off_and_left_out(alpha):
    def chatty(method, path, query, body):
        status, journeys = standard_reply(method, path, query, body)
        return status, journeys * 20  # about 20 kB

    with serving(standard_reply) as fine, serving(chatty) as flood:
        add(alpha, "Covoit Voisin", f"{fine.url}/sc")
        provider = add(alpha, "Bavard", f"{flood.url}/sc")
        with override_settings(EGRESS_MAX_RESPONSE_BYTES=10_000):
            page = partner_results(alpha, HTTP_HX_REQUEST="true").content.decode()
    assert len(flood.seen) == 1 and failures(alpha, provider) == 1
    assert "Indisponible pour le moment\xa0: Bavard." in page and "sur Covoit Voisin" in page


def test_a_bad_search_is_a_400_not_a_call(alpha):
    with serving(standard_reply) as server:
        add(alpha, "Covoit Voisin", f"{server.url}/sc")
        response = alpha.client("citizen").get("/search/partners/", {"date": "nope"})
    assert response.status_code == 400 and "incomplète" in response.content.decode()
    assert server.seen == []


def test_the_admin_manages_providers_and_the_key_is_never_shown_back(alpha, beta):
    admin = alpha.client("admin")
    bad = admin.post("/manage/providers/", {"name": "", "protocol": "soap", "timeout_ms": 10})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert page.count('class="errorlist') >= 3
    secret = "sk-very-secret-123456"
    made = admin.post(
        "/manage/providers/",
        {
            "name": "Covoit Voisin", "protocol": "rdex",
            "base_url": "https://api.voisin.example/rdex", "api_key": secret,
            "timeout_ms": 800, "enabled": "on",
        },
    )  # fmt: skip
    assert made.status_code == 302
    listing = admin.get("/manage/providers/").content.decode()
    assert "Covoit Voisin" in listing and secret not in listing and "…3456" in listing
    with schema_context(alpha.territory.schema_name):
        provider = Provider.objects.get()
    edit = admin.get(f"/manage/providers/{provider.pk}/").content.decode()
    assert secret not in edit
    kept = admin.post(
        f"/manage/providers/{provider.pk}/",
        {"name": "Voisin", "protocol": "rdex", "base_url": provider.base_url, "api_key": "",
         "timeout_ms": 800},
    )  # fmt: skip
    assert kept.status_code == 302
    with schema_context(alpha.territory.schema_name):
        provider.refresh_from_db()
        assert provider.api_key == secret and provider.name == "Voisin" and not provider.enabled
    # Only Alpha's admin, only Alpha's providers.
    assert alpha.client("citizen").get("/manage/providers/").status_code == 403
    assert beta.client("admin").get(f"/manage/providers/{provider.pk}/").status_code == 404
    assert "Voisin" not in beta.client("admin").get("/manage/providers/").content.decode()
    assert beta.client("admin").post(f"/manage/providers/{provider.pk}/delete/").status_code == 404
    assert admin.post(f"/manage/providers/{provider.pk}/delete/").status_code == 302
    with schema_context(alpha.territory.schema_name):
        assert not Provider.objects.exists()


def test_the_provider_form_refuses_an_address_inside_at_the_field(alpha):
    """The cloud's metadata service, a private network, plain http in production: a French
    error at the field, and nothing saved (nor called)."""
    admin = alpha.client("admin")
    fields = {"name": "Métadonnées", "protocol": "standard", "timeout_ms": 800, "enabled": "on"}
    cases = [
        (False, "http://169.254.169.254/latest/meta-data", "169.254.169.254 est une adresse"),
        (False, "https://10.0.0.7/sc", "10.0.0.7 est une adresse"),
        (True, "http://api.voisin.example/sc", "seules les adresses https://"),
    ]
    for https_only, url, said in cases:
        with override_settings(EGRESS_HTTPS_ONLY=https_only):
            response = admin.post("/manage/providers/", {**fields, "base_url": url})
        assert response.status_code == 400
        page = response.content.decode()
        field = page[page.index('id="id_base_url_error"') :][:400]
        assert "Adresse non autorisée\u00a0:" in field and said in field, field
    with schema_context(alpha.territory.schema_name):
        assert not Provider.objects.exists()


def test_the_sites_own_results_never_wait_for_partners(ride, alpha):
    """The page of results is served without asking any provider (they are asked by the
    request the page makes afterwards)."""
    with serving(standard_reply) as server:
        server.delay_s = 1.0
        add(alpha, "Lente", f"{server.url}/sc")
        page = alpha.client("citizen").get("/", SEARCH).content.decode()
    assert f"/rides/{ride.pk}/" in page and server.seen == []


def test_the_api_gives_the_same_journeys_to_members_only(alpha, beta):
    query = {
        "from_lon": ESCALDES.lon, "from_lat": ESCALDES.lat,
        "to_lon": ANDORRA_LA_VELLA.lon, "to_lat": ANDORRA_LA_VELLA.lat,
        "date": tomorrow_at(8).date().isoformat(), "time": "08:15", "window_minutes": 60,
    }  # fmt: skip
    with serving(standard_reply) as server:
        add(alpha, "Covoit Voisin", f"{server.url}/sc")
        found = alpha.client("citizen").get("/api/v1/search/partners/", query)
        elsewhere = beta.client("citizen").get("/api/v1/search/partners/", query)
        bad = alpha.client("citizen").get("/api/v1/search/partners/", {**query, "from_lat": "x"})
    assert found.status_code == 200, found.content
    [journey] = found.json()["journeys"]
    assert journey["provider"] == "Covoit Voisin" and journey["driver"] == "Núria"
    assert journey["price"] == "2.50" and journey["seats"] == 2
    assert journey["web_url"] == "https://other.example/journeys/j-1"
    assert found.json()["unavailable"] == []
    assert elsewhere.json() == {"journeys": [], "unavailable": []}  # Beta has no provider
    assert bad.status_code == 400 and "from_lat" in bad.json()["fields"]
    assert len(server.seen) == 1


def test_each_visitor_asks_the_providers_a_limited_number_of_times(alpha, monkeypatch):
    from interop import views

    monkeypatch.setattr(views, "SEARCHES_PER_MINUTE", 2)
    with serving(standard_reply) as server:
        add(alpha, "Covoit Voisin", f"{server.url}/sc")
        answers = [partner_results(alpha).status_code for _ in range(3)]
    assert answers == [200, 200, 429] and len(server.seen) == 2
