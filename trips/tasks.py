"""Background work of rides (Celery), scheduled by beat. Work that follows a change (alert
matching, message digests) goes through the outbox (notifications.outbox) instead."""

from celery import shared_task

from . import reminders


@shared_task(name="trips.send_reminders")
def send_reminders() -> dict:
    """Departure reminders in every territory (scheduled by beat, see CELERY_BEAT_SCHEDULE)."""
    return reminders.reminders_send_everywhere()
