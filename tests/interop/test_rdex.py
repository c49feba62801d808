"""RDEX+ GET /journeys for partners: same keys, limits and minimum data as standard
covoiturage, RDEX+'s own error body, and conformance to the published spec (schemathesis).
Django's test client cannot send RDEX+'s `api_key` header as a partner does (its name would
read as `api-key`): these calls carry the key in X-API-Key, and tests/interop/
test_over_http.py sends `api_key` itself to the real server."""

import json

import pytest
import yaml
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from interop.partners import partner_register
from tests.conformance import run_conformance
from tests.factories import ANDORRA_LA_VELLA, ESCALDES, tomorrow_at

from .loopback import serving

pytestmark = pytest.mark.django_db
PATH = "/interop/rdexplus/v2/journeys"


def query(at=None, **changes):
    values = {
        "departureLat": ESCALDES.lat, "departureLng": ESCALDES.lon,
        "arrivalLat": ANDORRA_LA_VELLA.lat, "arrivalLng": ANDORRA_LA_VELLA.lon,
        "departureDate": int((at or tomorrow_at(8, 15)).timestamp()),
    }  # fmt: skip
    return {**values, **changes}


def test_journeys_with_the_minimum_data_and_rdex_errors(in_alpha, ride, alpha, beta):
    _partner, key = partner_register(name="R", operator="rdex.test", endpoints=["search"])
    client = Client(HTTP_HOST=alpha.host)
    found = client.get(PATH, query(), HTTP_X_API_KEY=key)
    assert found.status_code == 200
    [journey] = found.json()["journeys"]
    assert journey["id"].startswith(f"{ride.pk}~") and journey["carpoolerType"] == "driver"
    assert journey["user"]["alias"] == in_alpha["driver"].first_name
    assert journey["from"]["latitude"] == round(journey["from"]["latitude"], 2)
    assert journey["price"]["type"] == "fixed" and journey["price"]["currency"] == "EUR"
    assert journey["outward"]["departureDate"] == int(ride.departure_at.timestamp())
    assert "@" not in found.content.decode()
    bearer = client.get(PATH, query(), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bearer.status_code == 200
    passengers = client.get(PATH, query(carpoolerType="passenger"), HTTP_X_API_KEY=key)
    assert passengers.json() == {"journeys": []}
    bad = client.get(PATH, query(carpoolerType="pilot"), HTTP_X_API_KEY=key)
    assert bad.status_code == 400 and bad.json()["errorCode"] == "invalid_input"
    # Regression (negative conformance): an empty value was read as the default.
    empty = client.get(PATH, query(frequency=""), HTTP_X_API_KEY=key)
    assert empty.status_code == 400 and "frequency" in empty.json()["errorMessage"]
    missing = client.get(PATH, query(departureLat=""), HTTP_X_API_KEY=key)
    assert missing.status_code == 400 and "departureLat" in missing.json()["errorMessage"]
    anonymous = client.get(PATH, query())
    assert anonymous.status_code == 401 and anonymous.json()["errorCode"] == "access_denied"
    assert Client(HTTP_HOST=beta.host).get(PATH, query(), HTTP_X_API_KEY=key).status_code == 401


def test_conformance_to_the_published_openapi(in_alpha, ride, alpha):
    _partner, key = partner_register(
        name="Conformance",
        operator="check.test",
        endpoints=["search", "bookings", "messages"],
        rate_per_minute=6000,
    )
    raw = yaml.safe_load((settings.BASE_DIR / "data/specs/rdexplus_openapi.yaml").read_text())
    paths = raw["paths"]
    # Documented deviations (docs/interop.md), as for standard covoiturage: malformed input is
    # a 400 wherever it can be sent (the spec declares it on GET /journeys only), a missing or
    # unknown key a 401 on every operation, a full ride a 409, and a partner trying to accept
    # or reject for the driver a 403.
    for operation in (paths["/bookings"]["post"], paths["/messages"]["post"]):
        operation["responses"][400] = {"description": "Bad request."}
        operation["responses"][401] = {"description": "No key, or not a key of ours."}
    paths["/bookings"]["post"]["responses"][409] = {"description": "Conflict."}
    patch = paths["/bookings/{bookingId}"]["patch"]["responses"]
    patch[400] = {"description": "Bad request."}
    patch[403] = {"description": "Only the driver decides."}
    # The published schema of carpoolerType is unsatisfiable (allOf driver|passenger and an
    # enum of "both" alone): no response could ever conform. Read as its description says.
    raw["components"]["schemas"]["carpoolerType"] = {
        "type": "string",
        "enum": ["driver", "passenger", "both"],
    }
    # In process (WSGI) the spec's `api_key` header cannot be told from `api-key`: the key
    # travels as a bearer here, the spec's own header through a real server in
    # test_over_http.py.
    outcome = run_conformance(
        raw,
        f"http://{alpha.host}/interop/rdexplus/v2",
        auth={"bearerAuth": key},
        before_each=cache.clear,
    )
    print(outcome.summary())
    assert outcome.failures == [], "\n\n".join(outcome.failures[:20])
    seen = outcome.seen
    assert set(seen) == {
        "GET /journeys",
        "POST /bookings",
        "GET /bookings/{bookingId}",
        "PATCH /bookings/{bookingId}",
        "POST /messages",
    }
    assert 200 in seen["GET /journeys"]


def booking(journey, booking_id=None, **changes):
    import hashlib

    booking_id = booking_id or hashlib.md5(f"{journey['id']}|p-1|1700000000".encode()).hexdigest()
    return {
        "bookingId": booking_id,
        "driverJourneyId": journey["id"],
        "driverUserid": journey["user"]["id"],
        "passengerJourneyId": "p-1",
        "passengerUserid": "maas-user-7",
        "passengerAlias": "Inès",
        "frequency": "punctual",
        "outwardSchedule": {"departureDate": journey["outward"]["departureDate"]},
        "price": journey["price"]["amount"],
        "status": "pending",
        **changes,
    }


def post(client, path, body, key):
    return client.post(
        f"/interop/rdexplus/v2{path}", json.dumps(body), "application/json", HTTP_X_API_KEY=key
    )


def patch(client, booking_id, status, key):
    return client.patch(
        f"/interop/rdexplus/v2/bookings/{booking_id}?status={status}", HTTP_X_API_KEY=key
    )


def test_a_partner_books_the_driver_accepts_the_partner_hears_and_they_talk(
    in_alpha, ride, alpha, django_capture_on_commit_callbacks, monkeypatch
):
    from archipel.celery import app
    from trips.models import Booking, Message
    from trips.services.bookings import booking_decide

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    with serving() as partner_server:
        with schema_context(alpha.territory.schema_name):
            _partner, key = partner_register(
                name="R",
                operator="rdex.test",
                endpoints=["search", "bookings", "messages"],
                callback_url=f"{partner_server.url}/rdex",
            )
        client = Client(HTTP_HOST=alpha.host)
        [journey] = client.get(PATH, query(), HTTP_X_API_KEY=key).json()["journeys"]
        body = booking(journey)
        created = post(client, "/bookings", body, key)
        assert created.status_code == 201, created.content
        assert created.json()["status"] == "pending"
        assert created.json()["driverJourneyId"] == journey["id"]
        assert post(client, "/bookings", body, key).status_code == 409  # the same id twice
        with schema_context(alpha.territory.schema_name):
            made = Booking.objects.get(offer=ride)
            # Booked where the search picked the passenger up, at the price it showed.
            assert float(made.price) == journey["price"]["amount"]
            assert made.passenger.display_name == "Inès" and made.passenger.email is None
            with django_capture_on_commit_callbacks(execute=True):
                booking_decide(made, by=in_alpha["driver"], accept=True)
    [heard] = partner_server.seen
    assert (heard.method, heard.path) == ("PATCH", f"/rdex/bookings/{body['bookingId']}")
    assert heard.query == {"status": "accepted"}
    detail = client.get(f"/interop/rdexplus/v2/bookings/{body['bookingId']}", HTTP_X_API_KEY=key)
    assert detail.json()["status"] == "accepted"
    assert detail.json()["passengerJourneyId"] == "p-1"
    message = {
        "driverJourneyId": journey["id"],
        "driverUserid": journey["user"]["id"],
        "passengerJourneyId": "p-1",
        "passengerUserid": "maas-user-7",
        "details": "J'attends devant la mairie",
        "recipientCarpoolerType": "driver",
    }
    assert post(client, "/messages", message, key).status_code == 201
    knock = post(client, "/messages", {**message, "details": None}, key)
    assert knock.status_code == 201
    with schema_context(alpha.territory.schema_name):
        said = list(
            Message.objects.filter(conversation__booking=made).values_list("body", flat=True)
        )
    assert said == ["J'attends devant la mairie", "Inès souhaite covoiturer avec vous."]
    decide = patch(client, body["bookingId"], "rejected", key)
    assert decide.status_code == 403 and decide.json()["errorCode"] == "insufficient_permissions"
    again = patch(client, body["bookingId"], "accepted", key)
    assert again.status_code == 409 and again.json()["errorMessage"] == "status_already_set"
    gone = patch(client, body["bookingId"], "cancelled", key)
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"


def test_rdex_booking_refusals(in_alpha, ride, alpha, beta):
    import hashlib

    from trips.models import Offer

    _partner, key = partner_register(
        name="R", operator="rdex.test", endpoints=["search", "bookings", "messages"]
    )
    client = Client(HTTP_HOST=alpha.host)
    [journey] = client.get(PATH, query(), HTTP_X_API_KEY=key).json()["journeys"]
    for change, status in (
        ({"bookingId": "not-md5"}, 400),
        ({"status": "accepted"}, 400),
        ({"frequency": "regular"}, 400),
        ({"outwardSchedule": {}}, 400),
        ({"price": "cheap"}, 400),
        ({"passengerUserid": ""}, 400),
        ({"driverJourneyId": "regular-1"}, 400),
        ({"driverJourneyId": "999999"}, 404),
        ({"driverUserid": "someone-else"}, 404),
    ):
        response = post(client, "/bookings", booking(journey, **change), key)
        assert response.status_code == status, (change, response.content)
        assert set(response.json()) == {"errorCode", "errorMessage"}
    message = {
        "driverJourneyId": journey["id"], "driverUserid": journey["user"]["id"],
        "passengerJourneyId": "p-1", "passengerUserid": "maas-user-7",
        "recipientCarpoolerType": "driver",
    }  # fmt: skip
    assert post(client, "/messages", message, key).status_code == 404  # no booking yet
    to_passenger = {**message, "recipientCarpoolerType": "passenger"}
    assert post(client, "/messages", to_passenger, key).status_code == 400
    with schema_context(alpha.territory.schema_name):
        Offer.objects.filter(pk=ride.pk).update(seats_taken=ride.seats)
    full = post(client, "/bookings", booking(journey), key)
    assert full.status_code == 409 and full.json()["errorCode"] == "already_exists"
    with schema_context(alpha.territory.schema_name):
        Offer.objects.filter(pk=ride.pk).update(seats_taken=0)
    body = booking(journey)
    assert post(client, "/bookings", body, key).status_code == 201
    # Another partner, or the same key on Beta, never reaches this partner's booking.
    with schema_context(alpha.territory.schema_name):
        _o, other = partner_register(name="O", operator="o.test", endpoints=["bookings"])
    url = f"/interop/rdexplus/v2/bookings/{body['bookingId']}"
    assert client.get(url, HTTP_X_API_KEY=other).status_code == 404
    assert Client(HTTP_HOST=beta.host).get(url, HTTP_X_API_KEY=key).status_code == 401
    unknown = hashlib.md5(b"nothing").hexdigest()
    missing = client.get(f"/interop/rdexplus/v2/bookings/{unknown}", HTTP_X_API_KEY=key)
    assert missing.status_code == 404 and missing.json()["errorCode"] == "resource_not_found"


def test_deeply_nested_json_is_a_400_not_a_500(in_alpha, alpha):
    """Regression (review): json.loads raises RecursionError, not ValueError."""
    _partner, key = partner_register(name="R", operator="rdex.test", endpoints=["bookings"])
    client = Client(HTTP_HOST=alpha.host)
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/interop/rdexplus/v2/bookings", deep, "application/json", HTTP_X_API_KEY=key
    )
    assert response.status_code == 400 and response.json()["errorCode"] == "invalid_input"
    nested = client.get(PATH, query(frequency="regular", regularSchedule=deep), HTTP_X_API_KEY=key)
    assert nested.status_code in (400, 401, 403)


def test_a_punctual_search_with_malformed_regular_parameters_is_a_400(in_alpha, alpha):
    """Regression (schemathesis): a punctual search ignored a malformed regularSchedule or
    maxDate instead of saying so."""
    _partner, key = partner_register(name="R", operator="rdex.test", endpoints=["search"])
    client = Client(HTTP_HOST=alpha.host)
    for bad in ({"regularSchedule": "{not json"}, {"regularSchedule": "[1]"}, {"maxDate": "x"}):
        response = client.get(PATH, query(frequency="punctual", **bad), HTTP_X_API_KEY=key)
        assert response.status_code == 400, bad
        assert response.json()["errorCode"] == "invalid_input"
    fine = client.get(PATH, query(frequency="punctual"), HTTP_X_API_KEY=key)
    assert fine.status_code == 200
