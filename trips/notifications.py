"""Telling the other side when a booking or a ride changes: through the notifications feed
(live, and by e-mail for those who want it), after the transaction commits."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.models import Kind
from notifications.services import notify

from . import events
from .models import Booking, Offer

EVENTS = {
    "requested": (
        Kind.BOOKING_REQUESTED,
        gettext_noop("New booking request for your ride %(ride)s"),
    ),
    "accepted": (Kind.BOOKING_ACCEPTED, gettext_noop("Your booking on %(ride)s is accepted")),
    "declined": (Kind.BOOKING_DECLINED, gettext_noop("Your booking on %(ride)s is declined")),
    "cancelled": (Kind.BOOKING_CANCELLED, gettext_noop("A booking on %(ride)s was cancelled")),
    "ride_cancelled": (Kind.RIDE_CANCELLED, gettext_noop("The ride %(ride)s is cancelled")),
    "ride_changed": (Kind.RIDE_CHANGED, gettext_noop("The driver changed the ride %(ride)s")),
    "reminder": (
        Kind.DEPARTURE_REMINDER,
        gettext_noop("Reminder: the ride %(ride)s leaves at %(time)s"),
    ),
}


def ride_label(offer: Offer) -> str:
    when = timezone.localtime(offer.departure_at).strftime("%d/%m %H:%M")
    return f"{offer.origin_label} → {offer.destination_label} ({when})"


def booking_changed(booking: Booking, event: str, recipient, **params) -> None:
    if event != "reminder":  # the apps above hear of it (a partner's booking: the partner)
        events.booking_changed.send(sender=Booking, booking=booking, event=event)
    kind, template = EVENTS[event]
    reason = booking.cancel_reason if event in ("cancelled", "ride_cancelled") else ""
    notify(
        recipient,
        kind,
        template,
        {"ride": ride_label(booking.offer), **params},
        reverse("offer_detail", args=[booking.offer_id]),
        lines=(_("Reason: %s") % reason,) if reason else (),
    )


def ride_event(offer: Offer, event: str, recipient, **params) -> None:
    kind, template = EVENTS[event]
    notify(
        recipient,
        kind,
        template,
        {"ride": ride_label(offer), **params},
        reverse("offer_detail", args=[offer.pk]),
    )
