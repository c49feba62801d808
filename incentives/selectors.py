"""Reads of the incentives: the journeys as tables for the computation, a campaign's context,
the ledger's sums, what a person sees, the statements' rows."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from django.db import connection, models
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tenants.models import Area
from tenants.selectors import current_territory
from trips.models import Journey

from .compute import Context, Table, day_number, holiday_days
from .models import Annulment, BankAccount, Campaign, Hold, Line, Payout, Simulation, Statement
from .rules import Rules

_COLUMNS = (
    "id",
    "at",
    "end",
    "day",
    "month",
    "year",
    "weekday",
    "minute",
    "distance_m",
    "seats",
    "proof",
    "driver",
    "passenger",
    "offer",
    "origin",
    "destination",
    "partner",
)

_SQL = """
    WITH j AS (
        SELECT j.*, j.pickup_at AT TIME ZONE %(tz)s AS local
          FROM trips_journey j
         WHERE j.kind = 'carpool' AND {where}
           AND NOT EXISTS (SELECT 1 FROM incentives_annulment a WHERE a.journey_id = j.id)
    )
    SELECT j.id::int8, extract(epoch FROM j.pickup_at)::int8,
           extract(epoch FROM j.dropoff_at)::int8,
           (j.local::date - date '2000-01-01')::int8,
           (extract(year FROM j.local)::int * 12 + extract(month FROM j.local)::int - 1)::int8,
           extract(year FROM j.local)::int8, (extract(isodow FROM j.local)::int - 1)::int8,
           (extract(hour FROM j.local)::int * 60 + extract(minute FROM j.local)::int)::int8,
           j.distance_m::int8, j.seats::int8, ({proof})::int8,
           j.driver_id::int8, j.passenger_id::int8, b.offer_id::int8, coalesce(o.id, 0)::int8,
           coalesce(d.id, 0)::int8, ({partner})::int8
      FROM j JOIN trips_booking b ON b.id = j.booking_id
      LEFT JOIN tenants_area o ON o.code = j.pickup_commune
      LEFT JOIN tenants_area d ON d.code = j.dropoff_commune
      {joins}
     ORDER BY j.pickup_at, j.id
"""
_COMPLETE = (
    "c.pickup_at IS NOT NULL AND c.dropoff_at IS NOT NULL AND c.pickup IS NOT NULL"
    " AND c.dropoff IS NOT NULL"
)
# A few journeys: the proof class and the partner's stand-in looked up journey by journey.
_FEW = {
    "proof": f"(SELECT count(*) FROM trips_confirmation c WHERE c.booking_id = j.booking_id"
    f" AND {_COMPLETE})",
    "partner": "EXISTS (SELECT 1 FROM interop_partnerpassenger p"
    " WHERE p.user_id = j.passenger_id)::int",
    "joins": "",
}
# A year of journeys: the same from tables joined once (hash joins, not a million lookups).
_MANY = {
    "proof": "coalesce(c.n, 0)",
    "partner": "(p.user_id IS NOT NULL)::int",
    "joins": f"LEFT JOIN (SELECT booking_id, count(*) AS n FROM trips_confirmation c"
    f" WHERE {_COMPLETE} GROUP BY booking_id) c ON c.booking_id = j.booking_id"
    " LEFT JOIN (SELECT DISTINCT user_id FROM interop_partnerpassenger) p"
    " ON p.user_id = j.passenger_id",
}


def journey_table(where: str = "TRUE", params: dict | None = None, many: bool = False) -> Table:
    """The carpool journeys that `where` keeps (SQL on `j`, the journey), not annulled, in
    time order, as arrays (`many`: a large share of the territory's journeys)."""
    params = {"tz": timezone.get_current_timezone_name(), **(params or {})}
    sql = _SQL.format(where=where, **(_MANY if many else _FEW))
    data = _int8_rows(sql, params)
    return Table(**{name: data[:, i].copy() for i, name in enumerate(_COLUMNS)})


def _int8_rows(sql: str, params: dict) -> np.ndarray:
    """The rows of `sql` (every column a non-null int8) as an array, read with PostgreSQL's
    binary COPY: each row is a 16-bit field count then, per field, a 32-bit length and the
    8-byte big-endian value — one numpy view instead of a Python tuple per row."""
    with connection.cursor() as cursor:
        body = bytearray()
        # psycopg's own cursor: Django's debug wrapper (DEBUG, captured queries) takes no
        # parameters for COPY.
        raw = cursor.cursor
        with raw.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)", params) as copy:
            for chunk in copy:
                body += chunk
    fields = len(_COLUMNS)
    header = 19 + int.from_bytes(body[15:19], "big")  # signature, flags, extension length
    layout = [("n", ">i2")]
    for i in range(fields):
        layout += [(f"l{i}", ">i4"), (f"v{i}", ">i8")]
    rows = np.frombuffer(bytes(body[header:-2]), dtype=np.dtype(layout))
    return np.stack([rows[f"v{i}"].astype(np.int64) for i in range(fields)], axis=1)


def history_until(last: date) -> Table:
    """Every carpool journey up to the last day (the newcomers' bonuses count from the first)."""
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time()))
    return journey_table("j.pickup_at < %(end)s", {"end": end}, many=True)


def people_history(journey) -> Table:
    """The journeys of the journey's two people, up to it: what its conditions, bonuses,
    cooldown and anomalies depend on."""
    return journey_table(
        "(j.driver_id IN (%(a)s, %(b)s) OR j.passenger_id IN (%(a)s, %(b)s))"
        " AND (j.pickup_at, j.id) <= (%(at)s, %(id)s)",
        {
            "a": journey.driver_id,
            "b": journey.passenger_id,
            "at": journey.pickup_at,
            "id": journey.pk,
        },
    )


def known_areas() -> dict[str, str]:
    """Codes a campaign of this territory may name, with their names: its communes and their
    EPCI."""
    areas = current_territory().areas.all()
    names = {a.code: a.name for a in areas}
    names.update({a.epci: a.epci_name for a in areas if a.epci})
    return names


@functools.lru_cache(maxsize=1024)
def _area_ids(codes: tuple[str, ...]) -> np.ndarray:
    """The referential's ids of the communes the codes name (communes, or EPCI: all their
    communes); kept per process — the referential changes only when communes are reloaded."""
    if not codes:
        return np.array([], dtype=np.int64)
    ids = Area.objects.filter(Q(code__in=codes) | Q(epci__in=codes)).values_list("id", flat=True)
    return np.array(sorted(ids), dtype=np.int64)


def _inside(polygon: str, end: str, ids: np.ndarray) -> np.ndarray:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM trips_journey WHERE id = ANY(%s) AND "
            f"ST_Covers(ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326), {end})",
            [ids.tolist(), polygon],
        )
        return np.array([r[0] for r in cursor.fetchall()], dtype=np.int64)


def territory_country() -> str:
    """The country of the territory's areas (its public holidays), kept per process."""
    return _country_of(connection.schema_name)


@functools.lru_cache(maxsize=512)
def _country_of(schema: str) -> str:
    return next(iter(current_territory().areas.values_list("country", flat=True)), "FR")


def campaign_context(
    campaign: Campaign, rules: Rules, table: Table, country: str | None = None
) -> Context:
    polygon = {}
    if rules.polygon:
        polygon = {
            "polygon_origin": _inside(rules.polygon, "pickup", table.id),
            "polygon_destination": _inside(rules.polygon, "dropoff", table.id),
        }
    country = country or territory_country()
    return Context(
        first_day=day_number(campaign.starts_on),
        last_day=day_number(campaign.ends_on),
        origin_ids=_area_ids(tuple(rules.origin_areas)),
        destination_ids=_area_ids(tuple(rules.destination_areas)),
        holidays=holiday_days(country, campaign.starts_on, campaign.ends_on)
        if rules.no_holidays
        else None,
        **polygon,
    )


def active_campaigns_on(day: date):
    return Campaign.objects.filter(
        status=Campaign.Status.ACTIVE, starts_on__lte=day, ends_on__gte=day
    ).order_by("pk")


def campaigns():
    return Campaign.objects.all()


def campaign_find(pk: int) -> Campaign | None:
    return Campaign.objects.filter(pk=pk).first()


def spent(campaign: Campaign) -> Decimal:
    return campaign.spent


def ledger_total(campaign: Campaign) -> Decimal:
    """The campaign's lines added up (what `Campaign.spent` must equal)."""
    return Line.objects.filter(campaign=campaign).aggregate(s=Sum("amount"))["s"] or Decimal(0)


def _sum(lines) -> Decimal:
    return lines.aggregate(s=Sum("amount"))["s"] or Decimal(0)


@dataclass(frozen=True)
class Sums:
    """The ledger around one line: what the person already has in the day, the month, the
    year, and what the campaign has spent (the line's own journey left out)."""

    day_trips: int
    month_trips: int
    month: Decimal
    year: Decimal
    campaign: Decimal


def _local_bounds(moment: datetime) -> tuple[tuple[datetime, datetime], ...]:
    local = timezone.localtime(moment)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    month = day.replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    year = month.replace(month=1)
    tz = timezone.get_current_timezone()

    def aware(d: datetime) -> datetime:
        return timezone.make_aware(d.replace(tzinfo=None), tz)

    return (
        (aware(day), aware(day + timedelta(days=1))),
        (aware(month), aware(next_month)),
        (aware(year), aware(year.replace(year=year.year + 1))),
    )


def ledger_sums(campaign: Campaign, person_id: int, journey, own: Decimal) -> Sums:
    """One query over the person's lines of the journey's year in the campaign; `own`: what
    the campaign already holds for this journey (left out of its spending)."""
    day, month, year = _local_bounds(journey.pickup_at)
    counted = Q(kind=Line.Kind.ACCRUAL, raw_cents__gt=0) & ~Q(
        journey_id__in=Annulment.objects.values("journey_id")
    )
    in_day = Q(journey_at__gte=day[0], journey_at__lt=day[1])
    in_month = Q(journey_at__gte=month[0], journey_at__lt=month[1])
    found = (
        Line.objects.filter(
            campaign=campaign,
            person_id=person_id,
            journey_at__gte=year[0],
            journey_at__lt=year[1],
        )
        .exclude(journey=journey)
        .aggregate(
            day_trips=Count("journey", distinct=True, filter=counted & in_day),
            month_trips=Count("journey", distinct=True, filter=counted & in_month),
            month=Sum("amount", filter=in_month),
            year=Sum("amount"),
        )
    )
    return Sums(
        day_trips=found["day_trips"],
        month_trips=found["month_trips"],
        month=found["month"] or Decimal(0),
        year=found["year"] or Decimal(0),
        campaign=campaign.spent - own,
    )


def journey_lines(journey) -> dict[int, dict[tuple[int, str], Decimal]]:
    """What each campaign holds for the journey, by person and role (one query)."""
    rows = (
        Line.objects.filter(journey=journey)
        .values("campaign_id", "person_id", "role")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    held: dict[int, dict[tuple[int, str], Decimal]] = {}
    for r in rows:
        held.setdefault(r["campaign_id"], {})[(r["person_id"], r["role"])] = r["s"]
    return held


def hold_of(journey) -> Hold | None:
    return Hold.objects.filter(journey=journey).first()


def holds_waiting():
    return Hold.objects.filter(status=Hold.Status.HELD).select_related(
        "journey__driver", "journey__passenger"
    )


def is_annulled(journey) -> bool:
    return Annulment.objects.filter(journey=journey).exists()


def lines_of(person) -> list[Line]:
    return list(
        Line.objects.filter(person=person)
        .select_related("campaign", "journey")
        .order_by("-journey_at", "-created_at")
    )


def person_holds(person):
    return Hold.objects.filter(
        Q(journey__driver=person) | Q(journey__passenger=person)
    ).select_related("journey")


def person_balance(person) -> dict:
    earned = _sum(Line.objects.filter(person=person))
    paid = Payout.objects.filter(person=person).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return {"earned": earned, "paid": paid, "due": earned - paid}


def bank_account_of(person) -> BankAccount | None:
    return BankAccount.objects.filter(person=person).first()


def simulations_of(campaign: Campaign):
    return Simulation.objects.filter(campaign=campaign)


def simulation_latest(campaign: Campaign) -> Simulation | None:
    return Simulation.objects.filter(campaign=campaign).first()


def month_bounds(month: date) -> tuple[datetime, datetime]:
    first = timezone.make_aware(datetime.combine(month.replace(day=1), time()))
    following = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first, timezone.make_aware(datetime.combine(following, time()))


def statement_lines(campaign: Campaign, month: date):
    """The ledger's lines recorded in the month."""
    first, end = month_bounds(month)
    return (
        Line.objects.filter(campaign=campaign, created_at__gte=first, created_at__lt=end)
        .select_related("person", "journey")
        .order_by("created_at", "pk")
    )


def statements_by_month(campaign: Campaign) -> dict[date, Statement]:
    return {s.month: s for s in Statement.objects.filter(campaign=campaign)}


def carpool_journey(pk: int):
    return Journey.objects.filter(pk=pk, kind=Journey.Kind.CARPOOL).first()


def statement_find(campaign: Campaign, month: date) -> Statement | None:
    return Statement.objects.filter(campaign=campaign, month=month.replace(day=1)).first()


def owed_at_end_of(campaign: Campaign, month: date) -> dict[int, Decimal]:
    """What each person is owed by the campaign at the end of the month: every line recorded
    until then, less what was paid to them (a negative balance waits for the next lines)."""
    _first, end = month_bounds(month)
    earned = (
        Line.objects.filter(campaign=campaign, created_at__lt=end)
        .values("person_id")
        .annotate(s=Sum("amount"))
    )
    paid = dict(
        Payout.objects.filter(statement__campaign=campaign)
        .values("person_id")
        .annotate(s=Sum("amount"))
        .values_list("person_id", "s")
    )
    return {row["person_id"]: row["s"] - paid.get(row["person_id"], 0) for row in earned}


def burn(campaign: Campaign) -> list[tuple[date, Decimal]]:
    """What the campaign spent, day by day (cumulated), from its lines."""
    rows = (
        Line.objects.filter(campaign=campaign)
        .annotate(d=TruncDate("created_at"))
        .values("d")
        .annotate(s=Sum("amount"))
        .order_by("d")
    )
    total, out = Decimal(0), []
    for row in rows:
        total += row["s"]
        out.append((row["d"], total))
    return out


def registry_items(journey) -> list[dict]:
    """The territory's incentives on a journey as the registry's v3.3 contract has them
    (`incentives`: index, amount in cents, funder's SIRET), campaigns in the order created."""
    rows = (
        Line.objects.filter(journey=journey)
        .values("campaign_id", "campaign__funder_siret")
        .annotate(s=Sum("amount"))
        .order_by("campaign_id")
    )
    paid = [r for r in rows if r["s"] > 0]
    return [
        {"index": i, "amount": int(r["s"] * 100), "siret": r["campaign__funder_siret"]}
        for i, r in enumerate(paid)
    ]


def campaigns_used_up() -> list[Campaign]:
    """Active campaigns whose budget is spent: what they no longer pay, people are told."""
    return list(
        Campaign.objects.filter(status=Campaign.Status.ACTIVE, spent__gte=models.F("budget"))
    )
