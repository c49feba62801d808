"""Standard covoiturage ↔ the domain: its query parameters and bodies read and checked, and
its JSON shapes (`DriverJourney`, `DriverTrip`, `JourneySchedule`, `Booking`) built."""

from __future__ import annotations

import uuid

from django.urls import reverse

from matching.network import Place

from ..errors import BadRequest
from ..parsing import (
    integer,
    moment_of,
    number,
    operator_domain,
    rough,
    search_query,
    text_field,
    user_ref,
    web_url,
)
from ..regular import WEEKDAY_CODES, clock

STATUS_OF = {
    "pending": "WAITING_CONFIRMATION",
    "accepted": "CONFIRMED",
    "declined": "CANCELLED",
    "cancelled": "CANCELLED",
}
BOOKING_STATUSES = (
    "WAITING_CONFIRMATION",
    "CONFIRMED",
    "CANCELLED",
    "COMPLETED_PENDING_VALIDATION",
    "VALIDATED",
)


# --- what partners send --------------------------------------------------------------------
def journeys_query(q) -> dict:
    """A punctual search: the shared parameters around `departureDate`."""
    return search_query(q, moment_of(integer(q, "departureDate")))


def _coordinate(body: dict, name: str, low: float, high: float) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"{name} must be a number.")
    return number({name: value}, name, low=low, high=high)


def _user(body: dict, name: str) -> dict:
    value = body.get(name)
    if not isinstance(value, dict):
        raise BadRequest(f"{name} must be a User object (id, alias, operator).")
    return {k: text_field(value, k) for k in ("id", "alias", "operator")}


def booking_key(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadRequest("bookingId must be a UUID.") from None


def new_booking(body: dict) -> dict:
    """A `POST /bookings` body: the partner's booking id and passenger, the ride
    (`driverJourneyId`, unchecked) and the pickup and drop-off."""
    try:
        booking_id = uuid.UUID(text_field(body, "id"))
    except ValueError:
        raise BadRequest("id must be a UUID.") from None
    if body.get("status", "WAITING_CONFIRMATION") != "WAITING_CONFIRMATION":
        raise BadRequest("A new booking has the status WAITING_CONFIRMATION.")
    passenger = _user(body, "passenger")
    _user(body, "driver")
    journey = text_field(body, "driverJourneyId")
    pickup = Place(
        _coordinate(body, "passengerPickupLng", -180, 180),
        _coordinate(body, "passengerPickupLat", -90, 90),
        text_field(body, "passengerPickupAddress", required=False, max_length=200),
    )
    dropoff = Place(
        _coordinate(body, "passengerDropLng", -180, 180),
        _coordinate(body, "passengerDropLat", -90, 90),
        text_field(body, "passengerDropAddress", required=False, max_length=200),
    )
    return {
        "booking_id": booking_id,
        "journey": journey,
        "passenger": passenger,
        "pickup": pickup,
        "dropoff": dropoff,
    }


def wanted_status(q) -> tuple[str, str]:
    """`PATCH /bookings/{id}?status=&message=`: the status asked for and the message."""
    wanted = q.get("status", "")
    message = q.get("message", "")[:500]
    if wanted not in BOOKING_STATUSES:
        raise BadRequest("status must be one of " + ", ".join(BOOKING_STATUSES) + ".")
    return wanted, message


def new_message(body: dict) -> tuple[str, str]:
    """A `POST /messages` body: the booking's id (unchecked) and the text."""
    _user(body, "from")
    _user(body, "to")
    text = text_field(body, "message", max_length=500)
    if body.get("recipientCarpoolerType", "DRIVER") != "DRIVER":
        raise BadRequest("Only drivers receive messages here.")
    if not body.get("bookingId"):
        raise BadRequest("bookingId is required: messages go through a booking's conversation.")
    return str(body["bookingId"]), text


# --- what partners receive -----------------------------------------------------------------
def driver_trip(request, match) -> dict:
    """The standard's `DriverTrip`: where the passenger is picked up and dropped off."""
    offer = match.offer
    return {
        "operator": operator_domain(),
        "driver": user_ref(offer.driver),
        "passengerPickupLat": match.pickup.y,
        "passengerPickupLng": match.pickup.x,
        "passengerDropLat": match.dropoff.y,
        "passengerDropLng": match.dropoff.x,
        "driverDepartureLat": rough(offer.origin.y),
        "driverDepartureLng": rough(offer.origin.x),
        "driverArrivalLat": rough(offer.destination.y),
        "driverArrivalLng": rough(offer.destination.x),
        "distance": round(match.passenger_m),
        "duration": round(match.passenger_s),
        "webUrl": web_url(request, reverse("offer_detail", args=[offer.pk])),
    }


def journey_schedule(request, match) -> dict:
    """The standard's `JourneySchedule`: one departure."""
    offer = match.offer
    return {
        "id": str(offer.pk),
        "type": "PLANNED",
        "passengerPickupDate": int(match.pickup_at.timestamp()),
        "driverDepartureDate": int(offer.departure_at.timestamp()),
        "webUrl": web_url(request, reverse("offer_detail", args=[offer.pk])),
    }


def driver_journey(request, match) -> dict:
    return {
        **driver_trip(request, match),
        **journey_schedule(request, match),
        "availableSeats": match.offer.seats_left,
        "price": {"type": "PAYING", "amount": float(match.price), "currency": "EUR"},
    }


def driver_regular_trip(request, trip) -> dict:
    """A weekly ride as a `DriverTrip` with its `schedules`: per weekday, each departure."""
    schedules = [
        {
            "passengerPickupDay": WEEKDAY_CODES[day],
            "passengerPickupTimeOfDay": clock(matches[0].pickup_at.timestamp()),
            "journeySchedules": [journey_schedule(request, m) for m in matches],
        }
        for day, matches in sorted(trip.days.items())
    ]
    return {**driver_trip(request, trip.first), "schedules": schedules}


def booking_status(booking) -> str:
    if booking.status == "accepted":
        if hasattr(booking, "journey"):
            return "VALIDATED"
        if booking.passenger_confirmed_at or booking.driver_confirmed_at:
            return "COMPLETED_PENDING_VALIDATION"
    return STATUS_OF[booking.status]


def booking_body(request, partner_booking) -> dict:
    booking = partner_booking.booking
    offer = booking.offer
    return {
        "id": str(partner_booking.id),
        "driver": user_ref(offer.driver),
        "passenger": {
            "id": partner_booking.passenger_id,
            "alias": booking.passenger.display_name,
            "operator": partner_booking.partner.operator,
        },
        "passengerPickupDate": int(booking.pickup_at.timestamp()),
        "passengerPickupLat": booking.pickup.y,
        "passengerPickupLng": booking.pickup.x,
        "passengerDropLat": booking.dropoff.y,
        "passengerDropLng": booking.dropoff.x,
        "passengerPickupAddress": booking.pickup_label,
        "passengerDropAddress": booking.dropoff_label,
        "status": booking_status(booking),
        "duration": round((booking.dropoff_at - booking.pickup_at).total_seconds()),
        "distance": booking.distance_m,
        "price": {"type": "PAYING", "amount": float(booking.price), "currency": "EUR"},
        "webUrl": web_url(request, reverse("offer_detail", args=[offer.pk])),
        "driverJourneyId": str(offer.pk),
    }
