"""Reads of the incentives: the journeys as tables for the computation, a campaign's context,
the ledger's sums, what a person sees, the statements' rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tenants.models import Area
from tenants.selectors import current_territory

from .compute import Context, Table, day_number, holiday_days
from .models import Annulment, BankAccount, Campaign, Hold, Line, Payout, Simulation, Statement
from .rules import Rules, rules_read

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
)

_SQL = """
    WITH j AS (
        SELECT j.*, j.pickup_at AT TIME ZONE %(tz)s AS local
          FROM trips_journey j
         WHERE j.kind = 'carpool' AND {where}
           AND NOT EXISTS (SELECT 1 FROM incentives_annulment a WHERE a.journey_id = j.id)
    )
    SELECT j.id, extract(epoch FROM j.pickup_at)::bigint, extract(epoch FROM j.dropoff_at)::bigint,
           j.local::date - date '2000-01-01',
           extract(year FROM j.local)::int * 12 + extract(month FROM j.local)::int - 1,
           extract(year FROM j.local)::int, extract(isodow FROM j.local)::int - 1,
           extract(hour FROM j.local)::int * 60 + extract(minute FROM j.local)::int,
           j.distance_m, j.seats,
           (SELECT count(*) FROM trips_confirmation c
             WHERE c.booking_id = j.booking_id AND c.pickup_at IS NOT NULL
               AND c.dropoff_at IS NOT NULL AND c.pickup IS NOT NULL AND c.dropoff IS NOT NULL),
           j.driver_id, j.passenger_id, b.offer_id, coalesce(o.id, 0), coalesce(d.id, 0)
      FROM j JOIN trips_booking b ON b.id = j.booking_id
      LEFT JOIN tenants_area o ON o.code = j.pickup_commune
      LEFT JOIN tenants_area d ON d.code = j.dropoff_commune
     ORDER BY j.pickup_at, j.id
"""


def journey_table(where: str = "TRUE", params: dict | None = None) -> Table:
    """The carpool journeys that `where` keeps (SQL on `j`, the journey), not annulled, in
    time order, as arrays."""
    params = {"tz": timezone.get_current_timezone_name(), **(params or {})}
    with connection.cursor() as cursor:
        cursor.execute(_SQL.format(where=where), params)
        rows = cursor.fetchall()
    data = np.array(rows, dtype=np.int64).reshape(-1, len(_COLUMNS))
    return Table(**{name: data[:, i].copy() for i, name in enumerate(_COLUMNS)})


def history_until(last: date) -> Table:
    """Every carpool journey up to the last day (the newcomers' bonuses count from the first)."""
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time()))
    return journey_table("j.pickup_at < %(end)s", {"end": end})


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


def campaign_rules(campaign: Campaign) -> Rules:
    return rules_read(campaign.rules)


def _area_ids(codes) -> np.ndarray:
    ids = Area.objects.filter(Q(code__in=codes) | Q(epci__in=codes)).values_list("id", flat=True)
    return np.array(list(ids), dtype=np.int64)


def _inside(polygon: str, end: str, ids: np.ndarray) -> np.ndarray:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM trips_journey WHERE id = ANY(%s) AND "
            f"ST_Covers(ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326), {end})",
            [ids.tolist(), polygon],
        )
        return np.array([r[0] for r in cursor.fetchall()], dtype=np.int64)


def campaign_context(campaign: Campaign, rules: Rules, table: Table) -> Context:
    polygon = {}
    if rules.polygon:
        polygon = {
            "polygon_origin": _inside(rules.polygon, "pickup", table.id),
            "polygon_destination": _inside(rules.polygon, "dropoff", table.id),
        }
    country = next(iter(current_territory().areas.values_list("country", flat=True)), "FR")
    return Context(
        first_day=day_number(campaign.starts_on),
        last_day=day_number(campaign.ends_on),
        origin_ids=_area_ids(rules.origin_areas),
        destination_ids=_area_ids(rules.destination_areas),
        holidays=holiday_days(country, campaign.starts_on, campaign.ends_on),
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


def ledger_sums(campaign: Campaign, person_id: int, journey) -> Sums:
    day, month, year = _local_bounds(journey.pickup_at)
    mine = Line.objects.filter(campaign=campaign, person_id=person_id).exclude(journey=journey)
    counted = mine.filter(kind=Line.Kind.ACCRUAL, raw_cents__gt=0).exclude(
        journey_id__in=Annulment.objects.values("journey_id")
    )
    return Sums(
        day_trips=counted.filter(journey_at__range=(day[0], day[1] - timedelta(microseconds=1)))
        .values("journey_id")
        .distinct()
        .count(),
        month_trips=counted.filter(journey_at__gte=month[0], journey_at__lt=month[1])
        .values("journey_id")
        .distinct()
        .count(),
        month=_sum(mine.filter(journey_at__gte=month[0], journey_at__lt=month[1])),
        year=_sum(mine.filter(journey_at__gte=year[0], journey_at__lt=year[1])),
        campaign=_sum(Line.objects.filter(campaign=campaign).exclude(journey=journey)),
    )


def journey_owed(campaign: Campaign, journey, person_id: int, role: str) -> Decimal:
    return _sum(
        Line.objects.filter(campaign=campaign, journey=journey, person_id=person_id, role=role)
    )


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
