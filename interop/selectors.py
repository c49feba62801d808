"""Reads for interop's use cases: the site's search for a partner's query, the bookings made
through partners, and the lists of the admin pages."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from trips.models import Offer
from trips.selectors import Match, offers_matching

from .models import Partner, PartnerBooking, PartnerCall, Provider


def offers_matching_query(query: dict) -> list[Match]:
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


def offer_by_id(pk: int) -> Offer | None:
    """The ride a partner names (any status: booking it says why it cannot be booked)."""
    return Offer.objects.filter(pk=pk).first()


# --- bookings made through partners --------------------------------------------------------
def partner_booking_exists(booking_id: uuid.UUID) -> bool:
    """Whether a booking id is taken (by any partner: the ids are the bookings' keys)."""
    return PartnerBooking.objects.filter(pk=booking_id).exists()


def partner_booking_of(
    partner: Partner, booking_id: uuid.UUID, *, protocol: str | None = None
) -> PartnerBooking | None:
    """One of the partner's bookings, with what its body shows."""
    found = PartnerBooking.objects.select_related(
        "booking__offer__driver", "booking__passenger"
    ).filter(pk=booking_id, partner=partner)
    if protocol:
        found = found.filter(protocol=protocol)
    return found.first()


def partner_booking_of_journey(
    partner: Partner, passenger_id: str, offer: Offer
) -> PartnerBooking | None:
    """The partner's latest booking of a ride for one of its users."""
    return (
        PartnerBooking.objects.filter(
            partner=partner, passenger_id=passenger_id, booking__offer=offer
        )
        .select_related("booking__passenger")
        .order_by("-created_at")
        .first()
    )


def partner_booking_of_booking(booking) -> PartnerBooking | None:
    """The partner a booking was made through, if any."""
    return PartnerBooking.objects.filter(booking=booking).select_related("partner").first()


def partner_booking_to_tell(partner_booking_id: str) -> PartnerBooking | None:
    """A booking made through a partner, with what its event shows."""
    return (
        PartnerBooking.objects.select_related(
            "partner", "booking__offer__driver", "booking__passenger"
        )
        .filter(pk=partner_booking_id)
        .first()
    )


# --- the admin pages -----------------------------------------------------------------------
def partners_listed() -> QuerySet[Partner]:
    return Partner.objects.all()


def partner_calls_latest(limit: int = 100) -> QuerySet[PartnerCall]:
    return PartnerCall.objects.select_related("partner")[:limit]


def providers_listed() -> QuerySet[Provider]:
    return Provider.objects.all()


def providers_enabled() -> QuerySet[Provider]:
    return Provider.objects.filter(enabled=True)
