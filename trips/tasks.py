"""Background work of rides (Celery). Tasks import the modules they run; those modules queue
them by name (`celery.signature("trips.…")`), never by importing this one."""

from celery import shared_task

from . import alerts, conversations, reminders


@shared_task(name="trips.send_reminders")
def send_reminders() -> dict:
    """Departure reminders in every territory (scheduled by beat, see CELERY_BEAT_SCHEDULE)."""
    return reminders.reminders_send_everywhere()


@shared_task(name="trips.message_digest")
def message_digest(conversation_pk: int, user_id: int) -> bool:
    """The deferred e-mail of a conversation's unread messages (in the territory's schema)."""
    return conversations.digest_send(conversation_pk, user_id)


@shared_task(name="trips.match_alerts")
def match_alerts(offer_ids: list[int]) -> int:
    """Alerts against newly published rides, when the territory has many alerts."""
    return alerts.alerts_match_offers(offer_ids)
