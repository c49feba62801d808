"""Standard covoiturage (1.0.0-alpha; data/specs/standard-covoiturage_openapi.yaml), served by
each territory under `/interop/standard-covoiturage/v1/`.

Searches go through the same selector and engine as the site. What partners receive is the
minimum the standard requires: a pseudonymous user id and the first name as alias (no full
name, no phone), the driver's departure and arrival rounded to about a kilometre, the exact
pickup and drop-off points the passenger asked for."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from tenants.selectors import current_territory
from trips.selectors import offers_matching
from trips.services import Place

from .models import Endpoint
from .partners import BadRequest, integer, number, partner_api

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


def _search_query(request) -> dict:
    q = request.GET
    departure = integer(q, "departureDate")
    now = datetime.now(tz=UTC)
    try:
        at = datetime.fromtimestamp(departure, tz=UTC)
    except (ValueError, OverflowError, OSError):  # beyond the calendar
        at = None
    if at is None or not (now - timedelta(days=1) <= at <= now + timedelta(days=MAX_DAYS_AHEAD)):
        raise BadRequest("departureDate must be within the next year.")
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


def driver_journey(request, match) -> dict:
    offer = match.offer
    return {
        "id": str(offer.pk),
        "operator": operator_domain(),
        "type": "PLANNED",
        "driver": user_ref(offer.driver),
        "passengerPickupLat": match.pickup.y,
        "passengerPickupLng": match.pickup.x,
        "passengerDropLat": match.dropoff.y,
        "passengerDropLng": match.dropoff.x,
        "passengerPickupDate": int(match.pickup_at.timestamp()),
        "driverDepartureDate": int(offer.departure_at.timestamp()),
        "driverDepartureLat": _rough(offer.origin.y),
        "driverDepartureLng": _rough(offer.origin.x),
        "driverArrivalLat": _rough(offer.destination.y),
        "driverArrivalLng": _rough(offer.destination.x),
        "distance": round(match.passenger_m),
        "duration": round(match.passenger_s),
        "availableSeats": offer.seats_left,
        "price": {"type": "PAYING", "amount": float(match.price), "currency": "EUR"},
        "webUrl": web_url(request, reverse("offer_detail", args=[offer.pk])),
    }


@require_GET
@partner_api(None)
def status(request, partner):
    return JsonResponse({"status": "ok"})


@require_GET
@partner_api(Endpoint.SEARCH)
def driver_journeys(request, partner):
    query = _search_query(request)
    if not query["count"]:
        return JsonResponse([], safe=False)
    try:
        matches = offers_matching(
            pickup=query["pickup"],
            dropoff=query["dropoff"],
            window_start=query["window_start"],
            window_end=query["window_end"],
            limit=query["count"],
        )
    except ValidationError:
        return JsonResponse([], safe=False)  # off this territory's road network: no journey
    return JsonResponse([driver_journey(request, m) for m in matches], safe=False)


@require_GET
@partner_api(Endpoint.SEARCH)
def passenger_journeys(request, partner):
    """Passengers' searches are not published to partners (they stay anonymous figures)."""
    _search_query(request)
    return JsonResponse([], safe=False)
