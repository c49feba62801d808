"""Telling partners when one of their bookings changes: POST `<callback_url>/booking_events`
with the standard's CarpoolBookingEvent (RDEX+ bookings: PATCH `<callback_url>/bookings/{id}
?status=`), after commit, in a Celery task (short timeout,
retried with backoff; a partner that does not answer never holds up the driver's click),
through `core.egress` (a callback URL leading to a private address is refused, and retried
like a partner that does not answer).
`booking_changed` answers `trips.events.booking_changed` (connected in apps.py)."""

from __future__ import annotations

import uuid

import requests
from celery import shared_task
from django.db import transaction
from django.test import RequestFactory

from core import egress
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
    pk = str(made.pk)
    transaction.on_commit(lambda: send_booking_event.delay(pk))


def event_body(made: PartnerBooking) -> dict:
    host = current_territory().primary_host or "localhost"
    request = RequestFactory().get("/", HTTP_HOST=host)
    booking = booking_body(request, made)
    data = {k: v for k, v in booking.items() if k not in ("passenger", "driverJourneyId")}
    return {"id": str(uuid.uuid4()), "idToken": "", "data": data}


@shared_task(
    name="interop.send_booking_event",
    autoretry_for=(requests.RequestException,),
    retry_backoff=5,
    max_retries=3,
)
def send_booking_event(partner_booking_id: str) -> int:
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
        response = egress.request("POST", url, json=event_body(made), timeout=TIMEOUT_S)
    response.raise_for_status()
    return response.status_code
