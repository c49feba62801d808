"""RDEX+ 2.0.1 (data/specs/rdexplus_openapi.yaml), served by each territory under
`/interop/rdexplus/v2/`: `GET /journeys` (drivers' punctual and regular journeys), on the same
partner keys (header `api_key`, `X-API-Key` or Bearer), limits and access log as standard
covoiturage, with RDEX+'s error body `{"errorCode", "errorMessage"}`. Same minimum data:
alias and pseudonymous id, the driver's ends rounded to about a kilometre."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from .models import Endpoint
from .partners import BadRequest, integer, partner_api
from .regular import DAY_NAMES, clock, rdex_slots, regular_query, regular_trips
from .standard import matches_for, moment_of, operator_domain, search_query, user_ref, web_url

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
        "id": str(offer.pk),
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
