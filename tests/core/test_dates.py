"""Years 9999 and 0001 — a typing slip or a probe — are a 4xx naming the dates accepted at
every door a date comes in by (forms, query strings, API bodies), read by one parser
(core.inputs), never a 500 further on (regression: a ride, a search or an observatory period
in 9999 or 0001 ran date arithmetic past what Python holds: OverflowError, a 500)."""

import json

import pytest
from django.utils import timezone

from tests.factories import ANDORRA_LA_VELLA, ENCAMP, tomorrow_at
from tests.forms import SEARCH, place_fields

pytestmark = pytest.mark.django_db

BAD_DAYS = ["9999-12-31", "0001-01-01"]


def accepted(first_year: int, years_ahead: int) -> str:
    """The French message of core.inputs for these years."""
    last = timezone.localdate().year + years_ahead
    return f"Indiquez une date entre le 01/01/{first_year} et le 31/12/{last}."


RIDES = accepted(2000, 10)  # core.inputs' bounds: rides, searches, alerts
PERIODS = accepted(2000, 1)  # the observatory's periods


def post_json(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def place(p) -> dict:
    return {"lon": p.lon, "lat": p.lat, "label": p.label}


def ride_form(**changes) -> dict:
    return {
        **place_fields("origin", ENCAMP),
        **place_fields("destination", ANDORRA_LA_VELLA),
        "time": "08:00",
        "margin_minutes": 15,
        "seats": 3,
        "cost_per_km": "0.08",
        "max_detour_ratio": "0.25",
        **changes,
    }


def assert_field_error(response, field: str, message: str) -> None:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["status"] == 400 and body["fields"][field] == [message], body


@pytest.mark.parametrize("day", BAD_DAYS)
def test_offer_form(alpha, day):
    page = alpha.client("driver").post("/rides/new/", ride_form(date=day))
    assert page.status_code == 400 and RIDES in page.content.decode()


@pytest.mark.parametrize("day", BAD_DAYS)
def test_offer_api(alpha, day):
    body = {
        "origin": place(ENCAMP),
        "destination": place(ANDORRA_LA_VELLA),
        "departure_at": f"{day}T08:00:00",
    }
    response = post_json(alpha.client("driver"), "/api/v1/offers/", body)
    assert_field_error(response, "departure_at", RIDES)


@pytest.mark.parametrize("day", BAD_DAYS)
def test_regular_ride_form_and_api(alpha, day):
    driver = alpha.client("driver")
    form = ride_form(frequency="regular", valid_from=day, valid_until=day)
    page = driver.post("/rides/new/", {**form, "day_mon": "on", "time_mon": "07:30"})
    assert page.status_code == 400 and RIDES in page.content.decode()
    body = {
        "origin": place(ENCAMP),
        "destination": place(ANDORRA_LA_VELLA),
        "schedule": {"mon": "07:30"},
        "valid_from": tomorrow_at(8).date().isoformat(),
        "valid_until": day,
    }
    response = post_json(driver, "/api/v1/regular-rides/", body)
    assert_field_error(response, "valid_until", RIDES)


@pytest.mark.parametrize("day", BAD_DAYS)
def test_search_page(alpha, day):
    page = alpha.client("citizen").get("/", {**SEARCH, "date": day})
    assert page.status_code == 400 and RIDES in page.content.decode()


@pytest.mark.parametrize("day", BAD_DAYS)
def test_search_api(alpha, day):
    query = {
        "from_lon": ENCAMP.lon,
        "from_lat": ENCAMP.lat,
        "to_lon": ANDORRA_LA_VELLA.lon,
        "to_lat": ANDORRA_LA_VELLA.lat,
        "date": day,
    }
    for path in ("/api/v1/search/", "/api/v1/search/partners/"):
        assert_field_error(alpha.client("citizen").get(path, query), "date", RIDES)


@pytest.mark.parametrize("kind", ["month", "quarter", "year"])
@pytest.mark.parametrize("day", BAD_DAYS)
def test_observatory_dashboard(alpha, day, kind):
    page = alpha.client("data").get("/observatory/", {"kind": kind, "day": day})
    assert page.status_code == 400 and PERIODS in page.content.decode()


@pytest.mark.parametrize("day", BAD_DAYS)
def test_observatory_custom_period_and_map(alpha, day):
    officer = alpha.client("data")
    custom = {"kind": "custom", "first": "2026-01-01", "last": day}
    page = officer.get("/observatory/", custom)
    assert page.status_code == 400 and PERIODS in page.content.decode()
    flows = officer.get("/observatory/map.json", custom)
    assert flows.status_code == 400 and PERIODS in json.dumps(flows.json(), ensure_ascii=False)


@pytest.mark.parametrize("day", BAD_DAYS)
def test_observatory_api(alpha, day):
    officer = alpha.client("data")
    response = officer.get("/api/v1/observatory/flows/", {"kind": "year", "day": day})
    assert_field_error(response, "day", PERIODS)
    custom = {"kind": "custom", "first": day, "last": "2026-01-31"}
    assert_field_error(officer.get("/api/v1/observatory/by_time/", custom), "first", PERIODS)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("day", BAD_DAYS)
def test_observatory_downloads(alpha, day, fmt):
    download = alpha.client("data").get(
        f"/observatory/download/flows.{fmt}.zip", {"kind": "month", "day": day}
    )
    assert download.status_code == 400 and PERIODS in download.content.decode()


def test_the_years_accepted_are_those_of_the_message(alpha):
    """The bounds themselves are accepted: the first day of 2000, the last of next year."""
    officer = alpha.client("data")
    last = f"{timezone.localdate().year + 1}-12-31"
    for day in ("2000-01-01", last):
        assert officer.get("/observatory/", {"kind": "year", "day": day}).status_code == 200
        api = officer.get("/api/v1/observatory/by_period/", {"kind": "quarter", "day": day})
        assert api.status_code == 200, api.content
    after = f"{timezone.localdate().year + 2}-01-01"
    assert officer.get("/observatory/", {"kind": "year", "day": after}).status_code == 400
