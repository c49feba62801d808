"""RDEX+ GET /journeys for partners: same keys, limits and minimum data as standard
covoiturage, RDEX+'s own error body, and conformance to the published spec (schemathesis)."""

import pytest
import yaml
from django.conf import settings
from django.test import Client

from interop.partners import partner_register

from ..trips.conftest import ANDORRA_LA_VELLA, ESCALDES, tomorrow_at
from .conformance import run_conformance

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
    found = client.get(PATH, query(), HTTP_API_KEY=key)
    assert found.status_code == 200
    [journey] = found.json()["journeys"]
    assert journey["id"] == str(ride.pk) and journey["carpoolerType"] == "driver"
    assert journey["user"]["alias"] == in_alpha["driver"].first_name
    assert journey["from"]["latitude"] == round(journey["from"]["latitude"], 2)
    assert journey["price"]["type"] == "fixed" and journey["price"]["currency"] == "EUR"
    assert journey["outward"]["departureDate"] == int(ride.departure_at.timestamp())
    assert "@" not in found.content.decode()
    bearer = client.get(PATH, query(), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bearer.status_code == 200
    passengers = client.get(PATH, query(carpoolerType="passenger"), HTTP_API_KEY=key)
    assert passengers.json() == {"journeys": []}
    bad = client.get(PATH, query(carpoolerType="pilot"), HTTP_API_KEY=key)
    assert bad.status_code == 400 and bad.json()["errorCode"] == "invalid_input"
    missing = client.get(PATH, query(departureLat=""), HTTP_API_KEY=key)
    assert missing.status_code == 400 and "departureLat" in missing.json()["errorMessage"]
    anonymous = client.get(PATH, query())
    assert anonymous.status_code == 401 and anonymous.json()["errorCode"] == "access_denied"
    assert Client(HTTP_HOST=beta.host).get(PATH, query(), HTTP_API_KEY=key).status_code == 401


def test_conformance_to_the_published_openapi(in_alpha, ride, alpha):
    _partner, key = partner_register(
        name="Conformance", operator="check.test", endpoints=["search"], rate_per_minute=6000
    )
    raw = yaml.safe_load((settings.BASE_DIR / "data/specs/rdexplus_openapi.yaml").read_text())
    raw["paths"] = {"/journeys": raw["paths"]["/journeys"]}
    # The published schema of carpoolerType is unsatisfiable (allOf driver|passenger and an
    # enum of "both" alone): no response could ever conform. Read as its description says.
    raw["components"]["schemas"]["carpoolerType"] = {
        "type": "string",
        "enum": ["driver", "passenger", "both"],
    }
    seen = run_conformance(raw, f"http://{alpha.host}/interop/rdexplus/v2", {"api_key": key})
    assert seen == {"GET /journeys": seen["GET /journeys"]} and 200 in seen["GET /journeys"]
