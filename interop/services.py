"""Bookings and messages through a partner, shared by both standards: the partner's user acts
through a local account of its own, and the booking and its conversation are the site's
(trips' services and conversations)."""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.db import transaction

from core.errors import Conflict
from matching.network import Place
from trips import conversations
from trips.services.bookings import booking_cancel, booking_request
from trips.services.journeys import booking_confirm

from .errors import BadRequest
from .models import Partner, PartnerBooking, PartnerPassenger, Provider
from .outbound import breaker_reset
from .selectors import partner_booking_exists


def partner_passenger_account(partner: Partner, external_id: str, alias: str):
    """The local account standing for the partner's user (created the first time)."""
    found = PartnerPassenger.objects.filter(partner=partner, external_id=external_id).first()
    if found:
        return found.user
    user = get_user_model().objects.create_user(first_name=alias[:80])
    PartnerPassenger.objects.create(partner=partner, external_id=external_id, user=user)
    return user


@transaction.atomic
def partner_booking_request(
    partner: Partner,
    *,
    booking_id: uuid.UUID,
    taken: str,
    offer_id: int | None,
    passenger_id: str,
    alias: str,
    pickup: Place,
    dropoff: Place,
    **fields,
) -> PartnerBooking:
    """The partner's user asks for a seat (trips' `booking_request`). `taken`: the standard's
    words for a booking id already used (409); `offer_id`: None when the partner named none
    of our rides (400, after the id's check); `fields`: what the standard keeps besides
    (protocol, passenger_journey_id)."""
    if partner_booking_exists(booking_id):
        raise Conflict(taken)
    if offer_id is None:
        raise BadRequest("missing_journey")  # the standard's POST /bookings answers 400, not 404
    user = partner_passenger_account(partner, passenger_id, alias)
    booking = booking_request(offer_id=offer_id, passenger=user, pickup=pickup, dropoff=dropoff)
    return PartnerBooking.objects.create(
        id=booking_id, partner=partner, booking=booking, passenger_id=passenger_id, **fields
    )


def partner_booking_cancel(made: PartnerBooking, *, reason: str = "") -> None:
    """The partner's passenger cancels."""
    booking_cancel(made.booking, by=made.booking.passenger, reason=reason)


def partner_booking_confirm(made: PartnerBooking) -> None:
    """The partner's passenger confirms the trip took place."""
    booking_confirm(made.booking, by=made.booking.passenger)


def partner_message_post(made: PartnerBooking, text: str) -> None:
    """The partner's passenger writes into the booking's conversation."""
    conversations.message_post(
        conversations.conversation_of(made.booking), made.booking.passenger, text
    )


# --- providers: other platforms whose journeys appear under our search results ------------
def provider_add(provider: Provider) -> Provider:
    provider.save()
    return provider


def provider_change(provider: Provider) -> Provider:
    """Saved, and asked again from the next search (its circuit breaker is reset)."""
    provider.save()
    breaker_reset(provider)
    return provider


def provider_remove(provider: Provider) -> None:
    provider.delete()
