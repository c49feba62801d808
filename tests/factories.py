"""What the tests make, shared by every test directory: the cast's password, real places on
the Andorra road network, tomorrow's times, people, bookings and journeys."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.utils import timezone

from core.services import user_ensure_verified
from matching.network import Place
from trips.models import Booking, Journey, Offer
from trips.services.bookings import booking_decide, booking_request
from trips.services.journeys import booking_confirm

PASSWORD = "correct-horse-battery"

# Real places on the Andorra road network.
ENCAMP = Place(1.5800, 42.5360, "Encamp")
ANDORRA_LA_VELLA = Place(1.5215, 42.5070, "Andorra la Vella")
ESCALDES = Place(1.5410, 42.5100, "Escaldes-Engordany")
CANILLO = Place(1.5975, 42.5670, "Canillo")
SANT_JULIA = Place(1.4910, 42.4650, "Sant Julià de Lòria")


def tomorrow_at(hour: int, minute: int = 0):
    local = timezone.localtime() + timedelta(days=1)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def person(n: int):
    return user_ensure_verified(f"person{n}@figures.test", password=PASSWORD, first_name=f"P{n}")


def book(ride, passenger, seats=1, pickup=ESCALDES, dropoff=ANDORRA_LA_VELLA):
    return booking_request(
        offer_id=ride.pk, passenger=passenger, pickup=pickup, dropoff=dropoff, seats=seats
    )


def october_journey(
    driver, passenger, origin="AD-03", destination="AD-07", seats=1, km=10.0, day=5
):
    """A journey on `day` October 2026 at 08:00, for the authority's figures."""
    at = timezone.make_aware(timezone.datetime(2026, 10, day, 8, 0))
    return Journey.objects.create(
        kind=Journey.Kind.SOLIDARITY,  # no booking needed; same figures as a carpool journey
        driver=driver,
        passenger=passenger,
        pickup_at=at,
        dropoff_at=at + timedelta(minutes=20),
        pickup=Point(1.58, 42.53, srid=4326),
        dropoff=Point(1.52, 42.50, srid=4326),
        distance_m=round(km * 1000),
        duration_s=1200,
        seats=seats,
        amount=Decimal("0.80"),
        pickup_commune=origin,
        dropoff_commune=destination,
        driver_confirmed_at=at,
    )


def booking_taken(ride, in_alpha, *, ago: timedelta, pickup_after: int, ride_min: int):
    """Alpha's citizen booked `ride`, the driver accepted, and the ride left `ago`: pickup
    `pickup_after` minutes after the departure, drop-off `ride_min` minutes later."""
    booking = booking_decide(book(ride, in_alpha["citizen"]), by=in_alpha["driver"], accept=True)
    past = timezone.now() - ago
    Offer.objects.filter(pk=ride.pk).update(departure_at=past)
    pickup = past + timedelta(minutes=pickup_after)
    Booking.objects.filter(pk=booking.pk).update(
        pickup_at=pickup, dropoff_at=pickup + timedelta(minutes=ride_min)
    )
    booking.refresh_from_db()
    return booking


def registry_journey(ride, in_alpha, reports: dict):
    """A booking of Alpha's citizen on `ride`, two hours ago, confirmed by both sides (with
    their `reports`), whose people have the phone and last name the national registry needs."""
    for role, phone, name in (
        ("driver", "06 01 02 03 04", "Pujol"),
        ("citizen", "+33612345678", "Vidal"),
    ):
        person = in_alpha[role]
        person.phone, person.last_name = phone, name
        person.save()
    booking = booking_taken(ride, in_alpha, ago=timedelta(hours=2), pickup_after=5, ride_min=10)
    for role in ("driver", "citizen"):
        booking_confirm(booking, by=in_alpha[role], report=reports.get(role))
    return booking
