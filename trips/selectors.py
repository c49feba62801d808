"""Reads of rides and bookings. Finding rides for a passenger: PostGIS prefilter, then exact
detours for every survivor in one engine step (docs/matching.md explains the algorithm and the
ranking). Which bookings a person may see."""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from allauth.account.models import EmailAddress
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tenants.utils import schema_context

from core import blocks
from matching.engine import Detours, RoadGraph, Route
from matching.network import Place, node_point, snap, territory_graph
from matching.prefilter import prefilter
from tenants.members.models import Membership
from tenants.models import Territory
from tenants.selectors import current_territory
from themes.selectors import publication_last_day, settings_get

from . import federation
from . import formats as shown
from .federation import Label
from .models import Booking, Journey, Offer
from .pricing import share

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
    # Set for a ride of another territory of the archipel (see trips.federation).
    elsewhere: Label | None = None
    # The middle of the time window searched (the time the passenger asked for).
    wanted_at: datetime | None = None

    @property
    def price(self):
        return share(self.passenger_m, self.offer.cost_per_km)

    @property
    def detour_minutes(self) -> int:
        return round(self.detour_s / 60)

    @property
    def price_text(self) -> str:
        return shown.euros(self.price)

    @property
    def duration_text(self) -> str:
        return shown.duration(self.passenger_s)

    @property
    def reason(self) -> str:
        """Why the ride ranks where it does, in the passenger's words: how far the pickup is
        from the time asked, and how much the driver turns off their way (the two terms of the
        score, see TIME_GAP_WEIGHT)."""
        gap = 0 if self.wanted_at is None else (self.pickup_at - self.wanted_at).total_seconds()
        minutes = round(abs(gap) / 60)
        if minutes <= 2:
            when = _("Pickup at the time you asked")
        elif gap < 0:
            when = ngettext(
                "Pickup %(n)d minute before the time you asked",
                "Pickup %(n)d minutes before the time you asked",
                minutes,
            ) % {"n": minutes}
        else:
            when = ngettext(
                "Pickup %(n)d minute after the time you asked",
                "Pickup %(n)d minutes after the time you asked",
                minutes,
            ) % {"n": minutes}
        detour = self.detour_minutes
        if detour <= 1:
            way = _("you are on the driver's way")
        else:
            way = ngettext(
                "the driver turns off their way by %(n)d minute for you",
                "the driver turns off their way by %(n)d minutes for you",
                detour,
            ) % {"n": detour}
        return _("%(when)s; %(way)s.") % {"when": when, "way": way}


CANDIDATE_FIELDS = (
    "id",
    "origin_node",
    "destination_node",
    "duration_s",
    "distance_m",
    "max_detour_ratio",
    "departure_at",
    "margin_minutes",
)


@dataclass(frozen=True)
class Candidates:
    """The prefilter's survivors as arrays (one entry per ride): what the engine and the
    ranking need, without building a model instance per ride."""

    ids: np.ndarray
    origins: np.ndarray
    destinations: np.ndarray
    ride_s: np.ndarray
    ride_m: np.ndarray
    ratio: np.ndarray
    departure: np.ndarray  # POSIX seconds
    margin_s: np.ndarray
    source: np.ndarray | None = None  # index of the territory searched (federated search)

    @classmethod
    def of(cls, rows) -> Candidates:
        """From rows of CANDIDATE_FIELDS (a queryset's `values_list`) or from offers."""
        rows = [
            row if isinstance(row, tuple) else tuple(getattr(row, f) for f in CANDIDATE_FIELDS)
            for row in rows
        ]
        ids, a, b, ride_s, ride_m, ratio, departure, margin = zip(*rows) if rows else [()] * 8
        return cls(
            ids=np.array(ids, dtype=np.int64),
            origins=np.array(a, dtype=np.int64),
            destinations=np.array(b, dtype=np.int64),
            ride_s=np.array(ride_s, dtype=float),
            ride_m=np.array(ride_m, dtype=float),
            ratio=np.array([float(r) for r in ratio], dtype=float),
            departure=np.array([t.timestamp() for t in departure], dtype=float),
            margin_s=np.array(margin, dtype=float) * 60,
        )

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def merged(cls, parts: list[Candidates]) -> Candidates:
        """Candidates of several territories as one set; `source` says whose each one is."""
        fields = [f for f in cls.__dataclass_fields__ if f != "source"]
        return cls(
            **{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields},
            source=np.concatenate(
                [np.full(len(p), n, dtype=np.int64) for n, p in enumerate(parts)]
            ),
        )


def candidates(queryset: QuerySet[Offer]) -> Candidates:
    return Candidates.of(queryset.values_list(*CANDIDATE_FIELDS))


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _evaluate(
    graph: RoadGraph,
    found: Candidates | list[Offer],
    p: int,
    d: int,
    window_start: datetime,
    window_end: datetime,
    passenger: Route | None = None,
    limit: int | None = None,
    territories: list[Territory] | None = None,
) -> list[Match]:
    """Detours of every candidate at once, then the ranking (vectorised), the paths unpacked
    for the metres and exact seconds only as far down the ranking as the page needs; model
    instances are loaded for the `limit` best matches only (each in its territory's schema
    when the candidates come from several: `territories[source]`)."""
    c = found if isinstance(found, Candidates) else Candidates.of(found)
    if not len(c):
        return []
    start, end = window_start.timestamp(), window_end.timestamp()
    # Bounds that cannot change an answer: a ride takes at most its time plus its budget (+1 s
    # for rounding), and must reach P before the window ends even leaving at the latest.
    result = graph.detours(
        p,
        d,
        c.origins,
        c.destinations,
        c.ride_s,
        c.ride_m,
        max_total_s=c.ride_s * (1 + c.ratio) + 1.0,
        max_approach_s=end - c.departure + c.margin_s + 1.0,
        passenger=passenger,
        lazy=True,
    )
    if result is None:
        return []
    kept, score, pickup_at = page(c, result, start, end, limit)
    detour_s = np.maximum(0.0, result.detour_s[kept])
    detour_m = np.maximum(0.0, result.detour_m[kept])
    offers, labels = _load(c, kept, territories)
    pickup, dropoff = node_point(graph, p), node_point(graph, d)
    ride_s = max(1.0, result.passenger_s)
    return [
        Match(
            offer=offers[_key(c, ride)],
            elsewhere=labels.get(_key(c, ride)[0]),
            pickup=pickup,
            dropoff=dropoff,
            pickup_at=_moment(pickup_at[i]),
            dropoff_at=_moment(pickup_at[i] + ride_s),
            detour_s=float(detour_s[i]),
            detour_m=float(detour_m[i]),
            passenger_m=result.passenger_m,
            passenger_s=result.passenger_s,
            score=float(score[i]),
            wanted_at=_moment((start + end) / 2),
        )
        for i, ride in enumerate(kept.tolist())
    ]


# What a detour's times to the millisecond may differ from its exact time (the hierarchy rounds
# each edge to the millisecond: a second is two thousand edges along the two legs, all rounded
# the same way).
ROUNDING_S = 1.0


def page(c: Candidates, result: Detours, start: float, end: float, limit: int | None):
    """The `limit` best rides for a window [start, end] (POSIX seconds), best first, as
    indices into `c`, with their scores and pickup times. Rides are settled (legs unpacked)
    best first: an unsettled ride counts with its times to the millisecond less ROUNDING_S
    and no metre bound yet, so settling can only move it down or out; once the page holds
    settled rides only, no other can enter it."""
    while True:
        chosen, score, pickup_at = _ranked(c, result, start, end)
        order = np.lexsort((c.ids[chosen], c.departure[chosen], score))[:limit]
        pending = chosen[order][~result.settled[chosen[order]]]
        if not pending.size:
            return chosen[order], score[order], pickup_at[order]
        result.settle(pending)


def _ranked(c: Candidates, result: Detours, start: float, end: float):
    """The rides admissible so far (indices), their scores and pickup times; unsettled rides
    with the most favourable reading of their rounded times."""
    slack = np.where(result.settled, 0.0, ROUNDING_S)
    with np.errstate(invalid="ignore"):  # unreachable rides carry inf − inf
        # Stored durations and distances are rounded to the second and metre.
        ok = (result.detour_s <= c.ratio * c.ride_s + 1.0 + slack) & (
            ~result.settled | (result.detour_m <= c.ratio * c.ride_m + 1.0)
        )
        earliest = c.departure - c.margin_s + result.to_pickup_s
        latest = earliest + 2 * c.margin_s
        ok &= (latest + slack >= start) & (earliest - slack <= end)
    chosen = np.flatnonzero(ok)
    planned = c.departure[chosen] + result.to_pickup_s[chosen]
    pickup_at = np.minimum(
        np.maximum(np.maximum(planned, start), earliest[chosen]),
        np.minimum(latest[chosen], end),
    )
    detour_s = np.maximum(0.0, result.detour_s[chosen] - slack[chosen])
    gap_min = np.maximum(0.0, np.abs(pickup_at - (start + end) / 2) - slack[chosen]) / 60
    return chosen, detour_s / 60 + TIME_GAP_WEIGHT * gap_min, pickup_at


def _key(c: Candidates, i: int) -> tuple[int, int]:
    return (0 if c.source is None else int(c.source[i]), int(c.ids[i]))


def _load(c: Candidates, kept: np.ndarray, territories: list[Territory] | None):
    """The offers of the kept candidates by (source, id), and the labels of the other
    territories they come from."""
    offers, labels = {}, {}
    wanted: dict[int, list[int]] = {}
    for i in kept.tolist():
        source, pk = _key(c, i)
        wanted.setdefault(source, []).append(pk)
    for source, ids in wanted.items():
        context = (
            schema_context(territories[source].schema_name) if source else contextlib.nullcontext()
        )
        with context:
            found = Offer.objects.select_related("driver").in_bulk(ids)
            drivers_facts_attach([o.driver for o in found.values()])
        offers.update({(source, pk): offer for pk, offer in found.items()})
        if source:
            labels[source] = federation.label(territories[source])
    return offers, labels


MAX_RESULTS = 50


def search_day_check(day: date) -> date:
    """A search looks from yesterday (the night's rides, time zones) to the territory's
    publication horizon: no ride leaves later. Else a ValidationError saying the range."""
    first, last = timezone.localdate() - timedelta(days=1), publication_last_day()
    if not first <= day <= last:
        raise ValidationError(
            _(
                "Search a day from %(first)s to %(last)s: rides are published %(days)d days ahead "
                "at most."
            )
            % {
                "first": formats.date_format(first, "SHORT_DATE_FORMAT"),
                "last": formats.date_format(last, "SHORT_DATE_FORMAT"),
                "days": settings_get().publication_horizon_days,
            },
            code="out_of_range",
        )
    return day


def offers_matching(
    *,
    pickup: Place,
    dropoff: Place,
    window_start: datetime,
    window_end: datetime,
    seats: int = 1,
    limit: int = MAX_RESULTS,
    federated: bool = False,
    regular: bool = False,
    viewer=None,
) -> list[Match]:
    """The `limit` best rides for the request, best first. `federated`: also the rides of the
    neighbouring territories of the archipel (one prefilter query in each schema; one engine
    step for all). `regular`: only occurrences of weekly rides. `viewer`: the person searching
    (the rides of people they blocked, or who blocked them, are never shown)."""
    graph = territory_graph()
    p, d = snap(graph, pickup, "origin"), snap(graph, dropoff, "destination")
    if p == d:
        return []
    passenger = graph.route(p, d)
    if passenger is None:
        return []
    a, b = node_point(graph, p), node_point(graph, d)
    here = current_territory()
    territories = [here] + (federation.neighbours(here, [a, b]) if federated else [])
    hidden = blocks.hidden_from(viewer)  # blocks hold in every territory
    parts = []
    for n, territory in enumerate(territories):
        with schema_context(territory.schema_name) if n else contextlib.nullcontext():
            survivors = prefilter(
                Offer.objects.filter(status=Offer.Status.ACTIVE),
                a,
                b,
                window_start,
                window_end,
                seats,
                passenger=passenger,
                max_speed=graph.max_speed,
            )
            if regular:
                survivors = survivors.filter(regular_ride__isnull=False)
            if hidden:
                survivors = survivors.exclude(driver_id__in=hidden)
            parts.append(candidates(survivors))
    found = parts[0] if len(parts) == 1 else Candidates.merged(parts)
    return _evaluate(graph, found, p, d, window_start, window_end, passenger, limit, territories)


def ride_serves(
    graph: RoadGraph,
    offer: Offer,
    p: int,
    d: int,
    window_start: datetime,
    window_end: datetime,
    passenger: Route,
) -> Match | None:
    """The exact match of one ride for a request between two snapped nodes (alerts)."""
    matches = _evaluate(graph, [offer], p, d, window_start, window_end, passenger)
    return matches[0] if matches else None


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


@dataclass(frozen=True)
class DriverFacts:
    """What the site vouches for about a driver, shown beside their rides (as on their
    profile, trust.selectors.facts_verified): verified e-mail and phone, journeys completed
    in this territory, member since."""

    email_verified: bool
    phone_verified: bool
    journeys: int
    member_since: datetime


def drivers_facts_attach(drivers) -> None:
    """Sets `facts` (DriverFacts) on each user of `drivers`, in the current schema, with
    four queries whatever their number."""
    drivers = list(drivers)
    ids = {d.pk for d in drivers}
    if not ids:
        return
    verified = set(
        EmailAddress.objects.filter(user_id__in=ids, verified=True).values_list(
            "user_id", flat=True
        )
    )
    journeys: dict[int, int] = {}
    for side in ("driver", "passenger"):
        rows = (
            Journey.objects.filter(**{f"{side}_id__in": ids})
            .values_list(f"{side}_id")
            .annotate(n=Count("id"))
        )
        for pk, n in rows:
            journeys[pk] = journeys.get(pk, 0) + n
    joined = dict(Membership.objects.filter(user_id__in=ids).values_list("user_id", "joined_at"))
    for d in drivers:
        d.facts = DriverFacts(
            email_verified=d.pk in verified,
            phone_verified=bool(d.phone_verified_at),
            journeys=journeys.get(d.pk, 0),
            member_since=joined.get(d.pk, d.date_joined),
        )


def bookings_visible_to(user) -> QuerySet[Booking]:
    """The bookings a person may see: theirs as a passenger and those on the rides they drive
    (anyone else gets a 404)."""
    return Booking.objects.filter(Q(passenger=user) | Q(offer__driver=user))


WALK_SHOWN_M = 25  # a place searched farther than this from the route gets its walk drawn


def ride_map(offer: Offer, searched: tuple[Place, Place] | None, bookings) -> dict:
    """What the ride's page draws on its map (js/route-map.js) and lists in text: the route,
    its ends, and the pickups and drop-offs — the passenger's own (`searched`, with the walk
    to the route) or, for the driver, those of each booking still on (`bookings`)."""
    stops: list[tuple[str, Point, str]] = []
    if searched is not None:
        for kind, place in zip(("pickup", "dropoff"), searched, strict=True):
            stops.append((kind, Point(place.lon, place.lat, srid=4326), place.label))
    for booking in bookings:
        if booking.status in ("pending", "accepted"):
            stops.append(("pickup", booking.pickup, booking.pickup_label))
            stops.append(("dropoff", booking.dropoff, booking.dropoff_label))
    texts = {"pickup": _("Pickup: %s"), "dropoff": _("Drop-off: %s")}
    symbols = {"pickup": "1", "dropoff": "2"}
    start = {"kind": "start", "symbol": "A", "label": _("Departure: %s") % offer.origin_label}
    points = [{**start, **_latlon(offer.origin)}]
    for kind, place, label in stops:
        on_route = offer.route.interpolate(offer.route.project(place))
        point = {"kind": kind, "symbol": symbols[kind], "label": texts[kind] % label}
        point.update(_latlon(on_route))
        if _metres(place, on_route) > WALK_SHOWN_M:
            point["walk"] = [place.y, place.x]
        points.append(point)
    end = {"kind": "end", "symbol": "B", "label": _("Arrival: %s") % offer.destination_label}
    points.append({**end, **_latlon(offer.destination)})
    return {"route": [[lat, lon] for lon, lat in offer.route.coords], "points": points}


def _metres(a: Point, b: Point) -> float:
    return a.transform(3857, clone=True).distance(b.transform(3857, clone=True)) * math.cos(
        math.radians(a.y)
    )


def _latlon(point: Point) -> dict:
    return {"lat": round(point.y, 6), "lon": round(point.x, 6)}
