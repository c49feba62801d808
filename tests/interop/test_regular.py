"""Regular (weekly) trips for partners: standard covoiturage's driver_regular_trips and RDEX+'s
frequency=regular, grouped per weekly ride, on the wanted weekdays and time of day only."""

import json
from datetime import UTC, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from interop.partners import partner_register
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES
from trips.services.regular import regular_ride_publish

pytestmark = pytest.mark.django_db
STANDARD = "/interop/standard-covoiturage/v1"
RDEX = "/interop/rdexplus/v2/journeys"
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@pytest.fixture
def weekly(in_alpha):
    """Encamp → Andorra la Vella at 07:45 (local) on Mondays, Wednesdays and Fridays, and at
    17:30 on Tuesdays, for three weeks from tomorrow."""
    start = timezone.localdate() + timedelta(days=1)
    times = [time(7, 45), time(17, 30), time(7, 45), None, time(7, 45), None, None]
    return regular_ride_publish(
        driver=in_alpha["driver"],
        origin=ENCAMP,
        destination=ANDORRA_LA_VELLA,
        departure_times=times,
        valid_from=start,
        valid_until=start + timedelta(days=20),
    )


def utc_clock(ride, weekday: int, minutes_later: int = 10) -> str:
    """The UTC time of day of the ride's departure on `weekday`, a few minutes later (the
    passenger is picked up on the way)."""
    offer = next(
        o for o in ride.occurrences.all() if timezone.localtime(o.departure_at).weekday() == weekday
    )
    at = (offer.departure_at + timedelta(minutes=minutes_later)).astimezone(UTC)
    return f"{at:%H:%M:%S}"


def places():
    return {
        "departureLat": ESCALDES.lat, "departureLng": ESCALDES.lon,
        "arrivalLat": ANDORRA_LA_VELLA.lat, "arrivalLng": ANDORRA_LA_VELLA.lon,
    }  # fmt: skip


@pytest.fixture
def key(in_alpha):
    return partner_register(name="Regular", operator="reg.test", endpoints=["search"])[1]


def test_driver_regular_trips_on_the_wanted_days_and_time(weekly, key, alpha):
    client = Client(HTTP_HOST=alpha.host, HTTP_X_API_KEY=key)
    morning = utc_clock(weekly, 0)
    query = {**places(), "departureTimeOfDay": morning, "departureWeekdays": "MON,WED,TUE"}
    response = client.get(f"{STANDARD}/driver_regular_trips", query)
    assert response.status_code == 200, response.content
    [trip] = response.json()
    days = {s["passengerPickupDay"]: s for s in trip["schedules"]}
    assert set(days) == {"MON", "WED"}  # Tuesdays leave at 17:30: not at this time of day
    occurrences = {
        str(o.pk): o for o in weekly.occurrences.all() if o.departure_at > timezone.now()
    }
    for code, schedule in days.items():
        dates = schedule["journeySchedules"]
        assert len(dates) == 3  # three weeks
        for journey in dates:
            offer = occurrences[journey["id"]]
            assert WEEKDAYS[timezone.localtime(offer.departure_at).weekday()] == code
            assert journey["driverDepartureDate"] == int(offer.departure_at.timestamp())
            assert journey["passengerPickupDate"] >= journey["driverDepartureDate"]
            assert journey["webUrl"].endswith(f"/rides/{offer.pk}/")
    assert trip["driver"]["alias"] and "@" not in response.content.decode()
    assert trip["driverDepartureLat"] == round(trip["driverDepartureLat"], 2)
    # The evening slot on Tuesdays only; nothing at noon; nothing after the period.
    evening = {**query, "departureTimeOfDay": utc_clock(weekly, 1), "departureWeekdays": "TUE"}
    [tuesdays] = client.get(f"{STANDARD}/driver_regular_trips", evening).json()
    assert [s["passengerPickupDay"] for s in tuesdays["schedules"]] == ["TUE"]
    noon = {**query, "departureTimeOfDay": "11:00:00", "timeDelta": 600}
    assert client.get(f"{STANDARD}/driver_regular_trips", noon).json() == []
    later = int((timezone.now() + timedelta(days=40)).timestamp())
    after = {**query, "minDepartureDate": later}
    assert client.get(f"{STANDARD}/driver_regular_trips", after).json() == []
    assert client.get(f"{STANDARD}/passenger_regular_trips", query).json() == []


def test_regular_search_errors(key, alpha, beta):
    client = Client(HTTP_HOST=alpha.host, HTTP_X_API_KEY=key)
    base = {**places(), "departureTimeOfDay": "07:30:00"}
    for bad in (
        {"departureTimeOfDay": "7h30"},
        {"departureTimeOfDay": ""},
        {"departureWeekdays": "MON,FUNDAY"},
        {"timeDelta": "-5"},
        {"minDepartureDate": "2000000000", "maxDepartureDate": "1900000000"},
        {"maxDepartureDate": "99999999999999"},
        {"arrivalLat": "north"},
    ):
        for path in ("driver_regular_trips", "passenger_regular_trips"):
            response = client.get(f"{STANDARD}/{path}", {**base, **bad})
            assert response.status_code == 400, (bad, response.content)
            assert set(response.json()) == {"error"}
    assert (
        Client(HTTP_HOST=beta.host, HTTP_X_API_KEY=key)
        .get(f"{STANDARD}/driver_regular_trips", base)
        .status_code
        == 401
    )


def test_rdex_regular_journeys(weekly, key, alpha):
    client = Client(HTTP_HOST=alpha.host, HTTP_X_API_KEY=key)
    schedule = json.dumps([{"mondayTime": utc_clock(weekly, 0), "fridayTime": "03:00:00"}])
    found = client.get(RDEX, {**places(), "frequency": "regular", "regularSchedule": schedule})
    assert found.status_code == 200, found.content
    [journey] = found.json()["journeys"]
    assert journey["frequency"] == "regular"
    outward = journey["outward"]
    # The driver's own schedule (UTC), every day it drives that serves the request.
    assert set(outward["regularSchedule"][0]) == {"mondayTime"}
    assert outward["regularSchedule"][0]["mondayTime"] == utc_clock(weekly, 0, 0)
    assert outward["maxDate"] > outward["departureDate"]
    # Without a schedule, every day the ride drives; `both` adds tomorrow's departures.
    anytime = client.get(RDEX, {**places(), "frequency": "regular"}).json()["journeys"]
    assert set(anytime[0]["outward"]["regularSchedule"][0]) == {
        "mondayTime", "tuesdayTime", "wednesdayTime", "fridayTime"
    }  # fmt: skip
    monday = next(
        o for o in weekly.occurrences.all() if timezone.localtime(o.departure_at).weekday() == 0
    )
    at = int((monday.departure_at + timedelta(minutes=10)).timestamp())
    both = {**places(), "frequency": "both", "departureDate": at}
    kinds = [j["frequency"] for j in client.get(RDEX, both).json()["journeys"]]
    assert kinds == ["punctual", "regular"]
    for bad in ("not json", json.dumps([{"mondayTime": 8}]), json.dumps([{}]), "[1]"):
        response = client.get(RDEX, {**places(), "frequency": "regular", "regularSchedule": bad})
        assert response.status_code == 400 and response.json()["errorCode"] == "invalid_input"


def test_slots_are_matched_across_midnight():
    """Regression (review): the weekday is the slot's, not the pickup's UTC day."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from interop.regular import Slot, _slot_day

    def match(at):
        return SimpleNamespace(pickup_at=at, offer=SimpleNamespace(margin_minutes=0))

    monday_late = {0: [Slot(23 * 3600 + 55 * 60, 900)]}
    tuesday_early = datetime(2026, 11, 24, 0, 5, tzinfo=UTC)  # a Tuesday
    assert _slot_day(match(tuesday_early), monday_late) == 0
    monday_early = {0: [Slot(5 * 60, 900)]}
    monday_late_pickup = datetime(2026, 11, 23, 23, 50, tzinfo=UTC)  # a Monday
    assert _slot_day(match(monday_late_pickup), monday_early) is None  # a day earlier: no
    assert _slot_day(match(datetime(2026, 11, 23, 0, 10, tzinfo=UTC)), monday_early) == 0
