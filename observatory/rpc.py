"""Payloads of the national carpool proof registry (RPC v3.3, `POST /journeys`), one per
carpool journey, checked against the registry's contract (data/specs/rpc-api-v3.3.yaml).

Proof class: both occupants confirmed with times and positions → C; one of them → B;
otherwise A (the operator certifies the match)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import connection
from jsonschema import Draft7Validator

from core.models import e164
from trips.models import Confirmation, Journey

from .events import journey_incentives

CONTRACT = Path(settings.BASE_DIR) / "data" / "specs" / "rpc-api-v3.3.yaml"


@functools.cache
def journey_schema() -> dict:
    """The request body schema of `POST /journeys`, with the contract's components so that its
    references resolve."""
    spec = yaml.safe_load(CONTRACT.read_text())
    body = spec["paths"]["/journeys"]["post"]["requestBody"]["content"]["application/json"]
    return {**body["schema"], "components": spec["components"]}


def validate(payload: dict) -> list[str]:
    """The contract's complaints about a payload (empty when it is valid)."""
    validator = Draft7Validator(journey_schema())
    return sorted(
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator.iter_errors(payload)
    )


def ident(*parts) -> str:
    """Operator identifiers are `[a-z0-9]+` in the contract."""
    return re.sub(r"[^a-z0-9]", "", "".join(str(p) for p in parts).lower())


def _cents(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def _utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _point(moment, point) -> dict:
    return {"datetime": _utc(moment), "lat": round(point.y, 6), "lon": round(point.x, 6)}


def _identity(user) -> dict:
    phone = e164(user.phone)
    return {
        "operator_user_id": str(user.pk),
        "identity_key": user.identity_key,
        "phone_trunc": phone[:-2],
    }


def proof_class(confirmations: list[Confirmation]) -> str:
    complete = {
        c.side
        for c in confirmations
        if c.pickup_at and c.dropoff_at and c.pickup is not None and c.dropoff is not None
    }
    return "C" if len(complete) == 2 else "B" if complete else "A"


@dataclass(frozen=True)
class Skipped:
    journey_id: int
    reason: str


def payload(journey: Journey) -> dict:
    """The registry payload of one carpool journey (raises ValueError when an occupant lacks
    the phone and last name the registry's identity needs)."""
    for role, person in (("driver", journey.driver), ("passenger", journey.passenger)):
        if person is None or not person.identity_key:
            raise ValueError(f"the {role} has no phone number or last name")
    booking = journey.booking
    confirmations = list(booking.confirmations.all())
    best = next(
        (c for c in confirmations if c.pickup_at and c.pickup is not None and c.dropoff_at),
        None,
    )
    start = (
        _point(best.pickup_at, best.pickup) if best else _point(journey.pickup_at, journey.pickup)
    )
    end = (
        _point(best.dropoff_at, best.dropoff or journey.dropoff)
        if best
        else _point(journey.dropoff_at, journey.dropoff)
    )
    site = ident(connection.schema_name)
    contribution = _cents(journey.amount)
    incentives = [
        item
        for _receiver, items in journey_incentives.send(None, journey=journey)
        for item in items
    ]
    return {
        "operator_journey_id": ident(site, "j", journey.pk),
        "operator_trip_id": ident(site, "o", booking.offer_id),
        "operator_class": proof_class(confirmations),
        "incentives": [{**item, "index": i} for i, item in enumerate(incentives)],
        "start": start,
        "end": end,
        "distance": journey.distance_m,
        # No commission: the driver receives what the passengers contribute.
        "driver": {"identity": _identity(journey.driver), "revenue": contribution},
        "passenger": {
            "identity": _identity(journey.passenger),
            "contribution": contribution,
            "seats": journey.seats,
        },
    }


def payloads(start, end) -> tuple[list[dict], list[Skipped]]:
    """Payloads of the carpool journeys whose pickup is in [start, end)."""
    journeys = (
        Journey.objects.filter(kind=Journey.Kind.CARPOOL, pickup_at__gte=start, pickup_at__lt=end)
        .select_related("driver", "passenger", "booking")
        .prefetch_related("booking__confirmations")
        .order_by("pickup_at", "pk")
    )
    made, skipped = [], []
    for journey in journeys:
        try:
            made.append(payload(journey))
        except ValueError as exc:
            skipped.append(Skipped(journey.pk, str(exc)))
    return made, skipped
