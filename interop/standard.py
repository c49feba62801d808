"""Standard covoiturage (1.0.0-alpha; data/specs/standard-covoiturage_openapi.yaml), served by
each territory under `/interop/standard-covoiturage/v1/`.

Searches go through the same selector and engine as the site. What partners receive is the
minimum the standard requires: a pseudonymous user id and the first name as alias (no full
name, no phone), the driver's departure and arrival rounded to about a kilometre, the exact
pickup and drop-off points the passenger asked for."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import Conflict
from matching.network import Place
from tenants.selectors import current_territory
from trips.selectors import offers_matching

from .models import Endpoint
from .partners import BadRequest, integer, json_body, number, partner_api

MAX_DAYS_AHEAD = 366
MAX_COUNT = 100


def operator_domain() -> str:
    return current_territory().primary_host or "archipel.localhost"


def user_ref(user) -> dict:
    """A person as the standard's `User`: an id that means nothing outside this operator."""
    digest = hashlib.sha256(
        f"{settings.SECRET_KEY}:{connection.schema_name}:{user.pk}".encode()
    ).hexdigest()[:20]
    return {"id": digest, "alias": user.display_name, "operator": operator_domain()}


def web_url(request, path: str) -> str:
    return request.build_absolute_uri(path)


def _rough(value: float) -> float:
    return round(value, 2)  # about a kilometre


def moment_of(departure: int) -> datetime:
    """A departure date (UNIX seconds) a search may ask for: from yesterday to a year ahead."""
    now = datetime.now(tz=UTC)
    try:
        at = datetime.fromtimestamp(departure, tz=UTC)
    except (ValueError, OverflowError, OSError):  # beyond the calendar
        at = None
    if at is None or not (now - timedelta(days=1) <= at <= now + timedelta(days=MAX_DAYS_AHEAD)):
        raise BadRequest("departureDate must be within the next year.")
    return at


def matches_for(query: dict) -> list:
    """The site's search for a partner's query; a place off this territory's road network
    simply finds nothing."""
    if not query["count"]:
        return []
    try:
        return offers_matching(
            pickup=query["pickup"],
            dropoff=query["dropoff"],
            window_start=query["window_start"],
            window_end=query["window_end"],
            limit=query["count"],
        )
    except ValidationError:
        return []


def search_query(q, at: datetime) -> dict:
    """The search parameters both standards share (coordinates, time margin, count, radii)
    around the departure moment `at`, checked."""
    delta = integer(q, "timeDelta", required=False, default=900, low=0, high=43_200)
    count = integer(q, "count", required=False, default=MAX_COUNT, low=0, high=10**6)
    number(q, "departureRadius", required=False, default=1.0, low=0, high=1000)
    number(q, "arrivalRadius", required=False, default=1.0, low=0, high=1000)
    return {
        "pickup": Place(
            number(q, "departureLng", low=-180, high=180),
            number(q, "departureLat", low=-90, high=90),
        ),
        "dropoff": Place(
            number(q, "arrivalLng", low=-180, high=180),
            number(q, "arrivalLat", low=-90, high=90),
        ),
        "window_start": at - timedelta(seconds=delta),
        "window_end": at + timedelta(seconds=delta),
        "count": min(count, MAX_COUNT),
    }


def _search_query(request) -> dict:
    return search_query(request.GET, moment_of(integer(request.GET, "departureDate")))


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
        "driverDepartureLat": _rough(offer.origin.y),
        "driverDepartureLng": _rough(offer.origin.x),
        "driverArrivalLat": _rough(offer.destination.y),
        "driverArrivalLng": _rough(offer.destination.x),
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


@require_GET
@partner_api(None)
def status(request, partner):
    return JsonResponse({"status": "ok"})


@require_GET
@partner_api(Endpoint.SEARCH)
def driver_journeys(request, partner):
    matches = matches_for(_search_query(request))
    return JsonResponse([driver_journey(request, m) for m in matches], safe=False)


@require_GET
@partner_api(Endpoint.SEARCH)
def passenger_journeys(request, partner):
    """Passengers' searches are not published to partners (they stay anonymous figures)."""
    _search_query(request)
    return JsonResponse([], safe=False)


@require_GET
@partner_api(Endpoint.SEARCH)
def driver_regular_trips(request, partner):
    """Weekly rides whose departures pick the passenger up at `departureTimeOfDay` (UTC, ±
    timeDelta) on `departureWeekdays`, between min- and maxDepartureDate (eight weeks at most)."""
    from .regular import WEEKDAY_CODES, clock, regular_query, regular_trips, standard_slots

    slots = standard_slots(request.GET)
    query = regular_query(request.GET, "minDepartureDate", "maxDepartureDate")
    found = []
    for trip in regular_trips(query, slots):
        schedules = [
            {
                "passengerPickupDay": WEEKDAY_CODES[day],
                "passengerPickupTimeOfDay": clock(matches[0].pickup_at.timestamp()),
                "journeySchedules": [journey_schedule(request, m) for m in matches],
            }
            for day, matches in sorted(trip.days.items())
        ]
        found.append({**driver_trip(request, trip.first), "schedules": schedules})
    return JsonResponse(found, safe=False)


@require_GET
@partner_api(Endpoint.SEARCH)
def passenger_regular_trips(request, partner):
    """Passengers' regular searches are not published either."""
    from .regular import regular_query, standard_slots

    standard_slots(request.GET)
    regular_query(request.GET, "minDepartureDate", "maxDepartureDate")
    return JsonResponse([], safe=False)


# --- bookings and messages -----------------------------------------------------------------
STATUS_OF = {
    "pending": "WAITING_CONFIRMATION",
    "accepted": "CONFIRMED",
    "declined": "CANCELLED",
    "cancelled": "CANCELLED",
}


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


def text_field(body: dict, name: str, *, required=True, max_length=255) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise BadRequest(f"{name} must be a non-empty string of {max_length} characters at most.")
    return value.strip()


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


def _partner_booking(partner, booking_id: str):
    from .models import PartnerBooking

    try:
        key = uuid.UUID(booking_id)
    except ValueError:
        raise BadRequest("bookingId must be a UUID.") from None
    found = (
        PartnerBooking.objects.select_related("booking__offer__driver", "booking__passenger")
        .filter(pk=key, partner=partner)
        .first()
    )
    if found is None:
        raise Http404("missing_booking")
    return found


@require_POST
@partner_api(Endpoint.BOOKINGS)
def bookings(request, partner):
    """A partner's passenger asks for a seat on one of our rides (`driverJourneyId`)."""
    from trips.models import Offer
    from trips.services import booking_request

    from .models import PartnerBooking

    body = json_body(request)
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
    if PartnerBooking.objects.filter(pk=booking_id).exists():
        raise Conflict("status_already_set: this booking id is already used.")
    if not journey.isdigit() or not Offer.objects.filter(pk=int(journey)).exists():
        raise BadRequest("missing_journey")  # the spec's POST /bookings answers 400, not 404
    user = partner_passenger(partner, passenger["id"], passenger["alias"])
    booking = booking_request(offer_id=int(journey), passenger=user, pickup=pickup, dropoff=dropoff)
    made = PartnerBooking.objects.create(
        id=booking_id, partner=partner, booking=booking, passenger_id=passenger["id"]
    )
    return JsonResponse(booking_body(request, made), status=201)


def partner_passenger(partner, external_id: str, alias: str):
    """The local account standing for the partner's user (created the first time)."""
    from django.contrib.auth import get_user_model

    from .models import PartnerPassenger

    found = PartnerPassenger.objects.filter(partner=partner, external_id=external_id).first()
    if found:
        return found.user
    user = get_user_model().objects.create_user(first_name=alias[:80])
    PartnerPassenger.objects.create(partner=partner, external_id=external_id, user=user)
    return user


@require_http_methods(["GET", "PATCH"])
@partner_api(Endpoint.BOOKINGS)
def booking_detail(request, partner, booking_id: str):
    from trips.services import booking_cancel, booking_confirm

    made = _partner_booking(partner, booking_id)
    if request.method == "GET":
        return JsonResponse(booking_body(request, made))
    wanted = request.GET.get("status", "")
    message = request.GET.get("message", "")[:500]
    if wanted not in BOOKING_STATUSES:
        raise BadRequest("status must be one of " + ", ".join(BOOKING_STATUSES) + ".")
    if wanted == booking_status(made.booking):
        raise Conflict("status_already_set")
    passenger = made.booking.passenger
    if wanted == "CANCELLED":
        booking_cancel(made.booking, by=passenger, reason=message)
    elif wanted in ("COMPLETED_PENDING_VALIDATION", "VALIDATED"):
        booking_confirm(made.booking, by=passenger)
    else:
        raise BadRequest("The driver confirms the booking on this operator's site.")
    return JsonResponse(booking_body(request, _partner_booking(partner, booking_id)))


BOOKING_STATUSES = (
    "WAITING_CONFIRMATION",
    "CONFIRMED",
    "CANCELLED",
    "COMPLETED_PENDING_VALIDATION",
    "VALIDATED",
)


@require_POST
@partner_api(Endpoint.MESSAGES)
def messages(request, partner):
    """A partner's passenger writes to the driver of a booking made through the partner; the
    message goes into the booking's conversation."""
    from trips import conversations

    body = json_body(request)
    _user(body, "from")
    _user(body, "to")
    text = text_field(body, "message", max_length=500)
    if body.get("recipientCarpoolerType", "DRIVER") != "DRIVER":
        raise BadRequest("Only drivers receive messages here.")
    if not body.get("bookingId"):
        raise BadRequest("bookingId is required: messages go through a booking's conversation.")
    made = _partner_booking(partner, str(body["bookingId"]))
    talk = conversations.conversation_of(made.booking)
    conversations.post(talk, made.booking.passenger, text)
    return JsonResponse({}, status=201)
