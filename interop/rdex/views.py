"""RDEX+'s endpoints: each reads the request (`parsing`), asks a selector or a service, and
answers the spec's JSON; `partners.partner_api` checks the key and maps errors (RDEX+'s body)."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..models import Endpoint
from ..parsing import json_body, user_ref
from ..partners import partner_api
from ..regular import regular_trips
from ..selectors import (
    offer_by_id,
    offers_matching_query,
    partner_booking_of,
    partner_booking_of_journey,
)
from . import parsing
from .services import rdex_booking_request, rdex_booking_status_change, rdex_message_post


def _journey(raw: str):
    """The ride and the passenger's places a journey id names (404 when the ride is gone)."""
    ref = parsing.journey_ref(raw)
    offer = offer_by_id(ref[0]) if ref else None
    if offer is None:
        raise Http404("missing_journey")
    pickup, dropoff = ref[1] or parsing.route_places(offer)
    return offer, pickup, dropoff


def _made(partner, raw: str):
    key = parsing.booking_key(raw)
    found = partner_booking_of(partner, key, protocol="rdex") if key else None
    if found is None:
        raise Http404("missing_booking")
    return found


@require_GET
@partner_api(Endpoint.SEARCH, style="rdex")
def journeys(request, partner):
    asked = parsing.journeys_query(request.GET)
    # Only drivers' journeys are published (each departure of a weekly ride is a punctual one);
    # passengers' searches stay anonymous figures.
    if asked["carpooler_type"] == "passenger":
        return JsonResponse({"journeys": []})
    punctual, regular = asked["punctual"], asked["regular"]
    found = []
    if punctual:
        found += [parsing.journey(request, m) for m in offers_matching_query(punctual)]
    if regular:
        found += [
            parsing.regular_journey(request, t) for t in regular_trips(regular, asked["slots"])
        ]
    return JsonResponse({"journeys": found})


# --- bookings and messages -----------------------------------------------------------------
@require_POST
@partner_api(Endpoint.BOOKINGS, style="rdex")
def bookings(request, partner):
    """A partner's passenger asks for a seat on one of our journeys (`driverJourneyId`)."""
    asked = parsing.new_booking(json_body(request))
    offer, pickup, dropoff = _journey(asked.pop("journey"))
    if user_ref(offer.driver)["id"] != asked.pop("driver_user"):
        raise Http404("missing_user")
    made = rdex_booking_request(partner, offer, pickup, dropoff, **asked)
    return JsonResponse(parsing.booking_body(request, made), status=201)


@require_http_methods(["GET", "PATCH"])
@partner_api(Endpoint.BOOKINGS, style="rdex")
def booking_detail(request, partner, booking_id: str):
    """GET: the booking as this operator sees it. PATCH ?status=cancelled: the partner's
    passenger cancels (the driver accepts or rejects on this site, never through a partner)."""
    made = _made(partner, booking_id)
    if request.method == "GET":
        return JsonResponse(parsing.booking_body(request, made))
    rdex_booking_status_change(made, parsing.wanted_status(request.GET))
    return JsonResponse(parsing.booking_body(request, _made(partner, booking_id)))


@require_POST
@partner_api(Endpoint.MESSAGES, style="rdex")
def messages(request, partner):
    """A partner's passenger writes to the driver of a journey they booked through the
    partner: the message goes into the booking's conversation."""
    asked = parsing.new_message(json_body(request))
    offer, _pickup, _dropoff = _journey(asked["journey"])
    made = partner_booking_of_journey(partner, asked["passenger_id"], offer)
    if made is None:
        raise Http404("missing_booking: write to a driver through a booking of their journey.")
    rdex_message_post(made, asked["details"])
    return JsonResponse({}, status=201)
