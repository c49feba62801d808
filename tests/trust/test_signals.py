"""The registry-rule signals shown to moderators, on a seeded abusive pattern: each rule
fires for the person concerned, explains itself, and applies nothing by itself."""

from datetime import timedelta
from random import Random

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone
from django_tenants.utils import schema_context

from demo.seed import _past_ride
from tests.factories import ENCAMP, ESCALDES
from themes.models import TerritorySettings
from trips.models import Booking, Journey, Offer
from trips.services.rides import RideTerms, ride_fields
from trust.models import Report, Sanction
from trust.rules import patterns_found

pytestmark = pytest.mark.django_db


def copy_ride(ride, **changes) -> Offer:
    fields = model_to_dict(ride, exclude=["id", "driver", "regular_ride"])
    return Offer.objects.create(driver_id=ride.driver_id, **{**fields, **changes})


def journey(driver, passenger, start, minutes=20) -> Journey:
    return Journey.objects.create(
        kind="solidarity", driver=driver, passenger=passenger, pickup_at=start,
        dropoff_at=start + timedelta(minutes=minutes), pickup=ride_point(), dropoff=ride_point(),
        distance_m=8000, duration_s=minutes * 60, seats=1, amount=0,
        driver_confirmed_at=start,
    )  # fmt: skip


def ride_point():
    from django.contrib.gis.geos import Point

    return Point(1.54, 42.51, srid=4326)


def test_each_rule_fires_on_a_seeded_abusive_pattern(ride, in_alpha, alpha):
    driver, citizen, volunteer = in_alpha["driver"], in_alpha["citizen"], in_alpha["volunteer"]
    with schema_context(alpha.territory.schema_name):
        assert patterns_found() == []  # a normal territory: nothing to see
        day = timezone.localtime() - timedelta(days=2)
        day = day.replace(hour=8, minute=0, second=0, microsecond=0)
        # Five carpool rides in a day driven by the volunteer, each with its own passenger,
        # two of them less than 30 minutes apart.
        fields = ride_fields(volunteer, ENCAMP, ESCALDES, RideTerms())
        riders = [alpha[role] for role in ("admin", "data", "operator", "beneficiary", "citizen")]
        for start, rider in zip((0, 30, 120, 240, 360), riders, strict=True):
            _past_ride(fields, volunteer, [rider], day + timedelta(minutes=start), Random(1))
        # Solidarity trips are not the registry's: five in a day for a volunteer is their job.
        for start in (0, 30, 120, 240, 360):
            journey(in_alpha["driver"], None, day + timedelta(days=1, minutes=start))
        # The driver: the same 45 km route, full, on 8 days of the last fortnight.
        for n in range(8):
            copy_ride(
                ride,
                departure_at=timezone.now() - timedelta(days=n + 1),
                distance_m=45_000,
                seats_taken=ride.seats,
            )
        # The territory lowered its maximum price per km below the driver's rides.
        TerritorySettings.objects.update(cost_per_km_default="0.040", cost_per_km_max="0.050")
        # The citizen cancelled five bookings.
        for n in range(5):
            start = timezone.now() + timedelta(days=3 + n)
            Booking.objects.create(
                offer=ride, passenger=citizen, seats=1, status="cancelled",
                cancelled_by="passenger", pickup_label="a", dropoff_label="b",
                pickup=ride_point(), dropoff=ride_point(), pickup_at=start,
                dropoff_at=start + timedelta(minutes=10), distance_m=5000, detour_s=0,
                price=1,
            )  # fmt: skip
        # Three reports about the driver, from two people.
        for reporter in (citizen, volunteer, citizen):
            Report.objects.create(reporter=reporter, reported=driver, reason="dangerous")
        found = patterns_found()
        by_rule = {}
        for signal in found:
            by_rule.setdefault(signal.rule, set()).add(signal.user_id)
        assert by_rule == {
            "journeys_per_day": {volunteer.pk},
            "close_journeys": {volunteer.pk},
            "disguised_professional": {driver.pk},
            "price_per_km": {driver.pk, volunteer.pk},  # both drove at 0.08 €/km
            "cancellations": {citizen.pk},
            "reports": {driver.pk},
        }
        text = {s.rule: s.explanation for s in found}
        assert "5 trajets le" in text["journeys_per_day"]
        assert "min après la fin du précédent (moins de 30)" in text["close_journeys"]
        assert "complet 8 jours sur 30" in text["disguised_professional"]
        assert "au-dessus du maximum du territoire (0,050\xa0€/km)" in text["price_per_km"]
        assert text["cancellations"].startswith("5 réservations annulées")
        assert text["reports"] == "3 signalements en 90 jours, par 2 personnes."
        assert not Sanction.objects.exists()  # never applied by itself
    desk = alpha.client("admin").get("/manage/moderation/").content.decode()
    assert "peut-être du transport payant déguisé" in desk
    assert f"/manage/moderation/people/{driver.pk}/" in desk
