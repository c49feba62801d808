"""Carpool journeys with hand-chosen facts, and campaigns, for the incentives' tests."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from incentives.services.campaigns import campaign_activate, campaign_create
from tests.factories import person
from trips.models import Booking, Confirmation, Journey

ENCAMP = "AD-03"
ANDORRA = "AD-07"


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def carpool(
    ride,
    driver,
    passenger,
    when: datetime,
    *,
    km=10.0,
    seats=1,
    proof=2,
    origin=ENCAMP,
    destination=ENCAMP,
    minutes=20,
) -> Journey:
    """A carpool journey as the confirmations leave it: `proof` occupants reported their times
    and positions (2 → class C, 1 → B, 0 → A)."""
    end = when + timedelta(minutes=minutes)
    here = Point(1.58, 42.536, srid=4326)
    booking = Booking.objects.create(
        offer=ride,
        passenger=passenger,
        seats=seats,
        status=Booking.Status.ACCEPTED,
        pickup_label="Encamp",
        dropoff_label="Encamp",
        pickup=here,
        dropoff=here,
        pickup_at=when,
        dropoff_at=end,
        distance_m=round(km * 1000),
        detour_s=0,
        price=Decimal("1.00"),
        driver_confirmed_at=end,
        passenger_confirmed_at=end,
    )
    for i, side in enumerate(("driver", "passenger")):
        reported = i < proof
        Confirmation.objects.create(
            booking=booking,
            side=side,
            pickup_at=when if reported else None,
            dropoff_at=end if reported else None,
            pickup=here if reported else None,
            dropoff=here if reported else None,
        )
    return Journey.objects.create(
        kind=Journey.Kind.CARPOOL,
        booking=booking,
        driver=driver,
        passenger=passenger,
        pickup_at=when,
        dropoff_at=end,
        pickup=here,
        dropoff=here,
        distance_m=round(km * 1000),
        duration_s=minutes * 60,
        seats=seats,
        amount=Decimal("1.00"),
        pickup_commune=origin,
        dropoff_commune=destination,
        driver_confirmed_at=end,
        passenger_confirmed_at=end,
    )


@pytest.fixture
def people(in_alpha):
    return [person(n) for n in range(6)]


def campaign_of(
    admin,
    rules: dict,
    *,
    budget="2000",
    paid="passenger",
    first=None,
    last=None,
    active=False,
    **extra,
):
    today = timezone.localdate()
    campaign = campaign_create(
        by=admin,
        rules=rules,
        name=extra.pop("name", "Test"),
        starts_on=first or today.replace(day=1) - timedelta(days=400),
        ends_on=last or today + timedelta(days=60),
        budget=Decimal(budget),
        paid=paid,
        funder_name="Comú d'Encamp",
        funder_siret="21000000000013",
        funder_iban=extra.pop("funder_iban", "FR7630006000011234567890189"),
        funder_bic="",
        **extra,
    )
    return campaign_activate(campaign, by=admin) if active else campaign
