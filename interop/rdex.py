"""RDEX+ 2.0.1 (data/specs/rdexplus_openapi.yaml), served by each territory under
`/interop/rdexplus/v2/`: `GET /journeys` (drivers' punctual and regular journeys), on the same
partner keys (header `api_key`, `X-API-Key` or Bearer), limits and access log as standard
covoiturage, with RDEX+'s error body `{"errorCode", "errorMessage"}`. Same minimum data:
alias and pseudonymous id, the driver's ends rounded to about a kilometre."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import Conflict
from matching.network import Place

from .models import Endpoint
from .partners import BadRequest, Forbidden, integer, json_body, partner_api
from .regular import DAY_NAMES, clock, rdex_slots, regular_query, regular_trips
from .standard import (
    matches_for,
    moment_of,
    operator_domain,
    search_query,
    text_field,
    user_ref,
    web_url,
)

CARPOOLER_TYPES = ("driver", "passenger", "both")
FREQUENCIES = ("punctual", "regular", "both")


def _choice(query, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = query.get(name) or default
    if value not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}.")
    return value


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


@require_GET
@partner_api(Endpoint.SEARCH, style="rdex")
def journeys(request, partner):
    q = request.GET
    wanted = _choice(q, "carpoolerType", CARPOOLER_TYPES, "driver")
    frequency = _choice(q, "frequency", FREQUENCIES, "punctual")
    departure = integer(q, "departureDate", required=False)
    at = moment_of(departure) if departure is not None else datetime.now(tz=UTC)
    query = search_query(q, at)
    regular = regular_query(q, "departureDate", "maxDate") if frequency != "punctual" else None
    slots = rdex_slots(q) if regular else {}
    # Only drivers' journeys are published (each departure of a weekly ride is a punctual one);
    # passengers' searches stay anonymous figures.
    if wanted == "passenger":
        return JsonResponse({"journeys": []})
    found = [journey(request, m) for m in matches_for(query)] if frequency != "regular" else []
    if regular:
        found += [regular_journey(request, t) for t in regular_trips(regular, slots)]
    return JsonResponse({"journeys": found})


# --- bookings and messages -----------------------------------------------------------------
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


def journey_id(offer, pickup, dropoff) -> str:
    return f"{offer.pk}~{pickup.x:.5f},{pickup.y:.5f}~{dropoff.x:.5f},{dropoff.y:.5f}"


def _journey(raw: str):
    """The ride and the passenger's places a journey id names (404 when the ride is gone)."""
    from trips.models import Offer

    if raw.startswith("regular-"):
        raise BadRequest("Book one departure of a regular journey (its punctual journey id).")
    found = JOURNEY_REF.match(raw)
    offer = Offer.objects.filter(pk=int(found[1])).first() if found else None
    if offer is None:
        raise Http404("missing_journey")
    if found[2] is None:
        return (
            offer,
            Place(offer.origin.x, offer.origin.y, offer.origin_label),
            Place(offer.destination.x, offer.destination.y, offer.destination_label),
        )
    numbers = [float(found[n]) for n in range(2, 6)]
    return offer, Place(numbers[0], numbers[1]), Place(numbers[2], numbers[3])


def _booking_id(raw: str) -> uuid.UUID:
    if not MD5.match(raw or ""):
        raise BadRequest("bookingId must be an MD5 hash (32 hexadecimal characters).")
    return uuid.UUID(raw)


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


def _made(partner, raw: str):
    from .models import PartnerBooking

    found = (
        PartnerBooking.objects.select_related("booking__offer__driver", "booking__passenger")
        .filter(pk=uuid.UUID(raw), partner=partner, protocol="rdex")
        .first()
        if MD5.match(raw)
        else None
    )
    if found is None:
        raise Http404("missing_booking")
    return found


@require_POST
@partner_api(Endpoint.BOOKINGS, style="rdex")
def bookings(request, partner):
    """A partner's passenger asks for a seat on one of our journeys (`driverJourneyId`)."""
    from trips.services import booking_request

    from .models import PartnerBooking
    from .standard import partner_passenger

    body = json_body(request)
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
    offer, pickup, dropoff = _journey(text_field(body, "driverJourneyId"))
    if user_ref(offer.driver)["id"] != driver_user:
        raise Http404("missing_user")
    if PartnerBooking.objects.filter(pk=booking_id).exists():
        raise Conflict("booking_already_exists")
    user = partner_passenger(partner, passenger_user, alias)
    booking = booking_request(offer_id=offer.pk, passenger=user, pickup=pickup, dropoff=dropoff)
    made = PartnerBooking.objects.create(
        id=booking_id,
        partner=partner,
        booking=booking,
        passenger_id=passenger_user,
        protocol="rdex",
        passenger_journey_id=passenger_journey,
    )
    return JsonResponse(booking_body(request, made), status=201)


@require_http_methods(["GET", "PATCH"])
@partner_api(Endpoint.BOOKINGS, style="rdex")
def booking_detail(request, partner, booking_id: str):
    """GET: the booking as this operator sees it. PATCH ?status=cancelled: the partner's
    passenger cancels (the driver accepts or rejects on this site, never through a partner)."""
    from trips.services import booking_cancel

    made = _made(partner, booking_id)
    if request.method == "GET":
        return JsonResponse(booking_body(request, made))
    wanted = request.GET.get("status", "")
    if wanted not in STATUSES:
        raise BadRequest("status must be one of " + ", ".join(STATUSES) + ".")
    if wanted == STATUS_OF[made.booking.status]:
        raise Conflict("status_already_set")
    if wanted != "cancelled":
        raise Forbidden("The driver accepts or rejects the booking on this operator's site.")
    booking_cancel(made.booking, by=made.booking.passenger)
    return JsonResponse(booking_body(request, _made(partner, booking_id)))


@require_POST
@partner_api(Endpoint.MESSAGES, style="rdex")
def messages(request, partner):
    """A partner's passenger writes to the driver of a journey they booked through the
    partner: the message goes into the booking's conversation (with no `details`, the
    connection itself is the message)."""
    from django.utils.translation import gettext as _

    from trips import conversations

    from .models import PartnerBooking

    body = json_body(request)
    for name in ("driverUserid", "passengerJourneyId"):
        text_field(body, name)
    passenger_user = text_field(body, "passengerUserid")
    if body.get("recipientCarpoolerType") != "driver":
        raise BadRequest("recipientCarpoolerType must be driver: only our drivers are written to.")
    details = text_field(body, "details", required=False, max_length=500)
    offer, _pickup, _dropoff = _journey(text_field(body, "driverJourneyId"))
    made = (
        PartnerBooking.objects.filter(
            partner=partner, passenger_id=passenger_user, booking__offer=offer
        )
        .select_related("booking__passenger")
        .order_by("-created_at")
        .first()
    )
    if made is None:
        raise Http404("missing_booking: write to a driver through a booking of their journey.")
    passenger = made.booking.passenger
    text = details or _("%(name)s would like to carpool with you.") % {
        "name": passenger.display_name
    }
    conversations.post(conversations.conversation_of(made.booking), passenger, text)
    return JsonResponse({}, status=201)
