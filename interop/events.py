"""Telling partners when one of their bookings changes: POST `<callback_url>/booking_events`
with the standard's CarpoolBookingEvent (RDEX+ bookings: PATCH `<callback_url>/bookings/{id}
?status=`), through the outbox (notifications.outbox: a row written with the booking's change,
delivered after commit by the worker, retried with backoff, given up after ten attempts and
shown to the territory's admin; a partner that does not answer never holds up the driver's
click). The row's idempotency key is the event's `id`, so a retried event is the same event.
Calls go through `core.egress` (a callback URL leading to a private address is refused, and
retried like a partner that does not answer).
`booking_changed` answers `trips.events.booking_changed` (connected in apps.py)."""

from __future__ import annotations

from django.test import RequestFactory
from django.utils.translation import gettext_lazy

from core import egress
from notifications import outbox
from tenants.selectors import current_territory

from .models import PartnerBooking
from .rdex.parsing import STATUS_OF as RDEX_STATUS_OF
from .selectors import partner_booking_of_booking, partner_booking_to_tell
from .standard.parsing import booking_body

TIMEOUT_S = 5


def booking_changed(booking, **_signal) -> None:
    """Called for every change of a booking; only those made through a partner with a
    callback URL are sent."""
    made = partner_booking_of_booking(booking)
    if made is None or not made.partner.callback_url or made.partner.revoked_at:
        return
    outbox.enqueue("interop.booking_event", {"partner_booking": str(made.pk)})


def event_body(made: PartnerBooking, event_id: str) -> dict:
    host = current_territory().primary_host or "localhost"
    request = RequestFactory().get("/", HTTP_HOST=host)
    booking = booking_body(request, made)
    data = {k: v for k, v in booking.items() if k not in ("passenger", "driverJourneyId")}
    return {"id": event_id, "idToken": "", "data": data}


@outbox.handler("interop.booking_event", gettext_lazy("Booking event for a partner"))
def booking_event_deliver(payload: dict, key: str) -> None:
    send_booking_event(payload["partner_booking"], key)


def send_booking_event(partner_booking_id: str, event_id: str) -> int:
    """Tell the partner (raises on a refused address, a network error or an error answer)."""
    made = partner_booking_to_tell(partner_booking_id)
    if made is None:
        return 0
    base = made.partner.callback_url.rstrip("/")
    if made.protocol == "rdex":  # RDEX+: the partner's own PATCH /bookings/{id}?status=
        status = RDEX_STATUS_OF[made.booking.status]
        url = f"{base}/bookings/{made.pk.hex}"
        response = egress.request("PATCH", url, params={"status": status}, timeout=TIMEOUT_S)
    else:
        url = base + "/booking_events"
        body = event_body(made, event_id)
        response = egress.request("POST", url, json=body, timeout=TIMEOUT_S)
    response.raise_for_status()
    return response.status_code
