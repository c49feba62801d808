"""Finding rides for a passenger: PostGIS prefilter, then exact detours for every survivor in
one engine step (docs/matching.md explains the algorithm and the ranking)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.contrib.gis.geos import Point
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from matching.engine import RoadGraph, Route

from .models import Offer
from .pricing import share
from .services import REACH_SLACK, REACH_SLACK_M, Place, node_point, snap, territory_graph

# Ranking: minutes of extra driving, plus half the minutes between the passenger's preferred
# time and the pickup. Lower is better.
TIME_GAP_WEIGHT = 0.5


@dataclass(frozen=True)
class Match:
    offer: Offer
    pickup: Point
    dropoff: Point
    pickup_at: datetime
    dropoff_at: datetime
    detour_s: float
    detour_m: float
    passenger_m: float
    passenger_s: float
    score: float

    @property
    def price(self):
        return share(self.passenger_m, self.offer.cost_per_km)

    @property
    def detour_minutes(self) -> int:
        return round(self.detour_s / 60)

    @property
    def reason(self) -> str:
        return _("%(detour)d min of detour for the driver, pickup at %(time)s") % {
            "detour": round(self.detour_s / 60),
            "time": self.pickup_at.astimezone().strftime("%H:%M"),
        }


def prefilter(
    pickup: Point,
    dropoff: Point,
    window_start: datetime,
    window_end: datetime,
    seats: int,
    passenger: Route | None = None,
    max_speed: float = float("inf"),
) -> QuerySet[Offer]:
    """Rides that *may* serve the request; never drops one the engine would accept.

    Straight lines are never longer than roads, nor faster than the network's top speed. So a
    ride A→B of road length L, time T and budget β can serve P→D only if
    |AP| + ℓ(P→D) + |DB| ≤ (1 + β)·L (the ellipses around A and B contain P and D; the
    indexed `reach` box contains them), (|AP| + |DB|) / vmax + d(P→D) ≤ (1 + β)·T, and its
    earliest possible pickup, departure − margin + |AP| / vmax, comes before the window ends.
    Without the passenger's route (ℓ = d = 0) the tests are weaker but still sound."""
    passenger_m = passenger.distance_m if passenger else 0.0
    passenger_s = passenger.duration_s if passenger else 0.0
    to_p = "ST_DistanceSphere(trips_offer.origin, ST_GeomFromEWKT(%s))"
    from_d = "ST_DistanceSphere(ST_GeomFromEWKT(%s), trips_offer.destination)"
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
        Offer.objects.filter(status=Offer.Status.ACTIVE, reach__bbcontains=pickup)
        .filter(reach__bbcontains=dropoff)
        .filter(active_window__overlap=DateTimeTZRange(window_start, window_end, "[]"))
        .defer("route", "reach", "comment")  # long geometries the ranking does not need
        .extra(where=conditions, params=params)
    )


def _evaluate(
    graph: RoadGraph,
    offers: list[Offer],
    p: int,
    d: int,
    window_start: datetime,
    window_end: datetime,
    passenger: Route | None = None,
) -> list[Match]:
    if not offers:
        return []
    origins = np.array([o.origin_node for o in offers])
    destinations = np.array([o.destination_node for o in offers])
    ride_s = np.array([o.duration_s for o in offers], dtype=float)
    ride_m = np.array([o.distance_m for o in offers], dtype=float)
    ratio = np.array([float(o.max_detour_ratio) for o in offers])
    # Bounds that cannot change an answer: a ride takes at most its time plus its budget (+1 s
    # for rounding), and must reach P before the window ends even leaving at the latest.
    latest_start = np.array(
        [(window_end - o.departure_at).total_seconds() + 60 * o.margin_minutes for o in offers]
    )
    result = graph.detours(
        p,
        d,
        origins,
        destinations,
        ride_s,
        ride_m,
        max_total_s=ride_s * (1 + ratio) + 1.0,
        max_approach_s=latest_start + 1.0,
        passenger=passenger,
    )
    if result is None:
        return []
    # Stored durations and distances are rounded to the second and metre.
    within = (result.detour_s <= ratio * ride_s + 1.0) & (result.detour_m <= ratio * ride_m + 1.0)
    preferred = window_start + (window_end - window_start) / 2
    matches = []
    for i in np.flatnonzero(within).tolist():
        offer = offers[i]
        margin = timedelta(minutes=offer.margin_minutes)
        earliest = offer.departure_at - margin + timedelta(seconds=float(result.to_pickup_s[i]))
        latest = earliest + 2 * margin
        if latest < window_start or earliest > window_end:
            continue
        planned = offer.departure_at + timedelta(seconds=float(result.to_pickup_s[i]))
        pickup_at = min(max(planned, window_start, earliest), min(latest, window_end))
        gap_min = abs((pickup_at - preferred).total_seconds()) / 60
        matches.append(
            Match(
                offer=offer,
                pickup=node_point(graph, p),
                dropoff=node_point(graph, d),
                pickup_at=pickup_at,
                dropoff_at=pickup_at + timedelta(seconds=max(1.0, result.passenger_s)),
                detour_s=max(0.0, float(result.detour_s[i])),
                detour_m=max(0.0, float(result.detour_m[i])),
                passenger_m=result.passenger_m,
                passenger_s=result.passenger_s,
                score=max(0.0, float(result.detour_s[i])) / 60 + TIME_GAP_WEIGHT * gap_min,
            )
        )
    matches.sort(key=lambda m: (m.score, m.offer.departure_at, m.offer.pk))
    return matches


def offers_matching(
    *, pickup: Place, dropoff: Place, window_start: datetime, window_end: datetime, seats: int = 1
) -> list[Match]:
    graph = territory_graph()
    p, d = snap(graph, pickup, "origin"), snap(graph, dropoff, "destination")
    if p == d:
        return []
    passenger = graph.route(p, d)
    if passenger is None:
        return []
    candidates = list(
        prefilter(
            node_point(graph, p),
            node_point(graph, d),
            window_start,
            window_end,
            seats,
            passenger=passenger,
            max_speed=graph.max_speed,
        )
    )
    return _evaluate(graph, candidates, p, d, window_start, window_end, passenger=passenger)


def match_one(offer: Offer, pickup: Place, dropoff: Place) -> Match | None:
    """The exact match of one ride for a booking, over the ride's whole time margin."""
    graph = territory_graph()
    p, d = snap(graph, pickup, "pickup"), snap(graph, dropoff, "dropoff")
    if p == d:
        return None
    start = offer.departure_at - timedelta(minutes=offer.margin_minutes)
    end = offer.departure_at + timedelta(seconds=offer.duration_s * 2, minutes=offer.margin_minutes)
    matches = _evaluate(graph, [offer], p, d, start, end)
    return matches[0] if matches else None
