"""RDEX+'s rules for bookings through a partner: the booking is made exactly as the journey
was found; the partner's passenger may cancel, never accept or reject for the driver; a
message without text is the connection itself."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import Conflict
from matching.network import Place
from trips.models import Offer

from ..errors import Forbidden
from ..models import Partner, PartnerBooking
from ..services import partner_booking_cancel, partner_booking_request, partner_message_post
from .parsing import STATUS_OF


def rdex_booking_request(
    partner: Partner, offer: Offer, pickup: Place, dropoff: Place, **asked
) -> PartnerBooking:
    """A partner's passenger asks for a seat on one of our journeys, with the places its id
    carries; `asked`: the booking id, the partner's user and its journey (`new_booking`)."""
    return partner_booking_request(
        partner,
        taken="booking_already_exists",
        offer_id=offer.pk,
        pickup=pickup,
        dropoff=dropoff,
        protocol="rdex",
        **asked,
    )


def rdex_booking_status_change(made: PartnerBooking, wanted: str) -> None:
    """`wanted`: one of RDEX+'s statuses; only `cancelled` is the passenger's."""
    if wanted == STATUS_OF[made.booking.status]:
        raise Conflict("status_already_set")
    if wanted != "cancelled":
        raise Forbidden("The driver accepts or rejects the booking on this operator's site.")
    partner_booking_cancel(made)


def rdex_message_post(made: PartnerBooking, details: str) -> None:
    """The partner's passenger writes to the driver (with no `details`, the connection itself
    is the message)."""
    passenger = made.booking.passenger
    text = details or _("%(name)s would like to carpool with you.") % {
        "name": passenger.display_name
    }
    partner_message_post(made, text)
