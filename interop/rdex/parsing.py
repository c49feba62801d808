"""RDEX+ ↔ the domain: its query parameters, journey and booking ids and bodies read and
checked, and its JSON shapes (`Journey`, `Booking`) built."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from django.urls import reverse

from matching.network import Place

from ..errors import BadRequest
from ..parsing import (
    integer,
    moment_of,
    operator_domain,
    search_query,
    text_field,
    user_ref,
    web_url,
)
from ..regular import DAY_NAMES, clock, rdex_slots, regular_query

CARPOOLER_TYPES = ("driver", "passenger", "both")
FREQUENCIES = ("punctual", "regular", "both")
# A punctual journey's id carries the passenger's pickup and drop-off found by the search
# (`<ride>~<lng>,<lat>~<lng>,<lat>`): RDEX+'s booking names a journey, not places. A bare ride
# id books the driver's whole route.
JOURNEY_REF = re.compile(
    r"^(\d{1,18})(?:~(-?\d{1,3}(?:\.\d{1,7})?),(-?\d{1,2}(?:\.\d{1,7})?)"
    r"~(-?\d{1,3}(?:\.\d{1,7})?),(-?\d{1,2}(?:\.\d{1,7})?))?$"
)
MD5 = re.compile(r"^[0-9a-fA-F]{32}$")
STATUS_OF = {
    "pending": "pending",
    "accepted": "accepted",
    "declined": "rejected",
    "cancelled": "cancelled",
}
STATUSES = ("pending", "accepted", "rejected", "cancelled")


# --- what partners send --------------------------------------------------------------------
def _choice(query, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = query.get(name, default)  # given empty, it is none of the values either
    if value not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}.")
    return value


def journeys_query(q) -> dict:
    """`GET /journeys`: who is looked for (`carpoolerType`), the punctual search (None for
    `frequency=regular`), the regular one (None for `punctual`) and its weekly slots."""
    wanted = _choice(q, "carpoolerType", CARPOOLER_TYPES, "driver")
    frequency = _choice(q, "frequency", FREQUENCIES, "punctual")
    departure = integer(q, "departureDate", required=False)
    at = moment_of(departure) if departure is not None else datetime.now(tz=UTC)
    query = search_query(q, at)
    regular = regular_query(q, "departureDate", "maxDate") if frequency != "punctual" else None
    slots = rdex_slots(q) if regular else {}
    if regular is None:
        # A punctual search does not use them, but a malformed value is still the caller's
        # error to hear of (400), not something to ignore.
        integer(q, "maxDate", required=False)
        rdex_slots(q)
    return {
        "carpooler_type": wanted,
        "punctual": query if frequency != "regular" else None,
        "regular": regular,
        "slots": slots,
    }


def journey_ref(raw: str) -> tuple[int, tuple[Place, Place] | None] | None:
    """The ride a journey id names and the passenger's places it carries (None: the whole
    route); None when it names no ride."""
    if raw.startswith("regular-"):
        raise BadRequest("Book one departure of a regular journey (its punctual journey id).")
    found = JOURNEY_REF.match(raw)
    if not found:
        return None
    if found[2] is None:
        return int(found[1]), None
    numbers = [float(found[n]) for n in range(2, 6)]
    return int(found[1]), (Place(numbers[0], numbers[1]), Place(numbers[2], numbers[3]))


def route_places(offer) -> tuple[Place, Place]:
    """The driver's whole route, as a passenger's pickup and drop-off."""
    return (
        Place(offer.origin.x, offer.origin.y, offer.origin_label),
        Place(offer.destination.x, offer.destination.y, offer.destination_label),
    )


def _booking_id(raw: str) -> uuid.UUID:
    if not MD5.match(raw or ""):
        raise BadRequest("bookingId must be an MD5 hash (32 hexadecimal characters).")
    return uuid.UUID(raw)


def booking_key(raw: str) -> uuid.UUID | None:
    """The booking a path names (None: not an MD5, so no booking)."""
    return uuid.UUID(raw) if MD5.match(raw) else None


def new_booking(body: dict) -> dict:
    """A `POST /bookings` body: the partner's booking id, the users, the passenger's journey
    and the driver's journey id (unchecked)."""
    booking_id = _booking_id(
        body.get("bookingId") if isinstance(body.get("bookingId"), str) else ""
    )
    if body.get("status", "pending") != "pending":
        raise BadRequest("A new booking has the status pending.")
    if body.get("frequency") != "punctual":
        raise BadRequest("frequency must be punctual: book one departure at a time.")
    outward = body.get("outwardSchedule")
    if not isinstance(outward, dict) or not isinstance(outward.get("departureDate"), int):
        raise BadRequest("outwardSchedule.departureDate is required (UNIX seconds).")
    if isinstance(body.get("price"), bool) or not isinstance(body.get("price"), int | float):
        raise BadRequest("price must be a number.")
    driver_user = text_field(body, "driverUserid")
    passenger_user = text_field(body, "passengerUserid")
    passenger_journey = text_field(body, "passengerJourneyId")
    alias = text_field(body, "passengerAlias", required=False, max_length=80) or passenger_user[:80]
    return {
        "booking_id": booking_id,
        "driver_user": driver_user,
        "passenger_id": passenger_user,
        "passenger_journey_id": passenger_journey,
        "alias": alias,
        "journey": text_field(body, "driverJourneyId"),
    }


def wanted_status(q) -> str:
    """`PATCH /bookings/{id}?status=`: the status asked for."""
    wanted = q.get("status", "")
    if wanted not in STATUSES:
        raise BadRequest("status must be one of " + ", ".join(STATUSES) + ".")
    return wanted


def new_message(body: dict) -> dict:
    """A `POST /messages` body: the partner's user, the driver's journey id (unchecked) and
    the text (empty: none given)."""
    for name in ("driverUserid", "passengerJourneyId"):
        text_field(body, name)
    passenger_user = text_field(body, "passengerUserid")
    if body.get("recipientCarpoolerType") != "driver":
        raise BadRequest("recipientCarpoolerType must be driver: only our drivers are written to.")
    details = text_field(body, "details", required=False, max_length=500)
    return {
        "passenger_id": passenger_user,
        "details": details,
        "journey": text_field(body, "driverJourneyId"),
    }


# --- what partners receive -----------------------------------------------------------------
def journey_id(offer, pickup, dropoff) -> str:
    return f"{offer.pk}~{pickup.x:.5f},{pickup.y:.5f}~{dropoff.x:.5f},{dropoff.y:.5f}"


def journey(request, match) -> dict:
    offer = match.offer
    return {
        "id": journey_id(offer, match.pickup, match.dropoff),
        "type": "planned",
        "operator": operator_domain(),
        "operatorUrl": request.build_absolute_uri("/"),
        "webUrl": web_url(request, reverse("offer_detail", args=[offer.pk])),
        "carpoolerType": "driver",
        "user": {key: value for key, value in user_ref(offer.driver).items() if key != "operator"},
        "availableSeats": offer.seats_left,
        "from": {"longitude": round(offer.origin.x, 2), "latitude": round(offer.origin.y, 2)},
        "to": {
            "longitude": round(offer.destination.x, 2),
            "latitude": round(offer.destination.y, 2),
        },
        "duration": offer.duration_s,
        "distance": offer.distance_m,
        "price": {"type": "fixed", "amount": float(match.price), "currency": "EUR"},
        "frequency": "punctual",
        "outward": {
            "departureDate": int(offer.departure_at.timestamp()),
            "timeDelta": offer.margin_minutes * 60,
        },
    }


def regular_journey(request, trip) -> dict:
    """A weekly ride as a regular journey: the driver's departure time (UTC) on each day that
    serves the request, over the departures found in the period searched."""
    matches = sorted((m for ms in trip.days.values() for m in ms), key=lambda m: m.pickup_at)
    times = {
        f"{DAY_NAMES[day]}Time": clock(found[0].offer.departure_at.timestamp())
        for day, found in sorted(trip.days.items())
    }
    return {
        **journey(request, matches[0]),
        "id": f"regular-{trip.ride_id}",
        "frequency": "regular",
        "outward": {
            "departureDate": int(matches[0].offer.departure_at.timestamp()),
            "maxDate": int(matches[-1].offer.departure_at.timestamp()),
            "regularSchedule": [times],
            "timeDelta": matches[0].offer.margin_minutes * 60,
        },
    }


def booking_body(request, made) -> dict:
    """RDEX+'s `Booking` for a booking made through a partner."""
    booking = made.booking
    offer = booking.offer
    driver = user_ref(offer.driver)
    return {
        "bookingId": made.pk.hex,
        "driverJourneyId": journey_id(offer, booking.pickup, booking.dropoff),
        "driverUserid": driver["id"],
        "driverAlias": driver["alias"],
        "driverOperator": operator_domain(),
        "driverOperatorUrl": request.build_absolute_uri("/"),
        "passengerJourneyId": made.passenger_journey_id,
        "passengerUserid": made.passenger_id,
        "passengerAlias": booking.passenger.display_name,
        "passengerOperator": made.partner.operator,
        "frequency": "punctual",
        "outwardSchedule": {
            "departureDate": int(booking.pickup_at.timestamp()),
            "timeDelta": offer.margin_minutes * 60,
        },
        "status": STATUS_OF[booking.status],
        "price": float(booking.price),
    }
