"""Confirming a ride took place, with the times and positions a browser reports (optional)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from matching.network import Place
from tests.factories import ANDORRA_LA_VELLA, ESCALDES
from trips.errors import ValidationError
from trips.models import Confirmation, Journey
from trips.services.journeys import JourneyReport, booking_confirm


def test_reported_times_and_positions_are_kept_with_each_confirmation(done, in_alpha):
    picked = timezone.now() - timedelta(minutes=18)
    report = JourneyReport(
        pickup_at=picked,
        dropoff_at=picked + timedelta(minutes=9),
        pickup=Place(ESCALDES.lon + 0.001, ESCALDES.lat),
        dropoff=ANDORRA_LA_VELLA,
    )
    booking_confirm(done, by=in_alpha["citizen"], report=report)
    booking_confirm(done, by=in_alpha["driver"])  # nothing reported: also fine
    booking_confirm(done, by=in_alpha["driver"], report=report)  # again: changes nothing
    passenger, driver = (
        Confirmation.objects.get(booking=done, side=side) for side in ("passenger", "driver")
    )
    assert passenger.pickup_at == picked and passenger.dropoff.x == ANDORRA_LA_VELLA.lon
    assert passenger.pickup.x == pytest.approx(ESCALDES.lon + 0.001)
    assert driver.pickup_at is None and driver.pickup is None
    done.refresh_from_db()
    assert done.passenger_confirmed_at == passenger.confirmed_at
    assert Journey.objects.get().booking == done


@pytest.mark.parametrize(
    ("report", "field"),
    [
        (JourneyReport(pickup_at=timezone.now() + timedelta(hours=3)), "pickup_at"),  # future
        (JourneyReport(pickup_at=timezone.now() - timedelta(hours=9)), "pickup_at"),  # long before
        (
            JourneyReport(
                pickup_at=timezone.now() - timedelta(minutes=10),
                dropoff_at=timezone.now() - timedelta(minutes=15),
            ),
            "dropoff_at",
        ),
        (JourneyReport(pickup=Place(2.35, 48.85)), "pickup"),  # Paris: another trip
        (JourneyReport(dropoff=Place(float("nan"), 42.5)), "dropoff"),
    ],
)
def test_a_report_that_does_not_fit_the_ride_is_refused_and_nothing_is_saved(
    done, in_alpha, report, field
):
    with pytest.raises(ValidationError) as error:
        booking_confirm(done, by=in_alpha["citizen"], report=report)
    assert field in error.value.message_dict
    done.refresh_from_db()
    assert done.passenger_confirmed_at is None and not Confirmation.objects.exists()


def test_api_confirm_with_a_report_and_its_errors(done, alpha, beta):
    path = f"/api/v1/bookings/{done.pk}/confirm/"
    passenger = alpha.client("citizen")
    body = {"dropoff_at": "not a time", "pickup": {"lon": 500, "lat": 42}}
    bad = passenger.post(path, json.dumps(body), content_type="application/json")
    assert bad.status_code == 400 and {"dropoff_at", "pickup"} <= set(bad.json()["fields"])
    far = {"dropoff": {"lon": 2.35, "lat": 48.85}}
    bad = passenger.post(path, json.dumps(far), content_type="application/json")
    assert bad.status_code == 400 and "dropoff" in bad.json()["fields"]
    # Someone else in the territory, or in another territory, cannot confirm it.
    for other in (alpha.client("operator"), beta.client("citizen")):
        assert other.post(path, "{}", content_type="application/json").status_code == 404
    with schema_context(alpha.territory.schema_name):
        assert not Confirmation.objects.exists()
    report = {"dropoff": {"lon": ANDORRA_LA_VELLA.lon, "lat": ANDORRA_LA_VELLA.lat}}
    good = passenger.post(path, json.dumps(report), content_type="application/json")
    assert good.status_code == 200 and good.json()["passenger_confirmed_at"]
    with schema_context(alpha.territory.schema_name):
        assert Confirmation.objects.get().dropoff.y == ANDORRA_LA_VELLA.lat


def test_my_trips_confirm_form_sends_times_and_position(done, alpha):
    passenger = alpha.client("citizen")
    page = passenger.get("/my-trips/?vue=passes").content.decode()  # the ride has left
    assert "Ajouter les heures et positions (facultatif)" in page
    path = f"/bookings/{done.pk}/confirm/"
    late = (timezone.localtime() + timedelta(hours=2)).strftime("%H:%M")
    refused = passenger.post(path, {"pickup_time": late}, follow=True).content.decode()
    assert "Cette heure ne correspond pas au trajet" in refused
    picked = timezone.localtime(done.pickup_at)
    form = {
        "pickup_time": picked.strftime("%H:%M"),
        "dropoff_lon": ANDORRA_LA_VELLA.lon,
        "dropoff_lat": ANDORRA_LA_VELLA.lat,
    }
    recorded = passenger.post(path, form, follow=True).content.decode()
    assert "votre confirmation est enregistrée" in recorded
    with schema_context(alpha.territory.schema_name):
        confirmation = Confirmation.objects.get()
    assert timezone.localtime(confirmation.pickup_at).strftime("%H:%M") == form["pickup_time"]
    assert confirmation.dropoff.x == ANDORRA_LA_VELLA.lon
