"""Regular weekly rides: one route, one occurrence per departure, matched only on their days."""

import json
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES
from tests.forms import place_fields
from trips.errors import Conflict, ValidationError
from trips.models import Booking, Offer, RegularRide
from trips.selectors import offers_matching
from trips.services.bookings import booking_request
from trips.services.regular import regular_ride_cancel, regular_ride_publish

PARIS = ZoneInfo("Europe/Paris")


def next_weekday(weekday: int, after: date | None = None) -> date:
    """The first date strictly after `after` (default today) that falls on `weekday`."""
    day = (after or timezone.localdate()) + timedelta(days=1)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def week_times(**days) -> list:
    order = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return [days.get(day) for day in order]


def publish_regular(driver, **changes) -> RegularRide:
    monday = next_weekday(0)
    values = {
        "driver": driver,
        "origin": ENCAMP,
        "destination": ANDORRA_LA_VELLA,
        "departure_times": week_times(mon=time(8, 0), fri=time(17, 30)),
        "valid_from": monday,
        "valid_until": monday + timedelta(days=27),  # four weeks
        "seats": 2,
    }
    return regular_ride_publish(**{**values, **changes})


def test_each_scheduled_day_becomes_a_departure_with_the_same_route(in_alpha):
    ride = publish_regular(in_alpha["driver"])
    departures = list(ride.occurrences.order_by("departure_at"))
    assert len(departures) == 8  # four Mondays and four Fridays
    for offer in departures:
        local = offer.departure_at.astimezone(PARIS)
        assert (local.weekday(), local.time()) in {(0, time(8, 0)), (4, time(17, 30))}
        assert offer.route == departures[0].route and offer.seats == 2
        assert ride.valid_from <= local.date() <= ride.valid_until
    assert ride.schedule == {"mon": time(8, 0), "fri": time(17, 30)}


def test_departures_keep_the_local_time_across_a_clock_change(in_alpha):
    # France moves to summer time on the last Sunday of March.
    last_sunday = max(
        date(timezone.localdate().year + 1, 3, d)
        for d in range(25, 32)
        if date(timezone.localdate().year + 1, 3, d).weekday() == 6
    )
    ride = publish_regular(
        in_alpha["driver"],
        departure_times=week_times(mon=time(8, 0)),
        valid_from=last_sunday - timedelta(days=6),
        valid_until=last_sunday + timedelta(days=1),
    )
    before, after = ride.occurrences.order_by("departure_at")
    assert before.departure_at.astimezone(PARIS).time() == time(8, 0)
    assert after.departure_at.astimezone(PARIS).time() == time(8, 0)
    assert (after.departure_at - before.departure_at) == timedelta(days=7, hours=-1)


def test_a_regular_ride_matches_on_its_days_only(in_alpha):
    ride = publish_regular(in_alpha["driver"])
    monday = ride.valid_from
    at = timezone.make_aware(timezone.datetime.combine(monday, time(8, 15)))
    found = offers_matching(
        pickup=ESCALDES,
        dropoff=ANDORRA_LA_VELLA,
        window_start=at - timedelta(minutes=30),
        window_end=at + timedelta(minutes=30),
    )
    assert [m.offer.departure_at.date() for m in found] == [monday]
    assert found[0].offer.regular_ride == ride
    tuesday = at + timedelta(days=1)
    assert not offers_matching(
        pickup=ESCALDES,
        dropoff=ANDORRA_LA_VELLA,
        window_start=tuesday - timedelta(minutes=30),
        window_end=tuesday + timedelta(minutes=30),
    )


def test_booking_one_date_takes_seats_on_that_date_only(in_alpha):
    ride = publish_regular(in_alpha["driver"])
    first, second = ride.occurrences.order_by("departure_at")[:2]
    booking_request(
        offer_id=first.pk, passenger=in_alpha["citizen"], pickup=ESCALDES,
        dropoff=ANDORRA_LA_VELLA, seats=2,
    )  # fmt: skip
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.seats_left, second.seats_left) == (0, 2)


def test_cancelling_a_regular_ride_cancels_what_is_to_come_and_tells_passengers(
    in_alpha, django_capture_on_commit_callbacks
):
    ride = publish_regular(in_alpha["driver"])
    first = ride.occurrences.order_by("departure_at").first()
    booking = booking_request(
        offer_id=first.pk, passenger=in_alpha["citizen"], pickup=ESCALDES,
        dropoff=ANDORRA_LA_VELLA,
    )  # fmt: skip
    mail.outbox.clear()
    with pytest.raises(Conflict, match="Seul le conducteur"):
        regular_ride_cancel(ride, by=in_alpha["citizen"])
    with django_capture_on_commit_callbacks(execute=True):
        regular_ride_cancel(ride, by=in_alpha["driver"], reason="Nouveau travail")
    ride.refresh_from_db()
    booking.refresh_from_db()
    assert ride.status == RegularRide.Status.CANCELLED
    assert not ride.occurrences.filter(status=Offer.Status.ACTIVE).exists()
    assert booking.status == Booking.Status.CANCELLED and booking.cancel_reason == "Nouveau travail"
    assert [m.to for m in mail.outbox] == [[in_alpha["citizen"].email]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"departure_times": week_times()}, "schedule"),
        ({"valid_from": timezone.localdate() - timedelta(days=1)}, "valid_from"),
        ({"valid_until": next_weekday(0) - timedelta(days=1)}, "valid_until"),
        ({"valid_until": next_weekday(0) + timedelta(days=400)}, "valid_until"),
        # Tuesday to Thursday contains neither a Monday nor a Friday.
        (
            {"valid_from": next_weekday(1), "valid_until": next_weekday(1) + timedelta(days=2)},
            "valid_until",
        ),
        ({"seats": 9}, "seats"),
        ({"destination": ENCAMP}, "destination"),
    ],
)
def test_bad_schedules_are_field_errors_and_nothing_is_saved(in_alpha, changes, field):
    with pytest.raises(ValidationError) as error:
        publish_regular(in_alpha["driver"], **changes)
    assert field in error.value.message_dict
    assert not RegularRide.objects.exists() and not Offer.objects.exists()


def schedule_body(**changes) -> dict:
    monday = next_weekday(0)
    return {
        "origin": {"lon": ENCAMP.lon, "lat": ENCAMP.lat, "label": "Encamp"},
        "destination": {"lon": ANDORRA_LA_VELLA.lon, "lat": ANDORRA_LA_VELLA.lat},
        "schedule": {"mon": "08:00", "wed": "07:45"},
        "valid_from": monday.isoformat(),
        "valid_until": (monday + timedelta(days=13)).isoformat(),
        **changes,
    }


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_api_publishes_lists_and_cancels_a_regular_ride(alpha, beta):
    driver = alpha.client("driver")
    response = post(driver, "/api/v1/regular-rides/", schedule_body())
    assert response.status_code == 201, response.content
    ride = response.json()
    assert ride["schedule"] == {"mon": "08:00", "wed": "07:45"}
    assert len(ride["upcoming"]) == 4 and ride["origin_label"] == "Encamp"
    offer = driver.get(f"/api/v1/offers/{ride['upcoming'][0]['id']}/").json()
    assert offer["regular_ride"] == ride["id"]
    assert [r["id"] for r in driver.get("/api/v1/regular-rides/").json()] == [ride["id"]]
    # Another member of the territory and a member of another territory see nothing of it.
    for other in (alpha.client("citizen"), beta.client("driver")):
        assert other.get(f"/api/v1/regular-rides/{ride['id']}/").status_code == 404
        assert post(other, f"/api/v1/regular-rides/{ride['id']}/cancel/", {}).status_code == 404
        assert other.get("/api/v1/regular-rides/").json() == []
    cancelled = post(driver, f"/api/v1/regular-rides/{ride['id']}/cancel/", {"reason": "x"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert {d["status"] for d in cancelled.json()["upcoming"]} == {"cancelled"}
    again = post(driver, f"/api/v1/regular-rides/{ride['id']}/cancel/", {})
    assert again.status_code == 409 and "error" in again.json()


@pytest.mark.parametrize(
    "changes",
    [
        {"schedule": {}},
        {"schedule": {"monday": "08:00"}},
        {"schedule": {"mon": "25:00"}},
        {"schedule": "mon"},
        {"valid_until": "2020-01-01"},
        {"valid_from": "not a date"},
    ],
)
def test_api_bad_schedules_are_400_with_the_field_named(alpha, changes):
    driver = alpha.client("driver")
    response = post(driver, "/api/v1/regular-rides/", schedule_body(**changes))
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(changes) & set(body.get("fields", body)), body
    with schema_context(alpha.territory.schema_name):
        assert not RegularRide.objects.exists() and not Offer.objects.exists()


def test_publish_page_offers_a_weekly_schedule(alpha):
    client = alpha.client("driver")
    monday = next_weekday(0)
    form = {
        **place_fields("origin", ENCAMP),
        **place_fields("destination", ANDORRA_LA_VELLA),
        "frequency": "regular",
        "valid_from": monday.isoformat(),
        "valid_until": (monday + timedelta(days=6)).isoformat(),
        "margin_minutes": 15,
        "seats": 3,
        "cost_per_km": "0.08",
        "max_detour_ratio": "0.25",
    }
    page = client.post("/rides/new/", form)
    assert page.status_code == 400
    assert "Choisissez au moins un jour" in page.content.decode()
    form |= {"day_tue": "on", "time_tue": "07:30", "day_thu": "on", "time_thu": ""}
    page = client.post("/rides/new/", form)
    assert page.status_code == 400 and "Indiquez l’heure de départ" in page.content.decode()
    with schema_context(alpha.territory.schema_name):
        assert not Offer.objects.exists()
    form["time_thu"] = "18:00"
    page = client.post("/rides/new/", form, follow=True)
    assert page.status_code == 200
    assert "Trajet régulier publié\xa0: 2 départs" in page.content.decode()
    trips = client.get("/my-trips/").content.decode()
    assert "mardi à 07:30, jeudi à 18:00" in trips
    with schema_context(alpha.territory.schema_name):
        assert Offer.objects.count() == 2
