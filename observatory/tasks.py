"""Background work of the observatory (Celery, in the territory's schema)."""

from celery import shared_task

from .registry import registry_send_due


@shared_task(name="observatory.send_to_registry")
def send_to_registry() -> dict:
    """Send the due journeys of the territory that queued the task to the national registry."""
    return registry_send_due()
