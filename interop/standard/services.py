"""Standard covoiturage's rules for bookings through a partner: the partner picks the booking
id and the places; its passenger cancels or confirms the trip took place, never decides for
the driver."""

from __future__ import annotations

import uuid

from core.errors import Conflict
from matching.network import Place

from ..errors import BadRequest
from ..models import Partner, PartnerBooking
from ..selectors import offer_by_id
from ..services import partner_booking_cancel, partner_booking_confirm, partner_booking_request
from .parsing import booking_status


def standard_booking_request(
    partner: Partner,
    *,
    booking_id: uuid.UUID,
    journey: str,
    passenger: dict,
    pickup: Place,
    dropoff: Place,
) -> PartnerBooking:
    """A partner's passenger asks for a seat on one of our rides (`journey`: its id)."""
    known = journey.isdigit() and offer_by_id(int(journey)) is not None
    return partner_booking_request(
        partner,
        booking_id=booking_id,
        taken="status_already_set: this booking id is already used.",
        offer_id=int(journey) if known else None,
        passenger_id=passenger["id"],
        alias=passenger["alias"],
        pickup=pickup,
        dropoff=dropoff,
    )


def standard_booking_status_change(made: PartnerBooking, wanted: str, message: str) -> None:
    """`wanted`: one of the standard's statuses; the passenger's `message` goes with a
    cancellation."""
    if wanted == booking_status(made.booking):
        raise Conflict("status_already_set")
    if wanted == "CANCELLED":
        partner_booking_cancel(made, reason=message)
    elif wanted in ("COMPLETED_PENDING_VALIDATION", "VALIDATED"):
        partner_booking_confirm(made)
    else:
        raise BadRequest("The driver confirms the booking on this operator's site.")
