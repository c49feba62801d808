"""The rides and bookings API: the whole flow, JSON errors, and isolation between territories."""

import json

import pytest
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, tomorrow_at
from trips.models import Booking

ESCALDES_TO_ANDORRA_LA_VELLA = {
    "from_lon": ESCALDES.lon,
    "from_lat": ESCALDES.lat,
    "to_lon": ANDORRA_LA_VELLA.lon,
    "to_lat": ANDORRA_LA_VELLA.lat,
    "date": tomorrow_at(8).date().isoformat(),
    "time": "08:15",
    "window_minutes": 60,
}


def place(p):
    return {"lon": p.lon, "lat": p.lat, "label": p.label}


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def clients(alpha):
    return {role: alpha.client(role) for role in ("driver", "citizen")}


def publish(client, **changes):
    body = {
        "origin": place(ENCAMP),
        "destination": place(ANDORRA_LA_VELLA),
        "departure_at": tomorrow_at(8).isoformat(),
        "seats": 2,
        **changes,
    }
    return post(client, "/api/v1/offers/", body)


def test_publish_search_book_accept(alpha, clients):
    response = publish(clients["driver"])
    assert response.status_code == 201, response.json()
    offer = response.json()
    assert offer["route"]["type"] == "LineString" and offer["seats_left"] == 2

    results = (
        clients["citizen"]
        .get(
            "/api/v1/search/",
            ESCALDES_TO_ANDORRA_LA_VELLA,
        )
        .json()
    )
    assert [r["offer"]["id"] for r in results] == [offer["id"]]
    assert {"pickup_at", "detour_minutes", "price", "reason"} <= set(results[0])

    booking = post(
        clients["citizen"],
        "/api/v1/bookings/",
        {"offer": offer["id"], "pickup": place(ESCALDES), "dropoff": place(ANDORRA_LA_VELLA)},
    )
    assert booking.status_code == 201, booking.json()
    booking_id = booking.json()["id"]
    assert booking.json()["status"] == "pending"
    # The passenger cannot accept their own request; the driver can.
    assert post(clients["citizen"], f"/api/v1/bookings/{booking_id}/accept/", {}).status_code == 409
    accepted = post(clients["driver"], f"/api/v1/bookings/{booking_id}/accept/", {})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = post(clients["driver"], f"/api/v1/bookings/{booking_id}/accept/", {})
    assert again.status_code == 409 and again.json()["error"]
    driver_view = clients["driver"].get("/api/v1/bookings/").json()
    assert [b["id"] for b in driver_view] == [booking_id]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"seats": 12}, "seats"),
        ({"departure_at": "yesterday"}, "departure_at"),
        ({"departure_at": "2020-01-01T08:00:00Z"}, "departure_at"),
        ({"origin": {"lon": "east", "lat": 42.5}}, "origin"),
        ({"origin": {"lon": 2.35, "lat": 48.85}}, "origin"),
        ({"destination": place(ENCAMP)}, "destination"),
        ({"cost_per_km": "0.900"}, "cost_per_km"),
    ],
)
def test_bad_offers_get_400_naming_the_field(alpha, clients, changes, field):
    response = publish(clients["driver"], **changes)
    assert response.status_code == 400
    body = response.json()
    assert field in body["fields"] and body["error"]
    with schema_context(alpha.territory.schema_name):
        from trips.models import Offer

        assert not Offer.objects.exists()


def test_full_ride_and_own_ride_are_409(alpha, clients):
    offer = publish(clients["driver"], seats=1).json()
    body = {"offer": offer["id"], "pickup": place(ESCALDES), "dropoff": place(ANDORRA_LA_VELLA)}
    assert post(clients["driver"], "/api/v1/bookings/", body).status_code == 409
    assert post(clients["citizen"], "/api/v1/bookings/", body).status_code == 201
    full = post(alpha.client("data"), "/api/v1/bookings/", body)
    assert full.status_code == 409 and full.json()["field"] == "seats"


def test_unknown_ride_is_400_and_malformed_json_is_400(clients):
    body = {"offer": 999999, "pickup": place(ESCALDES), "dropoff": place(ANDORRA_LA_VELLA)}
    assert post(clients["citizen"], "/api/v1/bookings/", body).status_code == 400
    broken = clients["citizen"].post("/api/v1/bookings/", "{nope", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"]


def test_search_limit_is_checked(clients):
    for bad in (0, 101, "x"):
        query = {**ESCALDES_TO_ANDORRA_LA_VELLA, "limit": bad}
        response = clients["citizen"].get("/api/v1/search/", query)
        assert response.status_code == 400 and "limit" in response.json()["fields"]


def test_territories_never_see_each_other_rides_or_bookings(alpha, beta, clients):
    offer = publish(clients["driver"]).json()
    booking = post(
        clients["citizen"],
        "/api/v1/bookings/",
        {"offer": offer["id"], "pickup": place(ESCALDES), "dropoff": place(ANDORRA_LA_VELLA)},
    ).json()
    beta_member = beta.client("citizen")
    assert beta_member.get(f"/api/v1/offers/{offer['id']}/").status_code == 404
    assert beta_member.get("/api/v1/bookings/").json() == []
    assert post(beta_member, f"/api/v1/bookings/{booking['id']}/cancel/", {}).status_code == 404
    # Searching only Beta finds nothing; the archipel's shared search shows Alpha's ride as
    # Alpha's, to be booked on Alpha's site (see tests/trips/test_federation.py).
    only_beta = {**ESCALDES_TO_ANDORRA_LA_VELLA, "federated": "false"}
    assert beta_member.get("/api/v1/search/", only_beta).json() == []
    [shared] = beta_member.get("/api/v1/search/", ESCALDES_TO_ANDORRA_LA_VELLA).json()
    assert shared["territory"]["slug"] == "alpha" and shared["offer"]["id"] == offer["id"]
    # Another member of Alpha who is neither driver nor passenger gets 404 too.
    assert (
        post(alpha.client("data"), f"/api/v1/bookings/{booking['id']}/cancel/", {}).status_code
        == 404
    )
    with schema_context(alpha.territory.schema_name):
        assert Booking.objects.get(pk=booking["id"]).status == "pending"


def test_non_members_and_anonymous_are_refused(alpha, beta):
    from django.test import Client

    assert Client(HTTP_HOST=alpha.host).get("/api/v1/bookings/").status_code == 403
    outsider = Client(HTTP_HOST=alpha.host)
    outsider.post(
        "/accounts/login/", {"login": beta.email("citizen"), "password": "correct-horse-battery"}
    )
    assert outsider.get("/api/v1/offers/").status_code == 403


def test_openapi_schema_and_docs_are_served_without_cdn(alpha):
    client = alpha.client("citizen")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/offers/", "/api/v1/search/", "/api/v1/bookings/{id}/accept/"):
        assert path in schema
    docs = client.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower() and "cdn" not in docs.lower()


anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
offer_keys = st.sampled_from(
    [
        "origin",
        "destination",
        "departure_at",
        "seats",
        "margin_minutes",
        "cost_per_km",
        "max_detour_ratio",
        "instant_booking",
        "comment",
    ]
)
booking_keys = st.sampled_from(["offer", "pickup", "dropoff", "seats"])
search_keys = st.sampled_from(
    ["from_lon", "from_lat", "to_lon", "to_lat", "date", "time", "window_minutes", "seats"]
)
place_like = st.fixed_dictionaries({"lon": st.floats(), "lat": st.floats()})


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    offer=st.dictionaries(offer_keys, anything | place_like, max_size=9),
    booking=st.dictionaries(booking_keys, anything | place_like, max_size=4),
    search=st.dictionaries(search_keys, st.text(max_size=12) | st.floats().map(str), max_size=8),
)
def test_generated_bad_input_never_gives_a_500(clients, offer, booking, search):
    client = clients["citizen"]
    for response in (
        post(client, "/api/v1/offers/", offer),
        post(client, "/api/v1/bookings/", booking),
        client.get("/api/v1/search/", search),
    ):
        assert response.status_code < 500, response.content[:300]
        assert response["Content-Type"].startswith("application/json")
