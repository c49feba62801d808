"""The outbox's worker side (Celery): one row handed over after commit, and the sweep of every
territory's due rows (beat, every OUTBOX_SWEEP_S seconds)."""

from celery import shared_task
from django_tenants.utils import schema_context

from . import outbox


@shared_task(name="notifications.deliver")
def deliver(schema: str, pk: int) -> str | None:
    with schema_context(schema):
        return outbox.delivery_attempt(pk)


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox() -> dict:
    return outbox.outbox_sweep_everywhere()
