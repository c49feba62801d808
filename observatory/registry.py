"""Sending carpool journeys to the national registry (`POST /journeys`), when the territory
has set the registry's URL and token: each journey gets a submission that is sent, retried
with a growing delay after a network or server error, or marked rejected with the reason
(payload not valid against the contract, identity missing, or refused by the registry).
The call goes through `core.egress`: a URL leading to a private address, or a redirect, is a
network error (retried, then rejected with the reason)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core import egress
from themes.selectors import settings_get
from trips.models import Journey

from .models import RpcSubmission
from .rpc import payload, validate

MAX_ATTEMPTS = 8
TIMEOUT_S = 10


def registry_queue_new(now=None) -> int:
    """A waiting submission, due now, for every carpool journey that has none yet."""
    missing = Journey.objects.filter(
        kind=Journey.Kind.CARPOOL, rpc_submission__isnull=True
    ).values_list("pk", flat=True)
    made = RpcSubmission.objects.bulk_create(
        RpcSubmission(journey_id=pk, next_attempt_at=now or timezone.now()) for pk in missing
    )
    return len(made)


def _post(url: str, token: str, body: dict) -> tuple[int, str]:
    response = egress.request(
        "POST",
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        timeout=TIMEOUT_S,
    )
    return response.status_code, response.content[:2000].decode(errors="replace")


def registry_send_due(now=None) -> dict[str, int]:
    """Send the submissions that are due; returns how many ended in each state this run."""
    current = settings_get()
    if not (current.rpc_url and current.rpc_token):
        return {}
    now = now or timezone.now()
    registry_queue_new(now)
    counts = {"sent": 0, "rejected": 0, "retry": 0}
    due = RpcSubmission.objects.filter(
        status=RpcSubmission.Status.WAITING, next_attempt_at__lte=now
    ).select_related("journey__driver", "journey__passenger", "journey__booking")
    for submission in due:
        outcome = _send_one(submission, current.rpc_url, current.rpc_token, now)
        counts[outcome] += 1
    return counts


@transaction.atomic
def _send_one(submission: RpcSubmission, url: str, token: str, now) -> str:
    submission.attempts += 1
    try:
        body = payload(submission.journey)
        problems = validate(body)
        if problems:
            raise ValueError("; ".join(problems))
    except ValueError as exc:
        return _end(submission, RpcSubmission.Status.REJECTED, f"not sendable: {exc}")
    try:
        status, text = _post(url, token, body)
    except OSError as exc:  # requests' errors (egress.Refused included) are OSErrors
        status, text = 0, str(exc)
    if 200 <= status < 300:
        submission.sent_at = now
        return _end(submission, RpcSubmission.Status.SENT, "")
    if 400 <= status < 500 and status not in (401, 403, 408, 429):
        return _end(submission, RpcSubmission.Status.REJECTED, f"{status}: {text}")
    # Network, server, authentication or rate-limit trouble: try again later.
    submission.last_error = f"{status or 'network'}: {text}"[:500]
    if submission.attempts >= MAX_ATTEMPTS:
        return _end(submission, RpcSubmission.Status.REJECTED, submission.last_error)
    submission.next_attempt_at = now + timedelta(minutes=2**submission.attempts)
    submission.save()
    return "retry"


def _end(submission: RpcSubmission, status: str, error: str) -> str:
    submission.status = status
    submission.last_error = error[:500]
    submission.next_attempt_at = None
    submission.save()
    return "sent" if status == RpcSubmission.Status.SENT else "rejected"
