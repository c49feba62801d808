"""Spec ↔ domain pieces both standards share: query parameters and JSON fields read and
checked (a `BadRequest` names what is wrong), the search parameters, and the minimum a partner
receives about a person (a pseudonymous id and the first name as alias)."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection

from core.inputs import BadInput, json_loads
from matching.network import Place
from tenants.selectors import current_territory

from .errors import BadRequest

MAX_DAYS_AHEAD = 366
MAX_COUNT = 100


def number(query, name: str, *, required=True, default=None, low=None, high=None) -> float:
    raw = query.get(name)
    if required and (raw is None or raw == ""):
        raise BadRequest(f"{name} is required.")
    if raw is None:
        return default
    try:  # given empty, an optional parameter is no number either (the specs' types)
        value = float(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number.") from None
    if (
        not math.isfinite(value)
        or (low is not None and value < low)
        or (high is not None and value > high)
    ):
        raise BadRequest(f"{name} is out of range.")
    return value


def integer(query, name: str, **bounds) -> int | None:
    value = number(query, name, **bounds)
    if value is not None and value != int(value):
        raise BadRequest(f"{name} must be an integer.")
    return None if value is None else int(value)


def json_body(request) -> dict:
    try:
        body = json_loads(request.body or b"null")
    except BadInput as exc:
        raise BadRequest(str(exc)) from None
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def text_field(body: dict, name: str, *, required=True, max_length=255) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise BadRequest(f"{name} must be a non-empty string of {max_length} characters at most.")
    return value.strip()


def moment_of(departure: int) -> datetime:
    """A departure date (UNIX seconds) a search may ask for: from yesterday to a year ahead."""
    now = datetime.now(tz=UTC)
    try:
        at = datetime.fromtimestamp(departure, tz=UTC)
    except (ValueError, OverflowError, OSError):  # beyond the calendar
        at = None
    if at is None or not (now - timedelta(days=1) <= at <= now + timedelta(days=MAX_DAYS_AHEAD)):
        raise BadRequest("departureDate must be within the next year.")
    return at


def search_query(q, at: datetime) -> dict:
    """The search parameters both standards share (coordinates, time margin, count, radii)
    around the departure moment `at`, checked."""
    delta = integer(q, "timeDelta", required=False, default=900, low=0, high=43_200)
    count = integer(q, "count", required=False, default=MAX_COUNT, low=0, high=10**6)
    number(q, "departureRadius", required=False, default=1.0, low=0, high=1000)
    number(q, "arrivalRadius", required=False, default=1.0, low=0, high=1000)
    return {
        "pickup": Place(
            number(q, "departureLng", low=-180, high=180),
            number(q, "departureLat", low=-90, high=90),
        ),
        "dropoff": Place(
            number(q, "arrivalLng", low=-180, high=180),
            number(q, "arrivalLat", low=-90, high=90),
        ),
        "window_start": at - timedelta(seconds=delta),
        "window_end": at + timedelta(seconds=delta),
        "count": min(count, MAX_COUNT),
    }


# --- what partners receive -----------------------------------------------------------------
def operator_domain() -> str:
    return current_territory().primary_host or "archipel.localhost"


def user_ref(user) -> dict:
    """A person as the standard's `User`: an id that means nothing outside this operator."""
    digest = hashlib.sha256(
        f"{settings.SECRET_KEY}:{connection.schema_name}:{user.pk}".encode()
    ).hexdigest()[:20]
    return {"id": digest, "alias": user.display_name, "operator": operator_domain()}


def web_url(request, path: str) -> str:
    return request.build_absolute_uri(path)


def rough(value: float) -> float:
    return round(value, 2)  # about a kilometre
