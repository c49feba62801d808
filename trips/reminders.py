"""Departure reminders: each accepted passenger, and the driver once per ride, are told
`LEAD` before the departure (at most once: `reminded_at`). Run every few minutes by Celery
beat (`trips.send_reminders`, every territory) or by `manage.py send_reminders`."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.models import Territory

from . import notifications
from .models import Booking, Offer

LEAD = timedelta(hours=2)


def _time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


@transaction.atomic
def reminders_send_due(now: datetime | None = None) -> int:
    """Remind everyone whose ride leaves within LEAD in the current territory; returns the
    number of reminders."""
    now = now or timezone.now()
    due = (
        Booking.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("offer", "passenger")
        .filter(
            status=Booking.Status.ACCEPTED,
            reminded_at__isnull=True,
            offer__status=Offer.Status.ACTIVE,
            pickup_at__gt=now,
            pickup_at__lte=now + LEAD,
        )
    )
    sent = 0
    drivers: dict[int, Offer] = {}
    for booking in due:
        notifications.booking_changed(
            booking, "reminder", booking.passenger, time=_time(booking.pickup_at)
        )
        booking.reminded_at = now
        booking.save(update_fields=["reminded_at"])
        drivers[booking.offer_id] = booking.offer
        sent += 1
    rides = Offer.objects.select_for_update(skip_locked=True).filter(
        pk__in=list(drivers), reminded_at__isnull=True
    )
    for offer in rides.select_related("driver"):
        notifications.ride_event(offer, "reminder", offer.driver, time=_time(offer.departure_at))
        offer.reminded_at = now
        offer.save(update_fields=["reminded_at"])
        sent += 1
    return sent


def reminders_send_everywhere(now: datetime | None = None) -> dict[str, int]:
    sent = {}
    for territory in Territory.objects.exclude(schema_name="public"):
        with tenant_context(territory):
            sent[territory.slug] = reminders_send_due(now)
    return sent
