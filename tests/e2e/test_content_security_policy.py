"""The Content-Security-Policy in a real browser: the main pages report no violation (neither
the `securitypolicyviolation` event nor chromium's console), and what they run still works —
the maps drawn by Leaflet, the receipt's print button, Swagger UI."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tenants.utils import schema_context

from demo.seed import demo_email
from matching.network import Place
from solidarity.models import Beneficiary, Purpose, Request, Volunteer
from solidarity.services.requests import request_create
from tenants.models import Territory
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, tomorrow_at
from tests.forms import SEARCH
from trips.models import Offer
from trips.services.rides import offer_publish

from .conftest import sign_in, territory_url, url

# The rows the server must see are written by module fixtures, before each test's transaction.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
SLUG = "encamp"

# Recorded before any script of the page runs (the driver's init scripts are not the page's).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def watched(browser):
    """A page whose CSP violations are collected, with chromium's console messages about CSP."""
    context = browser.new_context(locale="fr-FR")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    console = []

    def note(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            console.append(message.text)

    page.on("console", note)
    page.csp_console = console
    yield page
    context.close()


def assert_no_violation(page, where: str) -> None:
    assert page.evaluate("window.__violations") == [], where
    assert page.csp_console == [], where


@pytest.fixture(scope="module")
def encamp_schema(demo_server, django_db_blocker):
    with django_db_blocker.unblock():
        return Territory.objects.get(slug=SLUG).schema_name


@pytest.fixture(scope="module")
def encamp_ride(encamp_schema, django_db_blocker):
    """Encamp → Andorra la Vella tomorrow at 08:00 on Encamp's site, withdrawn afterwards."""
    with django_db_blocker.unblock(), schema_context(encamp_schema):
        driver = get_user_model().objects.get(email=demo_email("citizen", SLUG))
        ride = offer_publish(
            driver=driver, origin=ENCAMP, destination=ANDORRA_LA_VELLA, departure_at=tomorrow_at(8)
        )
    yield ride
    with django_db_blocker.unblock(), schema_context(encamp_schema):
        Offer.objects.filter(pk=ride.pk).update(status=Offer.Status.CANCELLED)


@pytest.fixture(scope="module")
def receipt(encamp_schema, django_db_blocker):
    """A solidarity trip Núria drove for Berthe, done; removed afterwards."""
    with django_db_blocker.unblock(), schema_context(encamp_schema):
        berthe = Beneficiary.objects.get(last_name="Puig")
        # Eight days on: test_browser.py gives the same volunteer a trip next Thursday (one to
        # seven days from now), which a trip tomorrow overlapped when run on a Wednesday.
        start = timezone.now() + timedelta(days=8)
        trip = request_create(
            operator=get_user_model().objects.get(email=demo_email("operator", SLUG)),
            beneficiary=berthe,
            purpose=Purpose.objects.filter(structure=berthe.structure).first(),
            destination=Place(ESCALDES.lon, ESCALDES.lat, ESCALDES.label),
            window_start=start,
            window_end=start + timedelta(hours=1),
        )
        Request.objects.filter(pk=trip.pk).update(
            status=Request.Status.DONE,
            volunteer=Volunteer.objects.get(user__email=demo_email("volunteer2", SLUG)),
            actual_km=12.5,
            actual_minutes=40,
            indemnity=4,
        )
    yield trip
    with django_db_blocker.unblock(), schema_context(encamp_schema):
        Request.objects.filter(pk=trip.pk).delete()


def test_search_results_and_ride_maps_run_within_the_policy(watched, demo_server, encamp_ride):
    page = watched
    page.goto(territory_url(demo_server, SLUG, "/"))
    assert_no_violation(page, "home")

    page.goto(territory_url(demo_server, SLUG, "/?" + urlencode(SEARCH)))
    assert page.locator("ol.results .card").count() >= 1, page.locator("main").inner_text()
    # The place picker's map: Leaflet and the base map loaded on demand, its tiles drawn.
    page.locator(".search-again > summary").click()  # the search, folded above the results
    page.locator("#id_origin_0 ~ .place-map-toggle").click()
    page.wait_for_selector("#id_origin_0-map .leaflet-tile-container canvas")
    assert_no_violation(page, "search results with the map open")

    page.locator("ol.results .card h3 a").first.click()
    page.wait_for_url(re.compile(r".*/rides/\d+/.*"))
    page.wait_for_selector("#route-map svg path")  # the ride's route, drawn
    page.wait_for_selector("#route-map .leaflet-tile-container canvas")  # on the base map
    assert_no_violation(page, "a ride's page with its map")


def test_the_receipt_prints_within_the_policy(watched, demo_server, receipt):
    page = watched
    sign_in(page, demo_server, SLUG, demo_email("operator", SLUG))
    page.goto(territory_url(demo_server, SLUG, f"/solidarity/requests/{receipt.pk}/receipt/"))
    page.evaluate("() => { window.print = () => { window.__printed = true; }; }")
    page.get_by_role("button", name="Imprimer").click()
    assert page.evaluate("window.__printed === true")
    assert_no_violation(page, "receipt")


def test_swagger_ui_runs_within_the_policy(watched, demo_server):
    page = watched
    page.goto(territory_url(demo_server, SLUG, "/api/docs/"))
    page.wait_for_selector(".swagger-ui .opblock")  # the operations, read from the schema
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Archipel API")
    assert_no_violation(page, "/api/docs/")


def test_public_site_and_admin_sign_in_within_the_policy(watched, demo_server):
    page = watched
    page.goto(url(demo_server, "localhost"))
    page.goto(url(demo_server, "localhost", "/admin/login/"))
    assert_no_violation(page, "public site and admin sign-in")
