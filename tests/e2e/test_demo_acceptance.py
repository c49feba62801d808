"""Issue 7's acceptance on the demo archipel itself (as `make run` loads it): the demo MaaS app
of Andorra la Vella searches driver journeys with its published key and books a seat that
the driver accepts on the site; a person downloads their data and deletes their account.
(The cross-territory booking is the browser test of tests/e2e/test_browser.py.)"""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context

from demo.seed import DEMO_PARTNER_KEY, DEMO_PASSWORD, demo_email, demo_host
from tenants.models import Territory
from tests.factories import ANDORRA_LA_VELLA, ESCALDES, tomorrow_at
from trips.models import Booking
from trips.services.rides import offer_publish

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
SLUG = "andorra-la-vella"
PREFIX = "/interop/standard-covoiturage/v1"


def signed_in(email: str) -> Client:
    client = Client(HTTP_HOST=demo_host(SLUG))
    assert (
        client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD}).status_code
        == 302
    )
    return client


def test_the_demo_maas_app_books_a_ride_the_driver_accepts(demo_server):
    schema = Territory.objects.get(slug=SLUG).schema_name
    driver = get_user_model().objects.get(email=demo_email("citizen", SLUG))
    with schema_context(schema):
        ride = offer_publish(
            driver=driver,
            origin=ANDORRA_LA_VELLA,
            destination=ESCALDES,
            departure_at=tomorrow_at(7, 40),
        )
    maas = Client(HTTP_HOST=demo_host(SLUG), HTTP_X_API_KEY=DEMO_PARTNER_KEY)
    search = {
        "departureLat": ANDORRA_LA_VELLA.lat, "departureLng": ANDORRA_LA_VELLA.lon,
        "arrivalLat": ESCALDES.lat, "arrivalLng": ESCALDES.lon,
        "departureDate": int(tomorrow_at(7, 45).timestamp()),
    }  # fmt: skip
    found = maas.get(f"{PREFIX}/driver_journeys", search)
    assert found.status_code == 200, found.content
    journey = next(j for j in found.json() if j["id"] == str(ride.pk))
    booking_id = str(uuid.uuid4())
    body = {
        "id": booking_id,
        "driver": journey["driver"],
        "passenger": {"id": "maas-42", "alias": "Zoé", "operator": "maas.demo.example"},
        "status": "WAITING_CONFIRMATION",
        "passengerPickupDate": journey["passengerPickupDate"],
        "passengerPickupLat": journey["passengerPickupLat"],
        "passengerPickupLng": journey["passengerPickupLng"],
        "passengerDropLat": journey["passengerDropLat"],
        "passengerDropLng": journey["passengerDropLng"],
        "price": journey["price"],
        "driverJourneyId": journey["id"],
    }
    created = maas.post(f"{PREFIX}/bookings", json.dumps(body), "application/json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "WAITING_CONFIRMATION"
    with schema_context(schema):
        booking = Booking.objects.get(offer=ride)
    # The driver accepts it on the site, as any other request.
    accepted = signed_in(driver.email).post(f"/bookings/{booking.pk}/accept/")
    assert accepted.status_code == 302
    status = maas.get(f"{PREFIX}/bookings/{booking_id}").json()["status"]
    assert status == "CONFIRMED"


def test_a_demo_person_exports_then_deletes_their_account(demo_server):
    email = demo_email("data", SLUG)
    person = get_user_model().objects.get(email=email)
    client = signed_in(email)
    export = client.get("/account/data/export.json")
    assert export.status_code == 200
    assert export.json()["profile"]["email"] == email
    gone = client.post("/account/data/", {"password": DEMO_PASSWORD, "confirm": "on"})
    assert gone.status_code == 302
    person.refresh_from_db()
    assert person.deleted_at and person.email is None
    assert person.display_name == "utilisateur supprimé"
    login = {"login": email, "password": DEMO_PASSWORD}
    assert Client(HTTP_HOST=demo_host(SLUG)).post("/accounts/login/", login).status_code != 302


def test_the_demo_moderators_see_the_seeded_abusive_pattern(demo_server):
    """Issue 8's acceptance: the registry-rule signals appear for the demo's seeded pattern."""
    from trust.rules import patterns_found

    resident = get_user_model().objects.get(email=demo_email("resident0", SLUG))
    with schema_context(Territory.objects.get(slug=SLUG).schema_name):
        found = {s.rule: s.explanation for s in patterns_found() if s.user_id == resident.pk}
    assert {"journeys_per_day", "close_journeys"} <= set(found)
    assert found["journeys_per_day"].startswith("5 trajets le")
    admin = signed_in(demo_email("admin", SLUG))
    assert found["close_journeys"] in admin.get("/manage/moderation/").content.decode()


def test_on_the_demo_both_sides_review_and_the_reputation_verifies(demo_server):
    """Issue 8's acceptance: after a completed journey of the demo both sides leave reviews;
    the passenger exports their reputation and its signature verifies with the published key."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.reputation import verify_reputation
    from trips.models import Journey

    with schema_context(Territory.objects.get(slug=SLUG).schema_name):
        journey = (
            Journey.objects.filter(
                kind="carpool", dropoff_at__gte=timezone.now() - timedelta(days=10)
            )
            .select_related("driver", "passenger")
            .order_by("-pickup_at")
            .first()
        )
    driver, passenger = signed_in(journey.driver.email), signed_in(journey.passenger.email)
    url = f"/journeys/{journey.pk}/review/"
    review = {"text": "Trajet agréable, conducteur ponctuel", "on_time": "yes"}
    assert passenger.post(url, {**review, "safe_driving": "yes"}).status_code == 302
    assert driver.post(url, {"text": "Passager à l'heure", "on_time": "yes"}).status_code == 302
    again = driver.post(url, {"text": "Encore"}, follow=True)
    assert "déjà donné votre avis" in again.content.decode()  # a second review is refused
    document = passenger.get("/account/reputation.json").json()
    keys = Client(HTTP_HOST=demo_host(SLUG)).get("/.well-known/jwks.json").json()
    payload = verify_reputation(document, keys)
    assert "Passager à l'heure" in [r["text"] for r in payload["reviews"]]
    assert payload["journeys"]["as_passenger"] >= 1
