"""The publication horizon: rides (one-off, and the first and last days of a weekly ride) leave
within the territory's horizon, 365 days by default; searches look no further. Its admin sets
it on the settings page, and the new limit holds at once, in the pages and the API."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES
from tests.forms import SEARCH, VALID_APPEARANCE, place_fields
from themes.selectors import settings_get
from trips.models import Offer

pytestmark = pytest.mark.django_db


def days_ahead(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def refused(days: int, last_in: int) -> str:
    """The French message refusing a ride past a horizon of `days` days."""
    last = timezone.localdate() + timedelta(days=last_in)
    return (
        f"Les trajets se publient au plus {days} jours à l’avance\u00a0: le dernier jour "
        f"possible est le {last:%d/%m/%Y}."
    )


def place(p) -> dict:
    return {"lon": p.lon, "lat": p.lat, "label": p.label}


def publish(client, days: int):
    body = {
        "origin": place(ENCAMP),
        "destination": place(ANDORRA_LA_VELLA),
        "departure_at": f"{days_ahead(days)}T08:00",
    }
    return client.post("/api/v1/offers/", json.dumps(body), content_type="application/json")


def weekly(client, first: int, last: int):
    body = {
        "origin": place(ENCAMP),
        "destination": place(ANDORRA_LA_VELLA),
        "schedule": {day: "07:30" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        "valid_from": days_ahead(first),
        "valid_until": days_ahead(last),
    }
    return client.post("/api/v1/regular-rides/", json.dumps(body), content_type="application/json")


def search(client, days: int):
    query = {
        "from_lon": ESCALDES.lon,
        "from_lat": ESCALDES.lat,
        "to_lon": ANDORRA_LA_VELLA.lon,
        "to_lat": ANDORRA_LA_VELLA.lat,
        "date": days_ahead(days),
    }
    return client.get("/api/v1/search/", query)


def test_a_ride_five_years_ahead_is_refused_one_within_the_horizon_published(alpha):
    driver = alpha.client("driver")
    far = publish(driver, 5 * 365)
    assert far.status_code == 400
    assert far.json()["fields"]["departure_at"] == [refused(365, 365)]
    page = driver.post(
        "/rides/new/",
        {
            **place_fields("origin", ENCAMP),
            **place_fields("destination", ANDORRA_LA_VELLA),
            "date": days_ahead(5 * 365),
            "time": "08:00",
            "margin_minutes": 15,
            "seats": 3,
            "cost_per_km": "0.08",
            "max_detour_ratio": "0.25",
        },
    )
    assert page.status_code == 400 and refused(365, 365) in page.content.decode()
    assert publish(driver, 366).status_code == 400
    assert publish(driver, 365).status_code == 201
    with schema_context(alpha.territory.schema_name):
        assert Offer.objects.count() == 1


def test_a_weekly_ride_starts_and_ends_within_the_horizon(alpha):
    driver = alpha.client("driver")
    late_end = weekly(driver, 300, 400)
    assert late_end.status_code == 400
    assert late_end.json()["fields"]["valid_until"] == [refused(365, 365)]
    late_start = weekly(driver, 370, 380)
    assert late_start.json()["fields"]["valid_from"] == [refused(365, 365)]
    assert weekly(driver, 350, 365).status_code == 201


def test_searches_look_no_further_than_the_horizon(alpha):
    citizen = alpha.client("citizen")
    assert search(citizen, 365).status_code == 200
    beyond = search(citizen, 5 * 365)
    assert beyond.status_code == 400 and "365 jours" in beyond.json()["fields"]["date"][0]
    assert search(citizen, -2).status_code == 400  # the day before yesterday: nothing leaves
    page = citizen.get("/", {**SEARCH, "date": days_ahead(5 * 365)})
    assert page.status_code == 400 and "365 jours à l’avance" in page.content.decode()


def test_the_admin_changes_the_horizon_and_it_holds_at_once(alpha):
    admin = alpha.client("admin")
    assert admin.get("/api/v1/territory/").json()["publication_horizon_days"] == 365
    too_long = admin.post(
        "/manage/appearance/", {**VALID_APPEARANCE, "settings-publication_horizon_days": "5000"}
    )
    assert too_long.status_code == 400
    saved = admin.post(
        "/manage/appearance/", {**VALID_APPEARANCE, "settings-publication_horizon_days": "30"}
    )
    assert saved.status_code == 302
    with schema_context(alpha.territory.schema_name):
        assert settings_get().publication_horizon_days == 30
    assert admin.get("/api/v1/territory/").json()["publication_horizon_days"] == 30
    driver = alpha.client("driver")
    assert publish(driver, 31).json()["fields"]["departure_at"] == [refused(30, 30)]
    assert publish(driver, 30).status_code == 201
    assert weekly(driver, 10, 40).json()["fields"]["valid_until"] == [refused(30, 30)]
    assert search(alpha.client("citizen"), 31).status_code == 400
    assert search(alpha.client("citizen"), 30).status_code == 200
    assert "settings-publication_horizon_days" in admin.get("/manage/appearance/").content.decode()
