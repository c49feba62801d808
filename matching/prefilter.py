"""The search prefilter in PostGIS: the rides whose detour ellipse can contain the passenger's
pickup and drop-off, through an indexed box then exact spherical distances. It never drops a
ride the engine would accept (docs/matching.md)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.gis.geos import Point
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import QuerySet

from .engine import Route
from .network import REACH_SLACK, REACH_SLACK_M


def prefilter(
    rides: QuerySet,
    pickup: Point,
    dropoff: Point,
    window_start: datetime,
    window_end: datetime,
    seats: int,
    passenger: Route | None = None,
    max_speed: float = float("inf"),
) -> QuerySet:
    """The `rides` that *may* serve the request; never drops one the engine would accept.

    `rides` is a queryset of a model with a ride's fields (`trips.Offer`: origin, destination,
    reach, active_window, seats, seats_taken, departure_at, margin_minutes, distance_m,
    duration_s, max_detour_ratio); the caller chooses which rows take part (active ones).

    Straight lines are never longer than roads, nor faster than the network's top speed. So a
    ride A→B of road length L, time T and budget β can serve P→D only if
    |AP| + ℓ(P→D) + |DB| ≤ (1 + β)·L (the ellipses around A and B contain P and D; the
    indexed `reach` box contains them), (|AP| + |DB|) / vmax + d(P→D) ≤ (1 + β)·T, and its
    earliest possible pickup, departure − margin + |AP| / vmax, comes before the window ends.
    Without the passenger's route (ℓ = d = 0) the tests are weaker but still sound."""
    passenger_m = passenger.distance_m if passenger else 0.0
    passenger_s = passenger.duration_s if passenger else 0.0
    table = rides.model._meta.db_table
    to_p = f"ST_DistanceSphere({table}.origin, ST_GeomFromEWKT(%s))"
    from_d = f"ST_DistanceSphere(ST_GeomFromEWKT(%s), {table}.destination)"
    conditions = [
        "seats - seats_taken >= %s",
        f"departure_at - margin_minutes * interval '1 minute'"
        f" + ({to_p} / %s) * interval '1 second' <= %s",
        "departure_at + margin_minutes * interval '1 minute'"
        " + duration_s * (1 + max_detour_ratio) * interval '1 second' >= %s",
        f"{to_p} + %s + {from_d} <= distance_m * (1 + max_detour_ratio) * %s + %s",
        f"({to_p} + {from_d}) / %s + %s <= duration_s * (1 + max_detour_ratio) + 1",
    ]
    speed = max_speed if max_speed != float("inf") else 1e9
    params = [
        seats,
        pickup.ewkt,
        speed,
        window_end,
        window_start,
        pickup.ewkt,
        passenger_m,
        dropoff.ewkt,
        REACH_SLACK,
        REACH_SLACK_M,
        pickup.ewkt,
        dropoff.ewkt,
        speed,
        passenger_s,
    ]
    return (
        rides.filter(reach__bbcontains=pickup)
        .filter(reach__bbcontains=dropoff)
        .filter(active_window__overlap=DateTimeTZRange(window_start, window_end, "[]"))
        .extra(where=conditions, params=params)
    )
