"""What the API's schema promises and the API used to do otherwise (found by schemathesis,
tests/core/test_openapi.py): JSON bodies only, JSON types as declared, every error JSON of one
shape, query values checked rather than silently replaced by defaults."""

import json

import pytest

from tests.factories import ANDORRA_LA_VELLA, ENCAMP, tomorrow_at

pytestmark = pytest.mark.django_db


def offer(**changes) -> dict:
    return {
        "origin": {"lon": ENCAMP.lon, "lat": ENCAMP.lat},
        "destination": {"lon": ANDORRA_LA_VELLA.lon, "lat": ANDORRA_LA_VELLA.lat},
        "departure_at": tomorrow_at(8).isoformat(),
        **changes,
    }


def post_json(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_bodies_are_json_only(alpha):
    """Regression: a form body was read as an empty one — a form-posted cancel cancelled."""
    driver = alpha.client("driver")
    ride = post_json(driver, "/api/v1/offers/", offer())
    assert ride.status_code == 201
    path = f"/api/v1/offers/{ride.json()['id']}/cancel/"
    multipart = driver.post(path, {"reason": "x"})
    urlencoded = driver.post(path, "reason=x", content_type="application/x-www-form-urlencoded")
    for cancel in (multipart, urlencoded):
        assert cancel.status_code == 415 and cancel.json()["status"] == 415
    assert driver.get(f"/api/v1/offers/{ride.json()['id']}/").json()["status"] == "active"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("seats", "2", "Un nombre entier est attendu."),
        ("seats", True, "Un nombre entier est attendu."),
        ("instant_booking", 1, "true ou false est attendu."),
        ("instant_booking", "yes", "true ou false est attendu."),
        ("comment", 5, "Un texte est attendu."),
        ("cost_per_km", "1e-2", "Un nombre valide est requis."),
        ("departure_at", "2026-12-24", None),  # a day is not a moment
        ("departure_at", "24/12/2026 08:00", None),
    ],
)
def test_json_values_have_the_declared_types(alpha, field, value, message):
    response = post_json(alpha.client("driver"), "/api/v1/offers/", offer(**{field: value}))
    assert response.status_code == 400, response.content
    errors = response.json()["fields"][field]
    assert message is None or errors == [message]


def test_coordinates_are_numbers_and_finite(alpha):
    citizen = alpha.client("citizen")
    place = {"lon": True, "lat": 42.5}
    body = {"offer": 1, "pickup": place, "dropoff": place}
    answer = post_json(citizen, "/api/v1/bookings/", body)
    assert answer.status_code == 400 and "lon" in answer.json()["fields"]["pickup"]
    query = {"from_lon": "nan", "from_lat": 42.5, "to_lon": 1.5, "to_lat": 42.5}
    search = citizen.get("/api/v1/search/", {**query, "date": tomorrow_at(8).date()})
    assert search.status_code == 400 and "from_lon" in search.json()["fields"]


def test_unknown_api_paths_answer_json(alpha):
    for path in ("/api/v1/offers/abc/", "/api/v1/offers/-3/", "/api/v1/nothing/"):
        answer = alpha.client("citizen").get(path)
        assert answer.status_code == 404
        assert answer.json() == {"error": "Introuvable.", "status": 404}
    assert "text/html" in alpha.client("citizen").get("/nothing/")["Content-Type"]


def test_members_query_values_are_checked(alpha):
    admin = alpha.client("admin")
    assert admin.get("/api/v1/members/", {"role": "citizen", "limit": 2}).status_code == 200
    for query, field in (({"limit": "abc"}, "limit"), ({"offset": -1}, "offset"),
                         ({"limit": 5000}, "limit"), ({"role": "pilot"}, "role")):  # fmt: skip
        answer = admin.get("/api/v1/members/", query)
        assert answer.status_code == 400 and field in answer.json()["fields"], query


def test_the_schema_declares_errors_and_credentials(alpha):
    schema = alpha.client("citizen").get("/api/schema/", {"format": "json"}).json()
    publish = schema["paths"]["/api/v1/offers/"]["post"]
    assert set(publish["responses"]) == {"201", "400", "403", "409", "415"}
    assert publish["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert publish["security"] == [{"cookieAuth": [], "csrfToken": []}]
    assert list(publish["requestBody"]["content"]) == ["application/json"]
    dataset = schema["paths"]["/api/v1/observatory/{name}/"]["get"]
    assert {"401", "403", "404", "429"} <= set(dataset["responses"])
    public = schema["paths"]["/api/v1/territory/"]["get"]
    assert {} in public["security"] and "403" not in public["responses"]
    search = {p["name"]: p for p in schema["paths"]["/api/v1/search/"]["get"]["parameters"]}
    assert search["from_lat"]["schema"]["minimum"] == -90 and search["date"]["required"]
    assert search["seats"]["schema"] == {
        "type": "integer", "maximum": 8, "minimum": 1, "default": 1
    }  # fmt: skip
