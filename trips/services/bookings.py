"""Bookings: a passenger asks for seats, the driver decides, either side cancels."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import blocks
from matching.network import Place

from .. import notifications
from ..errors import Conflict, ValidationError
from ..models import Booking, Offer
from ..pricing import share
from ..selectors import match_one
from .rides import ensure_may_act


@transaction.atomic
def booking_request(
    *, offer_id: int, passenger, pickup: Place, dropoff: Place, seats: int = 1
) -> Booking:
    """Ask for `seats` seats (booked at once where the driver allows instant booking).

    The ride's row is locked while seats are counted, so concurrent requests for the last seat
    end with exactly one success; the database also refuses overbooking and overlapping
    bookings of one person."""
    if not 1 <= seats <= 8:
        raise ValidationError({"seats": _("From 1 to 8 seats.")})
    offer = Offer.objects.select_for_update().filter(pk=offer_id).first()
    if offer is None:
        raise ValidationError({"offer": _("This ride does not exist.")})
    if offer.driver_id == passenger.pk:
        raise Conflict(_("You cannot book your own ride."))
    ensure_may_act(passenger)
    blocks.ensure_not_blocked(passenger, offer.driver_id)
    if offer.status != Offer.Status.ACTIVE:
        raise Conflict(_("This ride has been cancelled."))
    if offer.departure_at <= timezone.now():
        raise Conflict(_("This ride has already left."))
    if offer.seats_left < seats:
        raise Conflict(
            _("Not enough seats left on this ride (%(left)d).") % {"left": offer.seats_left},
            "seats",
        )
    match = match_one(offer, pickup, dropoff)
    if match is None:
        raise Conflict(
            _("This ride cannot pick you up and drop you off within the driver's detour.")
        )
    instant = offer.instant_booking
    booking = Booking(
        offer=offer,
        passenger=passenger,
        seats=seats,
        status=Booking.Status.ACCEPTED if instant else Booking.Status.PENDING,
        decided_at=timezone.now() if instant else None,
        pickup_label=pickup.label[:200] or _("Pickup"),
        dropoff_label=dropoff.label[:200] or _("Drop-off"),
        pickup=match.pickup,
        dropoff=match.dropoff,
        pickup_at=match.pickup_at,
        dropoff_at=match.dropoff_at,
        distance_m=round(match.passenger_m),
        detour_s=max(0, round(match.detour_s)),
        price=share(match.passenger_m, offer.cost_per_km, seats),
    )
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        raise Conflict(_("You already have a booking at that time.")) from exc
    offer.seats_taken += seats
    offer.save(update_fields=["seats_taken"])
    if instant:
        notifications.booking_changed(booking, "accepted", passenger)
    else:
        notifications.booking_changed(booking, "requested", offer.driver)
    return booking


def booking_locked(booking: Booking) -> Booking:
    """The booking, its row locked until the transaction ends, with its ride."""
    return Booking.objects.select_for_update().select_related("offer").get(pk=booking.pk)


@transaction.atomic
def booking_decide(booking: Booking, *, by, accept: bool) -> Booking:
    booking = booking_locked(booking)
    if booking.offer.driver_id != by.pk:
        raise Conflict(_("Only the driver decides on a booking."))
    if booking.status != Booking.Status.PENDING:
        raise Conflict(_("This booking has already been decided."))
    booking.status = Booking.Status.ACCEPTED if accept else Booking.Status.DECLINED
    booking.decided_at = timezone.now()
    booking.save(update_fields=["status", "decided_at"])
    if not accept:
        _release_seats(booking)
    notifications.booking_changed(booking, "accepted" if accept else "declined", booking.passenger)
    return booking


def _release_seats(booking: Booking) -> None:
    offer = Offer.objects.select_for_update().get(pk=booking.offer_id)
    offer.seats_taken = max(0, offer.seats_taken - booking.seats)
    offer.save(update_fields=["seats_taken"])


@transaction.atomic
def booking_cancel(booking: Booking, *, by, reason: str = "") -> Booking:
    booking = booking_locked(booking)
    side = (
        "passenger"
        if booking.passenger_id == by.pk
        else "driver"
        if booking.offer.driver_id == by.pk
        else None
    )
    if side is None:
        raise Conflict(_("Only the passenger or the driver can cancel this booking."))
    if not booking.holds_seats:
        raise Conflict(_("This booking is no longer active."))
    if booking.offer.departure_at <= timezone.now():
        raise Conflict(_("The ride has already left."))
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_by = side
    booking.cancel_reason = reason[:500]
    booking.save(update_fields=["status", "cancelled_by", "cancel_reason"])
    _release_seats(booking)
    other = booking.offer.driver if side == "passenger" else booking.passenger
    notifications.booking_changed(booking, "cancelled", other)
    return booking
