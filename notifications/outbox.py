"""The outbox: every side effect of a change (e-mails, live pushes, partners' booking events,
solidarity messages, deferred digests and alert matching) is a `Delivery` row written in the
change's own transaction, then delivered after commit — so a committed change is never lost,
never answers 500 because a side effect failed, and a rolled-back one tells nobody.

- `enqueue(kind, payload)` writes the row. After commit, *immediate* kinds (local and quick:
  e-mail, push) are tried at once in the committing process; the others (a partner's server,
  heavy work) are handed to the worker (Celery). Either way a failure only leaves the row
  pending: it is never raised to the request.
- The worker's sweep (`outbox_sweep_everywhere`, Celery beat every OUTBOX_SWEEP_S) delivers
  every due row of every territory — what failed, what the broker never received, what was
  deferred (`not_before`).
- A failed attempt waits `BACKOFF_S · 2^(attempts-1)` (capped at MAX_WAIT_S); after
  MAX_ATTEMPTS the row is *dead*: kept, shown to the territory's admin (/manage/deliveries/),
  who can send it again.
- A row is delivered under a row lock taken with SKIP LOCKED, so two workers never deliver the
  same row at once; its `key` goes with the delivery (handlers receive it) so that a delivery
  retried after a crash between sending and recording is recognised downstream.

Apps register their kinds with `@handler("kind")` in modules their AppConfig imports."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from celery import signature
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from tenants.models import Territory

from .models import Delivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BACKOFF_S = 30
MAX_WAIT_S = 6 * 3600
SWEEP_BATCH = 200

Handler = Callable[[dict, str], None]
_handlers: dict[str, Handler] = {}
_immediate: set[str] = set()
_labels: dict[str, str] = {}


def handler(kind: str, label: str, *, immediate: bool = False) -> Callable[[Handler], Handler]:
    """Register the function that delivers `kind` (`label`: its name for the admin, marked
    with gettext_lazy): called with the payload and the row's idempotency key; raising means
    "not delivered, try again later"."""

    def register(function: Handler) -> Handler:
        _handlers[kind] = function
        _labels[kind] = label
        if immediate:
            _immediate.add(kind)
        return function

    return register


def kind_label(kind: str) -> str:
    return str(_labels.get(kind, kind))


def enqueue(
    kind: str, payload: dict, *, not_before: datetime | None = None, at_once: bool | None = None
) -> Delivery:
    """Write the side effect in the current transaction; it leaves after commit — tried at
    once in this process or handed to the worker (`at_once`, by default the kind's choice),
    or left for the sweep until `not_before`."""
    if kind not in _handlers:
        raise LookupError(f"no outbox handler for {kind!r}")
    row = Delivery.objects.create(
        key=uuid.uuid4(),
        kind=kind,
        payload=payload,
        next_attempt_at=not_before or timezone.now(),
    )
    if not_before is None:
        _leave_after_commit(row, kind in _immediate if at_once is None else at_once)
    return row


def _leave_after_commit(row: Delivery, at_once: bool) -> None:
    """After commit (never raising into the change): tried here, or handed to the worker."""
    schema = connection.schema_name
    transaction.on_commit(lambda: _after_commit(schema, row.pk, at_once), robust=True)


def _after_commit(schema: str, pk: int, at_once: bool) -> None:
    if at_once:
        with schema_context(schema):
            delivery_attempt(pk)
        return
    try:
        signature("notifications.deliver", args=(schema, pk)).apply_async(retry=False)
    except Exception:  # the broker is down: the sweep will find the row
        log.warning("outbox: worker unreachable, row %s of %s waits for the sweep", pk, schema)


def _wait(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_WAIT_S, BACKOFF_S * 2 ** max(0, attempts - 1)))


def delivery_attempt(pk: int, now: datetime | None = None) -> str | None:
    """Deliver row `pk` if it is pending and no one else holds it; returns its status after
    the attempt (None when there was nothing to do)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=Delivery.Status.PENDING)
            .first()
        )
        if row is None:
            return None
        row.attempts += 1
        fields = ["attempts", "status", "sent_at", "last_error", "next_attempt_at"]
        try:
            # "Sent" is written before the effect and committed right after it: a process
            # killed in between (a lost worker) leaves the row pending and the effect is
            # retried with the same key; the window where it was done and not recorded is
            # only the time from the handler's return to COMMIT leaving this process.
            with transaction.atomic():  # a handler's failure rolls back its part and "sent"
                Delivery.objects.filter(pk=row.pk).update(
                    attempts=row.attempts, status=Delivery.Status.SENT, sent_at=now,
                    last_error="",
                )  # fmt: skip
                _handlers[row.kind](row.payload, str(row.key))
        except Exception as exc:  # any failure of a side effect: recorded, retried
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = Delivery.Status.DEAD
                log.error("outbox: %s row %s given up: %s", row.kind, row.pk, row.last_error)
            else:
                row.next_attempt_at = now + _wait(row.attempts)
            row.save(update_fields=fields)
            return row.status
        return Delivery.Status.SENT


def deliver_due(now: datetime | None = None) -> dict[str, int]:
    """Every due row of the current territory (a batch); counts by status after."""
    now = now or timezone.now()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    counts: dict[str, int] = {}
    for pk in due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH]:
        status = delivery_attempt(pk, now)
        if status:
            counts[status] = counts.get(status, 0) + 1
    return counts


def outbox_sweep_everywhere(now: datetime | None = None) -> dict[str, dict[str, int]]:
    done = {}
    for territory in Territory.objects.exclude(schema_name="public"):
        with tenant_context(territory):
            counts = deliver_due(now)
        if counts:
            done[territory.slug] = counts
    return done


def delivery_retry(row: Delivery) -> None:
    """The admin sends a dead (or waiting) row again, now."""
    Delivery.objects.filter(pk=row.pk).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    _leave_after_commit(row, row.kind in _immediate)
