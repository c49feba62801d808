"""Suspicious patterns shown to the moderators (the "signals" of the desk), from the national
registry's anomaly rules and the territory's own terms (docs/trust.md, "Signals"). Each
pattern names the person, the rule and the facts that triggered it; nothing is ever applied by
itself — a moderator decides.

- more than 4 carpool journeys in one day (as driver or passenger);
- less than 30 minutes between the end of one carpool journey and the start of the next
  (solidarity trips, driven by volunteers for the structure, are not the registry's);
- a price per kilometre above the territory's maximum (a ride, or a journey's contribution);
- the same long route (≥ 30 km) driven on at least 8 days in 30 with the car full: possibly
  paid transport disguised as carpooling;
- many cancellations (5 or more of the bookings made in the last 30 days);
- many reports (3 or more in 90 days, open or not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from themes.selectors import settings_get
from trips.models import Booking, Journey, Offer

from .models import Report

MAX_JOURNEYS_PER_DAY = 4
MIN_GAP_MINUTES = 30
LONG_ROUTE_M = 30_000
REPEATED_DAYS = 8
MANY_CANCELLATIONS = 5
MANY_REPORTS = 3
WINDOW_DAYS = 30


@dataclass(frozen=True)
class Pattern:
    rule: str
    user_id: int
    explanation: str
    user: object = None


def _journeys_per_day(since) -> list[Pattern]:
    """People with more than 4 journeys on one (local) day."""
    sql = """
        SELECT person, day, count(*) FROM (
            SELECT driver_id AS person, (pickup_at AT TIME ZONE %s)::date AS day
              FROM trips_journey WHERE pickup_at >= %s AND kind = 'carpool'
            UNION ALL
            SELECT passenger_id, (pickup_at AT TIME ZONE %s)::date
              FROM trips_journey
             WHERE pickup_at >= %s AND kind = 'carpool' AND passenger_id IS NOT NULL
        ) j GROUP BY person, day HAVING count(*) > %s ORDER BY day DESC
    """
    tz = timezone.get_current_timezone_name()
    with connection.cursor() as cursor:
        cursor.execute(sql, [tz, since, tz, since, MAX_JOURNEYS_PER_DAY])
        rows = cursor.fetchall()
    return [
        Pattern(
            "journeys_per_day",
            person,
            _("%(n)d journeys on %(day)s: more than %(max)d a day.")
            % {"n": n, "day": day.strftime("%d/%m/%Y"), "max": MAX_JOURNEYS_PER_DAY},
        )
        for person, day, n in rows
    ]


def _close_journeys(since) -> list[Pattern]:
    """Two journeys of one person less than 30 minutes apart (end of one, start of the next)."""
    # A driver's journeys of one ride (several passengers) are one trip of theirs.
    sql = """
        WITH trips AS (
            SELECT j.driver_id AS person, min(j.pickup_at) AS start_at,
                   max(j.dropoff_at) AS end_at
              FROM trips_journey j LEFT JOIN trips_booking b ON b.id = j.booking_id
             WHERE j.pickup_at >= %s AND j.kind = 'carpool'
             GROUP BY j.driver_id, coalesce(b.offer_id, -j.id)
            UNION ALL
            SELECT passenger_id, pickup_at, dropoff_at FROM trips_journey
             WHERE pickup_at >= %s AND kind = 'carpool' AND passenger_id IS NOT NULL
        ), ordered AS (
            SELECT person, start_at,
                   lag(end_at) OVER (PARTITION BY person ORDER BY start_at) AS prev_end
              FROM trips
        )
        SELECT person, prev_end, start_at FROM ordered
         WHERE prev_end IS NOT NULL AND start_at - prev_end < %s * interval '1 minute'
         ORDER BY start_at DESC
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, since, MIN_GAP_MINUTES])
        rows = cursor.fetchall()
    return [
        Pattern(
            "close_journeys",
            person,
            _(
                "A journey at %(start)s began %(gap)d min after the "
                "previous one ended (less than %(min)d)."
            )
            % {
                "start": timezone.localtime(start).strftime("%d/%m %H:%M"),
                "gap": max(0, int((start - prev_end).total_seconds() // 60)),
                "min": MIN_GAP_MINUTES,
            },
        )
        for person, prev_end, start in rows
    ]


def _price_above_maximum(since, maximum) -> list[Pattern]:
    patterns = [
        Pattern(
            "price_per_km",
            offer.driver_id,
            _(
                "Ride of %(day)s shared at %(price)s €/km, above the "
                "territory's maximum (%(max)s €/km)."
            )
            % {
                "day": timezone.localtime(offer.departure_at).strftime("%d/%m"),
                "price": formats.number_format(offer.cost_per_km, 3),
                "max": formats.number_format(maximum, 3),
            },
        )
        for offer in Offer.objects.filter(departure_at__gte=since, cost_per_km__gt=maximum)
    ]
    # What each seat paid per km; above the maximum beyond the rounding to the cent.
    paid = (
        Journey.objects.filter(pickup_at__gte=since, kind="carpool", distance_m__gt=0)
        .annotate(
            per_km=ExpressionWrapper(
                F("amount") * 1000 / F("seats") / F("distance_m"), output_field=DecimalField()
            )
        )
        .filter(per_km__gt=maximum * 101 / 100)
    )
    for journey in paid:
        patterns.append(
            Pattern(
                "price_per_km",
                journey.driver_id,
                _(
                    "A journey of %(day)s paid %(price)s €/km per seat, above the "
                    "territory's maximum (%(max)s €/km)."
                )
                % {
                    "day": timezone.localtime(journey.pickup_at).strftime("%d/%m"),
                    "price": formats.number_format(journey.per_km, 3),
                    "max": formats.number_format(maximum, 3),
                },
            )
        )
    return patterns


def _repeated_full_long_route(since) -> list[Pattern]:
    """The same long route (ends within about a kilometre) driven full on many days."""
    sql = """
        SELECT driver_id, round(ST_X(origin)::numeric, 2), round(ST_Y(origin)::numeric, 2),
               round(ST_X(destination)::numeric, 2), round(ST_Y(destination)::numeric, 2),
               count(DISTINCT (departure_at AT TIME ZONE %s)::date) AS days,
               max(origin_label), max(destination_label)
          FROM trips_offer
         WHERE departure_at >= %s AND departure_at <= now() AND status = 'active'
           AND distance_m >= %s AND seats_taken >= seats
         GROUP BY 1, 2, 3, 4, 5
        HAVING count(DISTINCT (departure_at AT TIME ZONE %s)::date) >= %s
    """
    tz = timezone.get_current_timezone_name()
    with connection.cursor() as cursor:
        cursor.execute(sql, [tz, since, LONG_ROUTE_M, tz, REPEATED_DAYS])
        rows = cursor.fetchall()
    return [
        Pattern(
            "disguised_professional",
            driver,
            _(
                "%(route)s driven full on %(days)d days in %(window)d: "
                "possibly paid transport disguised as carpooling."
            )
            % {"route": f"{origin} → {destination}", "days": days, "window": WINDOW_DAYS},
        )
        for driver, *_coords, days, origin, destination in rows
    ]


def _many_cancellations(since) -> list[Pattern]:
    by_passenger = (
        Booking.objects.filter(created_at__gte=since, cancelled_by="passenger")
        .values("passenger")
        .annotate(n=Count("id"))
        .filter(n__gte=MANY_CANCELLATIONS)
    )
    by_driver = (
        Booking.objects.filter(created_at__gte=since, cancelled_by="driver")
        .values("offer__driver")
        .annotate(n=Count("id"))
        .filter(n__gte=MANY_CANCELLATIONS)
    )
    text = _("%(n)d bookings cancelled in %(window)d days.")
    return [
        Pattern("cancellations", row["passenger"], text % {"n": row["n"], "window": WINDOW_DAYS})
        for row in by_passenger
    ] + [
        Pattern(
            "cancellations", row["offer__driver"], text % {"n": row["n"], "window": WINDOW_DAYS}
        )
        for row in by_driver
    ]


def _many_reports(now) -> list[Pattern]:
    rows = (
        Report.objects.filter(created_at__gte=now - timedelta(days=90))
        .values("reported")
        .annotate(n=Count("id"), people=Count("reporter", distinct=True))
        .filter(n__gte=MANY_REPORTS)
    )
    return [
        Pattern(
            "reports",
            row["reported"],
            _("%(n)d reports in 90 days, from %(people)d people.")
            % {"n": row["n"], "people": row["people"]},
        )
        for row in rows
    ]


def patterns_found() -> list[Pattern]:
    """Every pattern found in the territory over the last 30 days, grouped by person."""
    now = timezone.now()
    since = now - timedelta(days=WINDOW_DAYS)
    maximum = settings_get().cost_per_km_max
    found = (
        _journeys_per_day(since)
        + _close_journeys(since)
        + _price_above_maximum(since, maximum)
        + _repeated_full_long_route(since)
        + _many_cancellations(since)
        + _many_reports(now)
    )
    people = get_user_model().objects.in_bulk({s.user_id for s in found})
    return [
        Pattern(s.rule, s.user_id, s.explanation, people.get(s.user_id))
        for s in sorted(found, key=lambda s: (s.user_id, s.rule))
        if s.user_id in people
    ]


def patterns_of(user_id: int) -> list[Pattern]:
    """The patterns found about one person."""
    return [p for p in patterns_found() if p.user_id == user_id]
