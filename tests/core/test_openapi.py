"""The territory's own API (/api/v1/) does what its OpenAPI schema (/api/schema/) says:
schemathesis generates valid and invalid requests for every operation, sent as a signed-in
member of a territory with rides, bookings and alerts (session cookie and CSRF token, as a
browser app sends them), and every answer is checked — no 500, only documented status codes,
the documented content type and body, invalid input refused. A few valid requests written by
hand (a ride on the territory's roads, a day within its horizon) check the answers of
success too."""

import os
from datetime import time, timedelta

import pytest
from django.core.cache import cache

from tests.conformance import run_conformance
from tests.factories import ANDORRA_LA_VELLA, CANILLO, ENCAMP, ESCALDES, book, tomorrow_at
from trips.alerts import alert_create
from trips.services.regular import regular_ride_publish
from trips.services.rides import offer_publish

pytestmark = pytest.mark.django_db
# Per operation and per kind (valid, invalid): about 35 s for the 31 operations here.
EXAMPLES = int(os.environ.get("OPENAPI_EXAMPLES", 25))


@pytest.fixture
def territory_with_data(in_alpha, ride):
    """Alpha's admin drives a ride and a weekly ride, books a seat on the driver's ride and
    keeps an alert; Alpha's citizen books the admin's ride. The driver has a second ride."""
    admin, today = in_alpha["admin"], tomorrow_at(7).date() - timedelta(days=1)
    own = offer_publish(
        driver=admin, origin=CANILLO, destination=ANDORRA_LA_VELLA, departure_at=tomorrow_at(9)
    )
    weekly = regular_ride_publish(
        driver=admin,
        origin=ENCAMP,
        destination=ESCALDES,
        departure_times=[time(7, 30)] * 5 + [None, None],
        valid_from=today + timedelta(days=1),
        valid_until=today + timedelta(days=20),
    )
    later = offer_publish(
        driver=in_alpha["driver"],
        origin=ENCAMP,
        destination=ANDORRA_LA_VELLA,
        departure_at=tomorrow_at(17),
    )
    alert = alert_create(
        passenger=admin,
        origin=ESCALDES,
        destination=ANDORRA_LA_VELLA,
        days=[0, 1, 2],
        earliest=time(7),
        latest=time(9),
        seats=1,
        expires_on=today + timedelta(days=30),
    )
    return {
        "own": own,
        "weekly": weekly,
        "later": later,
        "alert": alert,
        "asked": book(own, in_alpha["citizen"], pickup=ENCAMP),
        "mine": book(ride, admin),
        "today": today,
    }


def place(p) -> dict:
    return {"lon": p.lon, "lat": p.lat, "label": p.label}


def known_requests(data) -> list:
    """Valid requests that reach the success answer of their operation."""
    tomorrow = (data["today"] + timedelta(days=1)).isoformat()
    trip = {
        "from_lon": ESCALDES.lon,
        "from_lat": ESCALDES.lat,
        "to_lon": ANDORRA_LA_VELLA.lon,
        "to_lat": ANDORRA_LA_VELLA.lat,
        "date": tomorrow,
        "time": "08:15",
    }
    ride = {"origin": place(ENCAMP), "destination": place(ANDORRA_LA_VELLA)}
    return [
        ("GET", "/api/v1/search/", {"query": trip}),
        ("GET", "/api/v1/search/partners/", {"query": trip}),
        ("POST", "/api/v1/offers/", {"body": {**ride, "departure_at": f"{tomorrow}T10:00"}}),
        (
            "POST",
            "/api/v1/regular-rides/",
            {
                "body": {
                    **ride,
                    "schedule": {"mon": "07:45", "thu": "08:10"},
                    "valid_from": tomorrow,
                    "valid_until": (data["today"] + timedelta(days=30)).isoformat(),
                }
            },
        ),
        (
            "POST",
            "/api/v1/bookings/",
            {
                "body": {
                    "offer": data["later"].pk,
                    "pickup": place(ESCALDES),
                    "dropoff": place(ANDORRA_LA_VELLA),
                }
            },
        ),
        (
            "POST",
            "/api/v1/alerts/",
            {
                "body": {
                    "origin": place(CANILLO),
                    "destination": place(ENCAMP),
                    "days": ["mon", "fri"],
                    "earliest": "17:00",
                    "latest": "18:30",
                    "expires_on": (data["today"] + timedelta(days=60)).isoformat(),
                }
            },
        ),
        (
            "PATCH",
            "/api/v1/offers/{id}/",
            {"path_parameters": {"id": data["own"].pk}, "body": {"comment": "Parking P2"}},
        ),
        (
            "POST",
            "/api/v1/bookings/{id}/accept/",
            {"path_parameters": {"id": data["asked"].pk}, "body": {}},
        ),
        (
            "GET",
            "/api/v1/observatory/{name}/",
            {"path_parameters": {"name": "flows"}, "query": {"kind": "year", "level": "epci"}},
        ),
        ("GET", "/api/v1/members/", {"query": {"role": "citizen", "limit": 2, "offset": 1}}),
        ("GET", "/api/v1/regular-rides/{id}/", {"path_parameters": {"id": data["weekly"].pk}}),
        ("GET", "/api/v1/alerts/{id}/", {"path_parameters": {"id": data["alert"].pk}}),
        ("POST", "/api/v1/notifications/read/", {"body": {}}),
    ]


def session_of(client) -> tuple[str, str]:
    """What a browser holds once signed in: its session cookie and its CSRF token."""
    client.get("/rides/new/")  # a page with a form sets the CSRF cookie
    return client.cookies["sessionid"].value, client.cookies["csrftoken"].value


def test_the_api_does_what_its_schema_says(territory_with_data, alpha):
    client = alpha.client("admin")
    raw = client.get("/api/schema/", {"format": "json"}).json()
    session, csrf = session_of(client)
    outcome = run_conformance(
        raw,
        "http://localhost",
        examples=EXAMPLES,
        auth={"cookieAuth": session, "csrfToken": csrf},
        cookies={"csrftoken": csrf},
        host=alpha.host,
        before_each=cache.clear,  # rate limits: every request is judged on its own
        known=known_requests(territory_with_data),
    )
    print(outcome.summary())
    assert outcome.failures == [], "\n\n".join(outcome.failures[:20])
    assert len(outcome.seen) == 31  # every operation answered
    assert outcome.not_generated == ["[negative] GET /api/v1/territory/"]  # nothing to spoil
    assert all(200 <= status < 300 for status in outcome.known.values()), outcome.known
