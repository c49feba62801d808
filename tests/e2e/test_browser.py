"""What people click through, in a real browser, on the demo archipel."""

import re
from urllib.parse import urlencode

import pytest
from django_tenants.utils import tenant_context

from demo.seed import (
    CROSS_TERRITORY_EMAIL,
    DEMO_PASSWORD,
    DEMO_TERRITORIES,
    SUPERUSER_EMAIL,
    demo_email,
)
from tenants.models import Territory
from tests.forms import SEARCH
from trips.models import Offer

from .conftest import screenshots, sign_in, territory_url, url
from .steps import assert_accessible, choose_place, fill_trip, publish, publish_ride, search

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def header_background(page) -> str:
    return page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def latest_mail_link(server, pattern: str) -> str:
    files = sorted(server["mail_dir"].glob("*.log"), key=lambda p: p.stat().st_mtime)
    assert files, "no e-mail was sent"
    match = re.search(pattern, files[-1].read_text())
    assert match, files[-1].read_text()
    return match.group(0)


def test_sign_up_on_one_territory_join_a_second_with_its_own_theme(page, demo_server):
    first, second = DEMO_TERRITORIES[0], DEMO_TERRITORIES[1]
    email = "nouvelle.personne@example.org"
    password = "un-mot-de-passe-solide"

    page.goto(territory_url(demo_server, first.slug, "/accounts/signup/"))
    page.fill("input[name=first_name]", "Nina")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.get_by_label("Je rejoins ce territoire").check()
    page.get_by_label("J’accepte la charte du territoire").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    link = latest_mail_link(demo_server, r"http://[^\s]+/accounts/confirm-email/[^\s]+/")
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert header_background(page) == rgb(first.theme["primary_colour"])

    # Same credentials on the second territory: consent screen, then membership.
    page.goto(territory_url(demo_server, second.slug, "/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/join/.*"))
    assert "Rejoindre Escaldes en commun" in page.locator("h1").inner_text()
    page.get_by_label("J’accepte la charte du territoire.").check()
    page.get_by_role("button", name="Rejoindre").click()
    page.wait_for_load_state()
    assert "Vous êtes maintenant membre" in page.locator(".messages").inner_text()
    assert header_background(page) == rgb(second.theme["primary_colour"])
    assert second.theme["display_name"] in page.locator(".brand").inner_text()
    footer = page.eval_on_selector(".site-footer", "e => getComputedStyle(e).backgroundColor")
    assert footer == rgb(second.theme["secondary_colour"])


def test_theme_preview_reports_contrast_live_and_server_refuses(page, demo_server):
    spec = DEMO_TERRITORIES[2]
    sign_in(page, demo_server, spec.slug, demo_email("admin", spec.slug))
    page.goto(territory_url(demo_server, spec.slug, "/manage/appearance/"))
    page.fill("#id_theme-primary_colour", "#f5a623")
    report = page.locator("#contrast-report")
    assert "insuffisant" in report.inner_text()
    preview_bg = page.eval_on_selector(
        ".preview-header", "e => getComputedStyle(e).backgroundColor"
    )
    assert preview_bg == rgb("#f5a623")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert "Le formulaire contient 2\xa0erreurs" in page.locator(".error-summary").inner_text()
    assert "Essayez #" in page.locator("main").inner_text()
    assert header_background(page) == rgb(spec.theme["primary_colour"])  # unchanged


def test_keyboard_skip_link_reaches_the_content(page, demo_server):
    page.goto(territory_url(demo_server, DEMO_TERRITORIES[0].slug))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


ANONYMOUS_PAGES = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/legal/",
    "/charter/",
    "/no-such-page/",
    "/ui/",
]
ADMIN_PAGES = [
    "/manage/",
    "/observatory/",
    "/observatory/access-log/",
    "/observatory/keys/",
    "/manage/members/",
    "/manage/appearance/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/notifications/",
    "/alerts/",
    "/account/data/",
    "/manage/archipel/",
    "/manage/partners/",
    "/manage/providers/",
    "/manage/export/",
    "/manage/moderation/",
    "/manage/moderation/log/",
    "/manage/charter/",
    "/reviews/",
    "/account/blocks/",
    "/account/reports/",
    "/account/phone/",
    "/rides/new/",
    "/my-trips/",
    "/?" + urlencode(SEARCH),  # search results
]
OPERATOR_PAGES = ["/solidarity/", "/solidarity/beneficiaries/", "/solidarity/volunteers/"]
VOLUNTEER_PAGES = ["/volunteer/", "/volunteer/availability/"]


@pytest.mark.parametrize("spec", DEMO_TERRITORIES, ids=lambda s: s.slug)
def test_every_page_passes_axe_with_each_demo_theme(page, demo_server, spec):
    for path in ANONYMOUS_PAGES:
        page.goto(territory_url(demo_server, spec.slug, path))
        assert_accessible(page, f"{spec.slug}{path}")

    sign_in(page, demo_server, spec.slug, demo_email("admin", spec.slug))
    for path in ADMIN_PAGES:
        page.goto(territory_url(demo_server, spec.slug, path))
        assert_accessible(page, f"{spec.slug}{path} (admin)")
    with tenant_context(Territory.objects.get(slug=spec.slug)):
        ride = Offer.objects.order_by("-departure_at").values_list("pk", flat=True).first()
    page.goto(territory_url(demo_server, spec.slug, f"/rides/{ride}/"))
    page.wait_for_selector(".leaflet-container svg path")
    assert_accessible(page, f"{spec.slug} ride page")
    page.goto(territory_url(demo_server, spec.slug, "/manage/members/"))
    page.get_by_role("link", name=re.compile("Modifier les rôles")).first.click()
    page.wait_for_load_state()
    assert_accessible(page, f"{spec.slug} member edit")
    page.goto(territory_url(demo_server, spec.slug, "/manage/appearance/"))
    page.fill("#id_theme-on_primary_colour", "#dddddd")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert_accessible(page, f"{spec.slug} appearance with errors")
    page.context.clear_cookies()

    sign_in(page, demo_server, spec.slug, demo_email("citizen", spec.slug))
    response = page.goto(territory_url(demo_server, spec.slug, "/manage/"))
    assert response.status == 403
    assert_accessible(page, f"{spec.slug} 403")
    page.context.clear_cookies()

    if spec.solidarity:
        for account, paths in (("operator", OPERATOR_PAGES), ("volunteer", VOLUNTEER_PAGES)):
            sign_in(page, demo_server, spec.slug, demo_email(account, spec.slug))
            for path in paths:
                page.goto(territory_url(demo_server, spec.slug, path))
                assert_accessible(page, f"{spec.slug}{path} ({account})")
            page.context.clear_cookies()


def test_consent_page_passes_axe(page, demo_server):
    sign_in(page, demo_server, "encamp", CROSS_TERRITORY_EMAIL)
    assert "/join/" in page.url
    assert_accessible(page, "encamp /join/")


def test_public_pages_pass_axe(page, demo_server):
    page.goto(url(demo_server, "localhost"))
    assert page.locator("a", has_text="Escaldes en commun").count() == 1  # its own name
    assert_accessible(page, "public home")
    response = page.goto(url(demo_server, "unknown.localhost"))
    assert response.status == 404
    assert_accessible(page, "unknown host")
    page.goto(url(demo_server, "localhost", "/admin/login/"))
    assert_accessible(page, "admin login")
    page.fill("input[name=username]", SUPERUSER_EMAIL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()
    for path in ["/admin/", "/admin/tenants/territory/", "/admin/core/user/"]:
        page.goto(url(demo_server, "localhost", path))
        assert_accessible(page, f"platform admin {path}")


def test_publish_search_book_accept_on_encamp(browser, demo_server):
    """A driver of Encamp offers a ride to Andorra la Vella tomorrow 08:00; a passenger from
    Escaldes finds it, sees pickup, detour and price, books; the driver accepts."""
    from datetime import date, timedelta

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    driver = browser.new_context(locale="fr-FR").new_page()
    sign_in(driver, demo_server, "encamp", demo_email("citizen", "encamp"))
    driver.goto(territory_url(demo_server, "encamp", "/rides/new/"))
    assert_accessible(driver, "publish form")
    fill_trip(driver, "Encamp", "Andorra la Vella", tomorrow, "08:00")
    publish(driver)
    driver.wait_for_url(re.compile(r".*/rides/\d+/$"))
    driver.wait_for_selector(".leaflet-container svg path")
    assert_accessible(driver, "ride detail (driver)")
    ride_url = driver.url

    passenger = browser.new_context(locale="fr-FR").new_page()
    sign_in(passenger, demo_server, "encamp", demo_email("volunteer", "encamp"))
    search(passenger, demo_server, "encamp", "les Escaldes", "Andorra la Vella", tomorrow, "08:15")
    result = passenger.locator(".results li").first
    text = result.inner_text()
    assert "Encamp → Andorra la Vella" in text and "€" in text and "min" in text
    assert_accessible(passenger, "search results")
    result.get_by_role("link").click()
    passenger.wait_for_load_state()
    assert_accessible(passenger, "ride detail (passenger)")
    passenger.get_by_role("button", name="Demander au conducteur").click()
    passenger.wait_for_url(re.compile(r".*/my-trips/$"))
    assert "en attente du conducteur" in passenger.locator("main").inner_text()
    assert_accessible(passenger, "my trips")
    # The driver's open page hears of the request at once: bell count and announced text.
    driver.wait_for_selector("#notification-badge:not([hidden])")
    assert "Nouvelle demande de réservation" in driver.locator("#live-notice").inner_text()
    assert_accessible(driver, "ride detail with a live notification")

    driver.goto(ride_url)
    driver.get_by_role("button", name="Accepter").click()
    driver.wait_for_load_state()
    passenger.reload()
    assert "acceptée" in passenger.locator("main").inner_text()
    # They talk live: the driver's open page shows the passenger's message without reloading.
    passenger.get_by_role("link", name="Conversation").first.click()
    passenger.wait_for_url(re.compile(r".*/conversation/$"))
    conversation_url = passenger.url
    driver.goto(conversation_url)
    assert_accessible(driver, "conversation")
    passenger.wait_for_timeout(500)  # both sockets open
    passenger.fill("#message-body", "Je serai devant la mairie <b>à 8h05</b>")
    passenger.get_by_role("button", name="Envoyer").click()
    driver.wait_for_selector("#messages li:has-text('devant la mairie')")
    assert "<b>à 8h05</b>" in driver.locator("#messages").inner_text()  # shown as text
    assert passenger.url == conversation_url  # sent over the socket, no page load
    passenger.goto(territory_url(demo_server, "encamp", "/my-trips/"))
    # The ride has not left: confirming it took place is not offered yet; cancelling asks twice.
    assert "Confirmer que le trajet a eu lieu" not in passenger.locator("main").inner_text()
    passenger.get_by_text("Annuler ma réservation").first.click()
    assert passenger.get_by_role("button", name="Oui, annuler ma réservation").is_visible()
    assert_accessible(passenger, "my trips with the cancel step open")
    driver.context.close()
    passenger.context.close()


def test_publish_a_weekly_ride_with_a_place_picked_on_the_map(browser, demo_server):
    """The publish form's weekly schedule, and a destination picked on the map of the roads."""
    from datetime import date, timedelta

    page = browser.new_context(locale="fr-FR").new_page()
    sign_in(page, demo_server, "encamp", demo_email("citizen", "encamp"))
    page.goto(territory_url(demo_server, "encamp", "/rides/new/"))
    assert page.locator("#id_valid_from").is_hidden()  # one-off by default
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert page.locator("#id_date").input_value() == tomorrow  # ISO, whatever the language
    page.get_by_label("Chaque semaine").check()
    assert page.locator("#id_date").is_hidden() and page.locator("#id_valid_from").is_visible()
    choose_place(page, "id_origin_0", "Encamp")
    choose_place(page, "id_destination_0", "Andorra la Vella")
    # Open the destination's map (centred on the place chosen) and click next to it.
    page.locator("#id_destination_0 ~ .place-map-toggle").click()
    pick_map = page.locator("#id_destination_0-map .pick-map")
    page.wait_for_selector("#id_destination_0-map .leaflet-tile-container canvas")
    assert page.locator("#id_destination_0-map .map-pin").count() == 1  # the place chosen
    assert_accessible(page, "publish form with the map open")
    box = pick_map.bounding_box()
    pick_map.click(position={"x": box["width"] / 2 + 30, "y": box["height"] / 2})
    page.locator("#id_destination_0-map .place-map-use").click()  # after seeing the name
    page.wait_for_function(
        "() => document.querySelector('#id_destination_0').value.endsWith('(Andorra la Vella)')"
    )
    assert page.locator("#id_destination_0-map .place-map-status").inner_text()
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    page.get_by_label("lundi", exact=True).check()
    page.get_by_label("jeudi", exact=True).check()
    page.fill("#id_time_thu", "17:45")
    page.fill("#id_valid_from", monday.isoformat())
    page.fill("#id_valid_until", (monday + timedelta(days=13)).isoformat())
    publish(page)
    page.wait_for_url(re.compile(r".*/rides/\d+/$"))
    assert "Trajet régulier publié\xa0: 4 départs" in page.locator("main").inner_text()
    assert "lundi à 08:00, jeudi à 17:45" in page.locator("main").inner_text()
    page.goto(territory_url(demo_server, "encamp", "/my-trips/"))
    assert "4 départs à venir" in page.locator("main").inner_text()
    assert_accessible(page, "my trips with a regular ride")
    page.context.close()


def test_operator_dispatches_and_a_volunteer_accepts_on_a_phone(browser, demo_server):
    """Encamp's operator takes Berthe's request for Thursday morning with a return, sees the
    volunteers ranked with their reasons, proposes to two; Núria accepts on her phone, Victor
    is released; the operator confirms."""
    from datetime import date, timedelta

    thursday = date.today() + timedelta(days=(3 - date.today().weekday()) % 7 or 7)
    operator = browser.new_context(locale="fr-FR").new_page()
    sign_in(operator, demo_server, "encamp", demo_email("operator", "encamp"))
    operator.goto(territory_url(demo_server, "encamp", "/solidarity/"))
    assert_accessible(operator, "dispatch board")
    operator.get_by_role("link", name="Bénéficiaires").first.click()
    operator.get_by_role("link", name=re.compile("Puig Berthe")).click()
    assert_accessible(operator, "beneficiary")
    operator.get_by_role("link", name="Nouvelle demande pour cette personne").click()
    assert_accessible(operator, "request form")
    operator.locator("#id_purpose").select_option(label="Rendez-vous médical")
    choose_place(operator, "id_destination_0", "Escaldes-Engordany")
    operator.fill("#id_date", thursday.isoformat())
    operator.locator("#id_timing").select_option(label="Le matin")
    operator.locator("#id_return_kind").select_option(
        label="le conducteur attend et ramène la personne"
    )
    operator.get_by_role("button", name="Créer la demande").click()
    operator.wait_for_load_state()
    assert "/solidarity/requests/" in operator.url, operator.locator("main").inner_text()
    ranked = operator.locator("ol.ranked li")
    assert ranked.count() >= 2
    assert "km de trajet depuis son domicile" in ranked.first.inner_text()
    assert "Núria" in ranked.first.inner_text()  # she lives in Canillo, next to Berthe
    # The map: pickup, destination and the ranked volunteers' approximate homes, numbered.
    operator.wait_for_selector("#request-map .leaflet-tile-container canvas")
    homes = operator.locator("#request-map .leaflet-marker-pane .map-pin-volunteer")
    assert homes.count() == ranked.count() and homes.first.inner_text() == "1"
    screenshots(operator, "solidarity-request")
    assert_accessible(operator, "request with ranked volunteers")
    operator.get_by_label("Núria").check()
    operator.get_by_label("Victor").check()
    operator.get_by_role("button", name="Proposer", exact=True).click()
    operator.wait_for_load_state()
    request_url = operator.url

    phone = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    nuria = phone.new_page()
    sign_in(nuria, demo_server, "encamp", demo_email("volunteer2", "encamp"))
    nuria.goto(territory_url(demo_server, "encamp", "/volunteer/"))
    card = nuria.locator(".card").first
    assert "Rendez-vous médical" in card.inner_text() and "+376" not in card.inner_text()
    assert_accessible(nuria, "volunteer page on a phone")
    nuria.get_by_role("button", name="Je le prends").click()
    nuria.wait_for_load_state()
    assert "+376 800 000" in nuria.locator("main").inner_text()  # now she may call Berthe
    nuria.wait_for_selector(".card .route-map .leaflet-tile-container canvas")  # where to go
    assert nuria.locator(".card .route-map .map-pin").count() == 2
    assert_accessible(nuria, "volunteer's trip with its map on a phone")
    screenshots(nuria, "volunteer-trip")
    nuria.goto(territory_url(demo_server, "encamp", "/volunteer/availability/"))
    assert_accessible(nuria, "availability")

    victor = browser.new_context(locale="fr-FR").new_page()
    sign_in(victor, demo_server, "encamp", demo_email("volunteer", "encamp"))
    victor.goto(territory_url(demo_server, "encamp", "/volunteer/"))
    assert "Rien à répondre" in victor.locator("main").inner_text()

    operator.goto(request_url)
    operator.get_by_role("button", name="Confirmer le·la bénévole").click()
    operator.wait_for_load_state()
    assert "confirmée" in operator.locator("main").inner_text()
    for page in (operator, nuria, victor):
        page.context.close()


def test_data_officer_reads_the_dashboard_with_chart_and_map_and_downloads(page, demo_server):
    """The demo's six weeks of history, seen by Encamp's data officer."""
    import io
    import zipfile
    from datetime import date, timedelta

    sign_in(page, demo_server, "encamp", demo_email("data", "encamp"))
    first = (date.today() - timedelta(days=42)).isoformat()
    last = date.today().isoformat()
    page.goto(
        territory_url(demo_server, "encamp", f"/observatory/?kind=custom&first={first}&last={last}")
    )
    page.wait_for_selector("#flows-map svg path")
    assert page.locator("#flows-map svg path").count() >= 3  # areas and flow lines
    assert page.locator("#flows-map .leaflet-tile-container canvas").count()  # the base map
    timeline, hours = page.locator("svg.chart").all()
    assert timeline.locator("rect.bar").count() == 43  # one bar per day of the period
    bars = hours.locator("rect.bar")
    assert bars.count() == 24
    assert (
        sum(1 for h in bars.evaluate_all("els => els.map(e => +e.getAttribute('height'))") if h)
        >= 3
    )
    row = page.locator("tr", has_text="Véhicules-km évités").first.inner_text()
    assert re.search(r"\d", row.split("\t")[1])  # a figure, not "< 11"
    assert_accessible(page, "observatory dashboard with data")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").first.click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    assert any(n.endswith(".metadata.json") for n in archive.namelist())


def test_book_a_ride_of_a_neighbouring_territory_joining_it_on_the_way(browser, demo_server):
    """A passenger of Escaldes-Engordany finds, on their own site, a ride published on
    Encamp's site, and books it there with the same account, joining Encamp in the flow."""
    from datetime import date, timedelta

    day = (date.today() + timedelta(days=2)).isoformat()
    encamp = next(t for t in DEMO_TERRITORIES if t.slug == "encamp").theme["display_name"]
    driver = browser.new_context(locale="fr-FR").new_page()
    sign_in(driver, demo_server, "encamp", demo_email("citizen", "encamp"))
    ride_url = publish_ride(
        driver, demo_server, "encamp", "Encamp", "Andorra la Vella", day, "09:30"
    )
    ride_path = re.sub(r"^https?://[^/]+", "", ride_url)

    passenger = browser.new_context(locale="fr-FR").new_page()
    sign_in(
        passenger, demo_server, "escaldes-engordany", demo_email("citizen", "escaldes-engordany")
    )
    search(
        passenger,
        demo_server,
        "escaldes-engordany",
        "les Escaldes",
        "Andorra la Vella",
        day,
        "09:45",
    )
    result = passenger.locator(".results li", has_text=f"Publié sur {encamp}").first
    assert_accessible(passenger, "search results with a neighbour's ride")
    result.get_by_role("link").first.click()
    passenger.wait_for_url(re.compile(r"http://encamp\.localhost:\d+" + re.escape(ride_path)))
    passenger.get_by_role("button", name="Demander au conducteur").click()
    passenger.wait_for_url(re.compile(r".*/accounts/login/.*"))  # sessions are per site
    passenger.fill("input[name=login]", demo_email("citizen", "escaldes-engordany"))
    passenger.fill("input[name=password]", DEMO_PASSWORD)
    passenger.locator("main form button[type=submit]").first.click()
    passenger.wait_for_url(re.compile(r".*/join/.*"))
    assert_accessible(passenger, "join consent inside the booking flow")
    passenger.get_by_label("J’accepte la charte du territoire.").check()
    passenger.get_by_role("button", name=re.compile("Rejoindre")).click()
    passenger.wait_for_url(re.compile(re.escape(ride_path) + r"\?"))
    passenger.get_by_role("button", name="Demander au conducteur").click()
    passenger.wait_for_url(re.compile(r".*/my-trips/$"))
    assert "encamp.localhost" in passenger.url
    assert "en attente du conducteur" in passenger.locator("main").inner_text()
    passenger.goto(territory_url(demo_server, "escaldes-engordany", "/my-trips/"))
    assert f"Sur {encamp}, un autre site de l" in passenger.locator("main").inner_text()
    assert_accessible(passenger, "my trips with a booking on another site")
    driver.context.close()
    passenger.context.close()


def test_partner_platforms_journeys_arrive_after_the_results(page, demo_server):
    """Encamp's admin adds another platform (a real HTTP server on loopback speaking standard
    covoiturage); a search shows the site's results first, then the partner's journeys
    arrive in the page, labelled and linked; the page stays accessible; the admin removes it."""
    from urllib.parse import urlencode

    from tests.forms import SEARCH
    from tests.interop.loopback import serving
    from tests.interop.providers import standard_reply

    with serving(standard_reply) as server:
        sign_in(page, demo_server, "encamp", demo_email("admin", "encamp"))
        page.goto(territory_url(demo_server, "encamp", "/manage/providers/"))
        page.get_by_label("Nom").fill("Covoit Voisin")
        page.get_by_label("Standard").select_option("standard")
        page.get_by_label("URL de base de l’API").fill(f"{server.url}/sc")
        page.get_by_role("button", name="Ajouter").click()
        page.wait_for_load_state()
        assert "Plateforme ajoutée" in page.locator("main").inner_text()
        try:
            page.goto(territory_url(demo_server, "encamp", "/?" + urlencode(SEARCH)))
            page.wait_for_selector("#partner-journeys .card.external")
            link = page.get_by_role("link", name="Trajet avec Núria sur Covoit Voisin")
            assert link.get_attribute("href") == "https://other.example/journeys/j-1"
            assert "Publié sur Covoit Voisin" in page.locator("#partner-journeys").inner_text()
            assert_accessible(page, "search results with partner platforms")
        finally:
            page.goto(territory_url(demo_server, "encamp", "/manage/providers/"))
            page.get_by_role("button", name="Retirer Covoit Voisin").click()
            page.wait_for_load_state()
    assert "Plateforme retirée" in page.locator("main").inner_text()
    assert len(server.seen) == 1


def test_report_then_moderation_action(browser, demo_server, django_db_blocker):
    """On Andorra la Vella: a citizen reports a member from their profile; the report reaches
    the moderation desk; the admin suspends the person with a reason; the person is told and
    can no longer publish there. (The measure is lifted at the end: the demo stays usable.)"""
    from datetime import date, timedelta

    from django.contrib.auth import get_user_model

    slug = "andorra-la-vella"
    reported_email = demo_email("resident1", slug)
    with django_db_blocker.unblock():
        reported = get_user_model().objects.get(email=reported_email)

    citizen = browser.new_context(locale="fr-FR").new_page()
    sign_in(citizen, demo_server, slug, demo_email("citizen", slug))
    citizen.goto(territory_url(demo_server, slug, f"/people/{reported.pk}/"))
    assert_accessible(citizen, "profile")
    citizen.get_by_role("link", name=f"Signaler {reported.display_name}").click()
    citizen.wait_for_url(re.compile(r".*/report/\?person=\d+"))
    assert_accessible(citizen, "report form")
    citizen.get_by_label("Conduite ou comportement dangereux").check()
    citizen.get_by_label("Ce qui s’est passé").fill("Il roulait à 130 dans le village.")
    citizen.get_by_role("button", name="Envoyer le signalement").click()
    citizen.wait_for_url(re.compile(r".*/account/reports/$"))
    assert "en attente d’un modérateur" in citizen.locator("main").inner_text()

    admin = browser.new_context(locale="fr-FR").new_page()
    sign_in(admin, demo_server, slug, demo_email("admin", slug))
    admin.goto(territory_url(demo_server, slug, "/manage/moderation/"))
    assert_accessible(admin, "moderation desk")
    admin.get_by_role("link", name=re.compile(reported.display_name)).first.click()
    admin.wait_for_url(re.compile(r".*/manage/moderation/reports/\d+/$"))
    assert "Il roulait à 130" in admin.locator("main").inner_text()
    assert_accessible(admin, "report under examination")
    admin.get_by_label("Suspendre la personne sur ce territoire").check()
    admin.get_by_label("Jours de suspension").fill("7")
    admin.get_by_label("Motif").fill("Vitesse excessive en agglomération")
    admin.get_by_role("button", name="Enregistrer la décision").click()
    admin.wait_for_url(re.compile(r".*/manage/moderation/$"))
    assert "Décision enregistrée" in admin.locator(".messages").inner_text()
    assert "Vitesse excessive" in admin.locator("main").inner_text()  # measures in force

    citizen.reload()
    assert "la personne a été suspendue" in citizen.locator("main").inner_text()

    person = browser.new_context(locale="fr-FR").new_page()
    sign_in(person, demo_server, slug, reported_email)
    person.goto(territory_url(demo_server, slug, "/notifications/"))
    assert "Vitesse excessive en agglomération" in person.locator("main").inner_text()
    person.goto(territory_url(demo_server, slug, "/rides/new/"))
    fill_trip(
        person,
        "Andorra la Vella",
        "Encamp",
        (date.today() + timedelta(days=2)).isoformat(),
        "07:30",
    )
    publish(person)
    person.wait_for_load_state()
    assert "suspendu sur ce territoire" in person.locator("main").inner_text()
    assert_accessible(person, "publish form refused")

    admin.get_by_label("Motif de la levée").first.fill("Fin du test")
    admin.get_by_role("button", name="Lever").first.click()
    admin.wait_for_load_state()
    assert "La mesure est levée" in admin.locator(".messages").inner_text()
    for page in (citizen, admin, person):
        page.context.close()
