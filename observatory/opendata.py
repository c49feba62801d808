"""The national registry's monthly open-data file (27 columns), with its anonymisation rules:
times rounded *up* to 10 minutes, coordinates truncated to 3 decimals in dense communes and 2
elsewhere, journeys dropped when their start or end commune appears fewer than 6 times."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, timedelta

from django.db import connection
from django.utils.translation import gettext_noop

from tenants.models import Area
from trips.models import Journey

from .aggregates import ReportPeriod
from .rpc import ident, proof_class
from .tables import Table

RARE_BELOW = 6
DENSE_PER_KM2 = 1_000  # inhabitants per km²: 3 decimals (≈ 100 m) there, 2 (≈ 1 km) elsewhere

SIDES = ("start", "end")
COLUMNS = [
    ("journey_id", gettext_noop("Operator's journey id (one driver–passenger couple).")),
    ("trip_id", gettext_noop("Operator's trip id (one car).")),
]
for _side in SIDES:
    COLUMNS += [
        (
            f"journey_{_side}_datetime",
            gettext_noop("Start date and time, UTC, rounded up to 10 min.")
            if _side == "start"
            else gettext_noop("End date and time, UTC, rounded up to 10 min."),
        ),
        (f"journey_{_side}_date", gettext_noop("Date (UTC).")),
        (f"journey_{_side}_time", gettext_noop("Time (UTC), rounded up to 10 minutes.")),
        (
            f"journey_{_side}_lon",
            gettext_noop("Longitude, truncated (3 decimals in dense communes, else 2)."),
        ),
        (f"journey_{_side}_lat", gettext_noop("Latitude, truncated likewise.")),
        (
            f"journey_{_side}_insee",
            gettext_noop("INSEE code of the commune (or area code outside France)."),
        ),
        (f"journey_{_side}_department", gettext_noop("Département code.")),
        (f"journey_{_side}_town", gettext_noop("Commune name.")),
        (f"journey_{_side}_towngroup", gettext_noop("Intercommunality (EPCI) name.")),
        (f"journey_{_side}_country", gettext_noop("Country (ISO 3166-1 alpha-2).")),
    ]
COLUMNS += [
    ("passenger_seats", gettext_noop("Seats booked by the passenger.")),
    ("operator_class", gettext_noop("Proof class A, B or C.")),
    ("journey_distance", gettext_noop("Road distance, metres.")),
    ("journey_duration", gettext_noop("Duration, minutes.")),
    ("has_incentive", gettext_noop("Whether an incentive was paid (none yet on Archipel).")),
]


def round_up_10(moment):
    """UTC, rounded *up* to the next 10 minutes (08:00:00 stays, 08:00:01 → 08:10)."""
    moment = moment.astimezone(UTC)
    extra = (-moment.minute) % 10
    rounded = moment.replace(second=0, microsecond=0) + timedelta(minutes=extra)
    if extra == 0 and (moment.second or moment.microsecond):
        rounded += timedelta(minutes=10)
    return rounded


def truncate(value: float, decimals: int) -> float:
    factor = 10**decimals
    return math.trunc(value * factor) / factor


def _dense(codes: set[str]) -> set[str]:
    if not codes:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code FROM tenants_area WHERE code = ANY(%s) AND population IS NOT NULL"
            " AND population / NULLIF(ST_Area(geometry::geography) / 1e6, 0) >= %s",
            [list(codes), DENSE_PER_KM2],
        )
        return {row[0] for row in cursor.fetchall()}


def opendata(period: ReportPeriod) -> Table:
    journeys = list(
        Journey.objects.filter(
            kind=Journey.Kind.CARPOOL, pickup_at__gte=period.start, pickup_at__lt=period.end
        )
        .select_related("booking")
        .prefetch_related("booking__confirmations")
        .order_by("pickup_at", "pk")
    )
    kept = journeys
    while True:  # dropping journeys can make other communes rare in turn
        counts = Counter(j.pickup_commune for j in kept)
        counts.update(j.dropoff_commune for j in kept)
        rare = {code for code, n in counts.items() if n < RARE_BELOW}
        if not rare:
            break
        kept = [j for j in kept if j.pickup_commune not in rare and j.dropoff_commune not in rare]
    codes = {j.pickup_commune for j in kept} | {j.dropoff_commune for j in kept}
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    dense = _dense(codes)
    site = ident(connection.schema_name)
    rows = []
    for j in kept:
        row = {
            "journey_id": ident(site, "j", j.pk),
            "trip_id": ident(site, "o", j.booking.offer_id),
        }
        for side, moment, point, code in (
            ("start", j.pickup_at, j.pickup, j.pickup_commune),
            ("end", j.dropoff_at, j.dropoff, j.dropoff_commune),
        ):
            at = round_up_10(moment)
            decimals = 3 if code in dense else 2
            area = areas.get(code)
            row |= {
                f"journey_{side}_datetime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                f"journey_{side}_date": at.strftime("%Y-%m-%d"),
                f"journey_{side}_time": at.strftime("%H:%M:%S"),
                f"journey_{side}_lon": truncate(point.x, decimals),
                f"journey_{side}_lat": truncate(point.y, decimals),
                f"journey_{side}_insee": code,
                f"journey_{side}_department": area.departement if area else "",
                f"journey_{side}_town": area.name if area else "",
                f"journey_{side}_towngroup": area.epci_name if area else "",
                f"journey_{side}_country": area.country if area else "",
            }
        row |= {
            "passenger_seats": j.seats,
            "operator_class": proof_class(list(j.booking.confirmations.all())),
            "journey_distance": j.distance_m,
            "journey_duration": round(j.duration_s / 60),
            "has_incentive": False,
        }
        rows.append(row)
    return Table(
        "opendata",
        period,
        RARE_BELOW,
        COLUMNS,
        rows,
        len(journeys) - len(kept),
        {"journeys": len(rows)},
    )
