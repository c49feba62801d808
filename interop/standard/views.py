"""Standard covoiturage's endpoints: each reads the request (`parsing`), asks a selector or a
service, and answers the spec's JSON; `partners.partner_api` checks the key and maps errors."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..models import Endpoint
from ..parsing import json_body
from ..partners import partner_api
from ..regular import regular_query, regular_trips, standard_slots
from ..selectors import offers_matching_query, partner_booking_of
from ..services import partner_message_post
from . import parsing
from .services import standard_booking_request, standard_booking_status_change


def _made(partner, booking_id: str):
    found = partner_booking_of(partner, parsing.booking_key(booking_id))
    if found is None:
        raise Http404("missing_booking")
    return found


@require_GET
@partner_api(None)
def status(request, partner):
    return JsonResponse({"status": "ok"})


@require_GET
@partner_api(Endpoint.SEARCH)
def driver_journeys(request, partner):
    matches = offers_matching_query(parsing.journeys_query(request.GET))
    return JsonResponse([parsing.driver_journey(request, m) for m in matches], safe=False)


@require_GET
@partner_api(Endpoint.SEARCH)
def passenger_journeys(request, partner):
    """Passengers' searches are not published to partners (they stay anonymous figures)."""
    parsing.journeys_query(request.GET)
    return JsonResponse([], safe=False)


@require_GET
@partner_api(Endpoint.SEARCH)
def driver_regular_trips(request, partner):
    """Weekly rides whose departures pick the passenger up at `departureTimeOfDay` (UTC, ±
    timeDelta) on `departureWeekdays`, between min- and maxDepartureDate (eight weeks at most)."""
    slots = standard_slots(request.GET)
    query = regular_query(request.GET, "minDepartureDate", "maxDepartureDate")
    found = [parsing.driver_regular_trip(request, t) for t in regular_trips(query, slots)]
    return JsonResponse(found, safe=False)


@require_GET
@partner_api(Endpoint.SEARCH)
def passenger_regular_trips(request, partner):
    """Passengers' regular searches are not published either."""
    standard_slots(request.GET)
    regular_query(request.GET, "minDepartureDate", "maxDepartureDate")
    return JsonResponse([], safe=False)


# --- bookings and messages -----------------------------------------------------------------
@require_POST
@partner_api(Endpoint.BOOKINGS)
def bookings(request, partner):
    """A partner's passenger asks for a seat on one of our rides (`driverJourneyId`)."""
    made = standard_booking_request(partner, **parsing.new_booking(json_body(request)))
    return JsonResponse(parsing.booking_body(request, made), status=201)


@require_http_methods(["GET", "PATCH"])
@partner_api(Endpoint.BOOKINGS)
def booking_detail(request, partner, booking_id: str):
    made = _made(partner, booking_id)
    if request.method == "GET":
        return JsonResponse(parsing.booking_body(request, made))
    standard_booking_status_change(made, *parsing.wanted_status(request.GET))
    return JsonResponse(parsing.booking_body(request, _made(partner, booking_id)))


@require_POST
@partner_api(Endpoint.MESSAGES)
def messages(request, partner):
    """A partner's passenger writes to the driver of a booking made through the partner; the
    message goes into the booking's conversation."""
    booking_id, text = parsing.new_message(json_body(request))
    partner_message_post(_made(partner, booking_id), text)
    return JsonResponse({}, status=201)
