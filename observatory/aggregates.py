"""Figures for the authority, computed from the territory's own journeys (and offers,
bookings, members, solidarity requests), with small-cell suppression: a figure that concerns
fewer than k distinct people is never shown, and totals are sums of the figures shown only, so
that no suppressed figure can be recovered by subtraction (docs/observatory.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from core.replica import reading_connection
from solidarity.models import Request
from tenants.members.models import Membership
from tenants.models import Area
from themes.selectors import settings_get
from trips.models import Booking, Offer, SearchLog


@dataclass(frozen=True)
class ReportPeriod:
    """The days a report of the authority covers."""

    first: date
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """Exclusive."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> ReportPeriod:
        """The period of the same length just before."""
        return ReportPeriod(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.first.isoformat()}/{self.last.isoformat()}"


@dataclass(slots=True)  # hundreds of thousands per dataset: plain slots are fastest
class Figure:
    value: float | int | Decimal | None  # None when suppressed
    people: int  # distinct people the figure concerns

    @property
    def suppressed(self) -> bool:
        return self.value is None


def figure(value, people: int, k: int) -> Figure:
    """The value, unless it concerns 1 to k − 1 people (about nobody, it is shown: zero)."""
    return Figure(value if people >= k or people == 0 else None, people)


# --- people behind the figures -------------------------------------------------------------------
# A person is their account id; a solidarity beneficiary without one is their record (negative
# ids), and a passenger known by neither counts as one person per journey.
JOURNEYS_SQL = """
    SELECT j.id, j.kind, j.pickup_commune, j.dropoff_commune, j.seats, j.distance_m,
           j.duration_s, j.amount, j.pickup_at, {ride} AS ride_id,
           j.driver_id::bigint AS driver_key,
           COALESCE(j.passenger_id::bigint, -r.beneficiary_id, -1000000000000 - j.id)
             AS passenger_key
    FROM trips_journey j
    LEFT JOIN solidarity_request r ON r.journey_id = j.id
    {joins}
    WHERE j.pickup_at >= %s AND j.pickup_at < %s
"""


def journeys_sql(rides: bool = False) -> str:
    """The journeys of a period with their people's keys; with the ride of each carpool
    journey when `rides`."""
    if rides:
        return JOURNEYS_SQL.format(
            ride="b.offer_id", joins="LEFT JOIN trips_booking b ON b.id = j.booking_id"
        )
    return JOURNEYS_SQL.format(ride="NULL::integer", joins="")


def _query(sql: str, params: list) -> list[tuple]:
    """One aggregate query, on the replica inside `replica_reads`. Without JIT: compiling the
    expressions of a query over a year of journeys costs more (a third of a second) than it
    saves on them; with room to sort in memory rather than in temporary files."""
    reading = reading_connection()
    with transaction.atomic(using=reading.alias):
        with reading.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(sql, params)
            return cursor.fetchall()


def _totals(period: ReportPeriod) -> dict:
    """Whole-period figures, computed in PostgreSQL. The distinct people are grouped (hashed:
    tens of thousands of people among a million journeys) rather than counted DISTINCT, which
    sorts every journey once per count."""
    (row,) = _query(
        f"""
        WITH j AS MATERIALIZED ({journeys_sql(rides=True)}),
        drivers AS (SELECT driver_key AS person FROM j GROUP BY 1),
        passengers AS (SELECT passenger_key AS person FROM j GROUP BY 1)
        SELECT count(*), coalesce(sum(seats), 0), coalesce(sum(seats::bigint * distance_m), 0),
               (SELECT count(*) FROM drivers), (SELECT count(*) FROM passengers),
               (SELECT count(*) FROM
                 (SELECT person FROM drivers UNION SELECT person FROM passengers) AS everyone),
               (SELECT count(*) FROM (SELECT ride_id FROM j WHERE kind = 'carpool'
                                        AND ride_id IS NOT NULL GROUP BY 1) AS rides)
                 + count(*) FILTER (WHERE kind = 'solidarity')
        FROM j
        """,
        [period.start, period.end],
    )
    names = ("journeys", "passengers", "passenger_m", "drivers", "passenger_people", "people")
    return {name: int(value) for name, value in zip((*names, "cars"), row, strict=True)}


def grouped(period: ReportPeriod, keys: list[str], joins: str = "", *, k: int) -> list:
    """(key…, journeys, passengers, passenger-metres, people) per group of journeys, computed in
    PostgreSQL; `keys` are SQL expressions over the journey rows `j` (and `joins`).

    People are the group's drivers and passengers together, and they only decide whether the
    group is shown (at least k of them). One distinct count per group, the drivers', decides
    most groups: k drivers or more is shown (the people reported: that lower bound), and a
    group of n journeys concerns at most 2n people, so 2n < k is hidden (reported: 2n, an
    upper bound). The exact count of distinct people is computed only for the groups in
    between."""
    names = [f"key{n}" for n in range(len(keys))]
    listed = ", ".join(names)
    aliased = ", ".join(f"{expr} AS {name}" for expr, name in zip(keys, names, strict=True))
    exprs = ", ".join(keys)
    # `j` is inlined (not materialized) in both scans, so that PostgreSQL may scan in parallel.
    return _query(
        f"""
        WITH j AS NOT MATERIALIZED ({journeys_sql()}),
        cells AS MATERIALIZED (
            SELECT {aliased}, count(*) AS n, sum(j.seats) AS seats,
                   sum(j.seats::bigint * j.distance_m) AS metres,
                   count(DISTINCT j.driver_key) AS drivers
            FROM j {joins} GROUP BY {exprs}),
        persons AS (SELECT {aliased}, count(DISTINCT v.person) AS people
                    FROM j {joins} CROSS JOIN LATERAL (VALUES (j.driver_key), (j.passenger_key))
                         AS v(person)
                    WHERE ({exprs}) IN (SELECT {listed} FROM cells
                                        WHERE drivers < %s AND 2 * n >= %s)
                    GROUP BY {exprs})
        SELECT {", ".join(f"cells.{n}" for n in names)}, n, seats, metres,
               coalesce(persons.people, CASE WHEN drivers >= %s THEN drivers ELSE 2 * n END)
        FROM cells LEFT JOIN persons USING ({listed})
        ORDER BY {", ".join(f"cells.{n}" for n in names)}
        """,
        [period.start, period.end, k, k, k],
    )


# --- indicators ---------------------------------------------------------------------------------
@dataclass
class Indicators:
    period: ReportPeriod
    k: int
    figures: dict[str, Figure] = field(default_factory=dict)
    unmet_reasons: list[tuple[str, Figure]] = field(default_factory=list)

    def __getitem__(self, name: str) -> Figure:
        return self.figures[name]


def indicators(period: ReportPeriod, k: int | None = None) -> Indicators:
    current = settings_get()
    k = k or current.observatory_min_people
    totals = _totals(period)
    people, passengers = totals["people"], totals["passengers"]
    passenger_km = totals["passenger_m"] / 1000
    cars = totals["cars"]  # one per carpool ride that carried someone, one per solidarity trip
    out = Indicators(period, k)
    f = out.figures
    f["car_trips_avoided"] = figure(passengers, people, k)
    f["vehicle_km_avoided"] = figure(round(passenger_km, 1), people, k)
    f["co2_kg_avoided"] = figure(round(passenger_km * float(current.co2_kg_per_km), 1), people, k)
    f["occupancy"] = figure(round((cars + passengers) / cars, 2) if cars else None, people, k)
    f["journeys"] = figure(totals["journeys"], people, k)
    f["drivers"] = figure(totals["drivers"], totals["drivers"], k)
    f["passengers"] = figure(totals["passenger_people"], totals["passenger_people"], k)
    offers = Offer.objects.filter(
        departure_at__gte=period.start, departure_at__lt=period.end
    ).exclude(status=Offer.Status.CANCELLED)
    offered = offers.aggregate(
        rides=Count("id"), seats=Sum("seats"), drivers=Count("driver", distinct=True)
    )
    f["rides_offered"] = figure(offered["rides"], offered["drivers"], k)
    f["seats_offered"] = figure(offered["seats"] or 0, offered["drivers"], k)
    booked = Booking.objects.filter(
        created_at__gte=period.start, created_at__lt=period.end
    ).aggregate(n=Count("id"), people=Count("passenger", distinct=True))
    f["bookings"] = figure(booked["n"], booked["people"], k)
    searched = SearchLog.objects.filter(at__gte=period.start, at__lt=period.end).aggregate(
        n=Count("id"), empty=Count("id", filter=Q(results=0))
    )
    # Searches are anonymous: a count of searches stands for the people who made them.
    f["searches"] = figure(searched["n"], searched["n"], k)
    f["searches_without_result"] = figure(searched["empty"], searched["empty"], k)
    newcomers = Membership.objects.filter(
        consented_at__gte=period.start, consented_at__lt=period.end
    ).count()
    f["newcomers"] = figure(newcomers, newcomers, k)
    # Solidarity transport.
    requests = Request.objects.filter(window_start__gte=period.start, window_start__lt=period.end)
    asked = requests.aggregate(
        n=Count("id"),
        people=Count("beneficiary", distinct=True),
        served=Count("id", filter=Q(status__in=["done", "closed"])),
        unmet=Count("id", filter=Q(status="unmet")),
        km=Sum("actual_km"),
        minutes=Sum("actual_minutes"),
        indemnities=Sum("indemnity"),
        volunteers=Count("volunteer", distinct=True),
    )
    f["solidarity_requests"] = figure(asked["n"], asked["people"], k)
    f["solidarity_served"] = figure(asked["served"], asked["people"], k)
    f["solidarity_unmet"] = figure(asked["unmet"], asked["people"], k)
    f["volunteer_km"] = figure(asked["km"] or Decimal("0"), asked["volunteers"], k)
    f["volunteer_hours"] = figure(round((asked["minutes"] or 0) / 60, 1), asked["volunteers"], k)
    f["indemnities"] = figure(asked["indemnities"] or Decimal("0"), asked["volunteers"], k)
    reasons = (
        requests.filter(status="unmet")
        .values("status_reason")
        .annotate(n=Count("id"), people=Count("beneficiary", distinct=True))
        .order_by("-n", "status_reason")
    )
    out.unmet_reasons = [(r["status_reason"], figure(r["n"], r["people"], k)) for r in reasons]
    return out


# --- flows between areas ---------------------------------------------------------------------
@dataclass(slots=True)
class Flow:
    origin: str  # area code (commune INSEE code, EPCI SIREN, or foreign area code)
    origin_name: str
    destination: str
    destination_name: str
    journeys: Figure
    passengers: Figure
    passenger_km: Figure
    vehicle_km_avoided: Figure

    @property
    def suppressed(self) -> bool:
        return self.journeys.suppressed


@dataclass(frozen=True)
class Flows:
    period: ReportPeriod
    level: str
    k: int
    rows: list[Flow]
    # Totals of the cells shown only: a suppressed cell cannot be recovered from them.
    total_journeys: int
    total_passengers: int
    total_passenger_km: float
    suppressed_cells: int


LEVELS = ("commune", "epci")
# The name of an empty area code: a journey that starts or ends outside the territory's areas.
OUTSIDE = gettext_noop("outside the territory")


def area_name(code: str, names: dict[str, str]) -> str:
    """The name of an area key, or "outside the territory" (in the active language)."""
    return names.get(code) or code or gettext(OUTSIDE)


def area_keys(codes: set[str], level: str) -> dict[str, tuple[str, str]]:
    """code → (key, name) at the level: a French commune's EPCI, else the area itself."""
    areas = Area.objects.filter(code__in=codes).values_list("code", "name", "epci", "epci_name")
    found = {}
    for code, name, epci, epci_name in areas:
        found[code] = (epci, epci_name) if level == "epci" and epci else (code, name)
    return {code: found.get(code, (code or "?", area_name(code, {}))) for code in codes}


def flows(period: ReportPeriod, level: str = "commune", k: int | None = None) -> Flows:
    k = k or settings_get().observatory_min_people
    # Area codes are ASCII: grouped bytewise (COLLATE "C"), in the same order, twice as fast.
    if level == "epci":
        keys = [
            "(CASE WHEN ao.epci <> '' THEN ao.epci ELSE j.pickup_commune END) COLLATE \"C\"",
            "(CASE WHEN ad.epci <> '' THEN ad.epci ELSE j.dropoff_commune END) COLLATE \"C\"",
        ]
        joins = (
            "LEFT JOIN tenants_area ao ON ao.code = j.pickup_commune "
            "LEFT JOIN tenants_area ad ON ad.code = j.dropoff_commune"
        )
    else:
        keys, joins = ['j.pickup_commune COLLATE "C"', 'j.dropoff_commune COLLATE "C"'], ""
    rows = grouped(period, keys, joins, k=k)
    codes = {r[0] for r in rows} | {r[1] for r in rows}
    names = _names(codes, level)
    named = {code: area_name(code, names) for code in codes}
    out = []
    for origin, destination, count, passengers, passenger_m, people in rows:
        km = figure(round(float(passenger_m) / 1000, 1), people, k)  # passenger-km = vehicle-km
        out.append(
            Flow(
                origin,
                named[origin],
                destination,
                named[destination],
                figure(count, people, k),
                figure(passengers, people, k),
                km,
                km,
            )
        )
    shown = [f for f in out if not f.suppressed]
    return Flows(
        period,
        level,
        k,
        out,
        total_journeys=sum(f.journeys.value for f in shown),
        total_passengers=sum(f.passengers.value for f in shown),
        total_passenger_km=round(sum(f.passenger_km.value for f in shown), 1),
        suppressed_cells=len(out) - len(shown),
    )


def _names(keys: set[str], level: str) -> dict[str, str]:
    """Names of area keys: commune (or foreign area) names, or EPCI names."""
    names = dict(Area.objects.filter(code__in=keys).values_list("code", "name"))
    if level == "epci":
        names |= dict(
            Area.objects.filter(epci__in=keys).values_list("epci", "epci_name").distinct()
        )
    return names
