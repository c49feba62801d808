"""After the ride: driver and passenger each confirm it took place, optionally with what their
browser reported (`JourneyReport`); both confirmations make a `Journey`, the travelled trip the
territory's figures count."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.network import METRES_PER_DEGREE, Place, commune_at, valid_coordinates

from .. import events
from ..errors import Conflict, ValidationError
from ..models import Booking, Confirmation, Journey
from .bookings import booking_locked


@dataclass(frozen=True)
class JourneyReport:
    """What a browser may send with a confirmation: when and where the pickup and the drop-off
    took place. Every part is optional."""

    pickup_at: datetime | None = None
    dropoff_at: datetime | None = None
    pickup: Place | None = None
    dropoff: Place | None = None


REPORT_EARLIEST = timedelta(hours=6)  # before the booked pickup
REPORT_CLOCK_SKEW = timedelta(minutes=5)  # a browser's clock may run a little ahead
REPORT_MAX_OFFSET_M = 20_000  # from the booked point: further is another trip


def _report_errors(booking: Booking, report: JourneyReport) -> dict[str, str]:
    errors: dict[str, str] = {}
    earliest = booking.pickup_at - REPORT_EARLIEST
    latest = timezone.now() + REPORT_CLOCK_SKEW
    for name in ("pickup_at", "dropoff_at"):
        at = getattr(report, name)
        if at is not None and not earliest <= at <= latest:
            errors[name] = _("This time does not fit the ride (booked pickup at %(time)s).") % {
                "time": timezone.localtime(booking.pickup_at).strftime("%H:%M")
            }
    if report.pickup_at and report.dropoff_at and report.dropoff_at <= report.pickup_at:
        errors["dropoff_at"] = _("The drop-off comes after the pickup.")
    for name, booked in (("pickup", booking.pickup), ("dropoff", booking.dropoff)):
        place = getattr(report, name)
        if place is None:
            continue
        if not valid_coordinates(place):
            errors[name] = _("Invalid coordinates.")
        elif _metres(booked, place) > REPORT_MAX_OFFSET_M:
            errors[name] = _("This position is far from the booked place.")
    return errors


def _metres(a: Point, b: Place) -> float:
    """Straight-line distance, accurate enough at a few kilometres."""
    dx = (b.lon - a.x) * math.cos(math.radians(a.y))
    return math.hypot(dx, b.lat - a.y) * METRES_PER_DEGREE


def _point(place: Place | None) -> Point | None:
    return Point(place.lon, place.lat, srid=4326) if place else None


@transaction.atomic
def booking_confirm(booking: Booking, *, by, report: JourneyReport | None = None) -> Booking:
    """Driver and passenger each confirm the ride took place, optionally with the times and
    positions their browser reported; both confirmations → a journey. Confirming again
    changes nothing."""
    booking = booking_locked(booking)
    if booking.status != Booking.Status.ACCEPTED:
        raise Conflict(_("Only an accepted booking can be confirmed."))
    if booking.pickup_at > timezone.now():
        raise Conflict(_("The ride can be confirmed once it has taken place."))
    if by.pk == booking.offer.driver_id:
        side = Confirmation.Side.DRIVER
    elif by.pk == booking.passenger_id:
        side = Confirmation.Side.PASSENGER
    else:
        raise Conflict(_("Only the passenger or the driver can confirm this ride."))
    report = report or JourneyReport()
    errors = _report_errors(booking, report)
    if errors:
        raise ValidationError(errors)
    confirmation, created = Confirmation.objects.get_or_create(
        booking=booking,
        side=side,
        defaults={
            "pickup_at": report.pickup_at,
            "dropoff_at": report.dropoff_at,
            "pickup": _point(report.pickup),
            "dropoff": _point(report.dropoff),
        },
    )
    if created:
        setattr(booking, f"{side}_confirmed_at", confirmation.confirmed_at)
        booking.save(update_fields=[f"{side}_confirmed_at"])
    if booking.driver_confirmed_at and booking.passenger_confirmed_at:
        _journey_create(booking)
    return booking


def _journey_create(booking: Booking) -> Journey:
    journey, created = Journey.objects.get_or_create(
        booking=booking,
        defaults={
            "driver_id": booking.offer.driver_id,
            "passenger_id": booking.passenger_id,
            "pickup_at": booking.pickup_at,
            "dropoff_at": booking.dropoff_at,
            "pickup": booking.pickup,
            "dropoff": booking.dropoff,
            "distance_m": booking.distance_m,
            "duration_s": round((booking.dropoff_at - booking.pickup_at) / timedelta(seconds=1)),
            "seats": booking.seats,
            "amount": booking.price,
            "pickup_commune": commune_at(booking.pickup),
            "dropoff_commune": commune_at(booking.dropoff),
            "driver_confirmed_at": booking.driver_confirmed_at,
            "passenger_confirmed_at": booking.passenger_confirmed_at,
        },
    )
    if created:
        events.journey_recorded.send(Journey, journey=journey)
    return journey
