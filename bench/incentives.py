"""Incentives benchmark: a year of seeded carpool journeys (1,000,000 by default) between the
real communes of one French region, with their bookings and confirmations, then

- the simulation of a campaign that uses every kind of block (bands, EPCI areas with OR,
  weekdays, hours, holidays, proof class, the registry's anomaly rules, a cooldown, newcomers'
  bonuses, caps per journey, per day, per month and per year, a budget that runs out) — the
  target is ≤ 30 s for the year; the same computation's caps applied journey after journey in
  Python on a seeded sample is the baseline (same results required, the ratio reported);
- the live accrual of journeys recorded after that year with five active campaigns — the
  target is ≤ 20 ms p95 per journey.

Writes bench/results/incentives.json. Run with `make bench` (its own database)."""

from __future__ import annotations

import io
import json
import os
import platform
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

import django  # noqa: E402

django.setup()

from django.contrib.gis.geos import LineString, Point, Polygon  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from bench.matching import RESULTS_DIR, percentiles, setup_graph_and_territory  # noqa: E402
from bench.observatory import communes, people  # noqa: E402
from incentives.compute import REASONS, lines_owed  # noqa: E402
from incentives.models import Campaign, Line, Simulation  # noqa: E402
from incentives.rules import cents, rules_read  # noqa: E402
from incentives.selectors import campaign_context, history_until  # noqa: E402
from incentives.services.accrual import journey_accrue  # noqa: E402
from incentives.services.campaigns import roles_paid, simulate  # noqa: E402
from trips.models import Offer  # noqa: E402

SEED = 20261202
JOURNEYS = int(os.environ.get("BENCH_JOURNEYS", "1000000"))
ACCRUALS = int(os.environ.get("BENCH_ACCRUALS", "300"))
BASELINE = int(os.environ.get("BENCH_BASELINE_JOURNEYS", "50000"))
YEAR = 2025
RESULTS = RESULTS_DIR / "incentives.json"
OFFERS = 200


def _offers(driver_id: int) -> list[int]:
    """Rides the bookings hang on (their routes are not what this benchmark measures)."""
    Offer.objects.all().delete()
    line = LineString((-1.68, 48.11), (-1.60, 48.15), srid=4326)
    made = Offer.objects.bulk_create(
        Offer(
            driver_id=driver_id,
            origin_label="A",
            destination_label="B",
            origin=Point(-1.68, 48.11, srid=4326),
            destination=Point(-1.60, 48.15, srid=4326),
            graph_name="bench",
            origin_node=0,
            destination_node=1,
            route=line,
            distance_m=10_000,
            duration_s=900,
            reach=Polygon.from_bbox((-1.7, 48.1, -1.5, 48.2)),
            departure_at=datetime(YEAR, 1, 1, tzinfo=UTC),
            seats=3,
            cost_per_km=Decimal("0.08"),
            max_detour_ratio=Decimal("0.2"),
            active_window=(datetime(YEAR, 1, 1, tzinfo=UTC), datetime(YEAR, 1, 2, tzinfo=UTC)),
        )
        for _ in range(OFFERS)
    )
    return [o.pk for o in made]


def _copy(cursor, table: str, columns: str, rows: io.StringIO) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        while chunk := rows.read(1 << 20):
            copy.write(chunk)


def seed(rng, n: int, first_id: int = 1, start=None) -> dict:
    """`n` carpool journeys of the year (or from `start` on), their bookings (same ids) and
    confirmations: 60 % class C, 25 % B, 15 % A."""
    codes, population, lon, lat = communes()
    ids = people()
    offers = (
        _offers(int(ids[0])) if first_id == 1 else list(Offer.objects.values_list("pk", flat=True))
    )
    k = len(codes)
    origin = rng.choice(k, size=n, p=population / population.sum())
    near = np.clip(
        origin + rng.integers(-40, 41, size=n), 0, k - 1
    )  # nearby codes: same EPCI often
    destination = np.where(rng.random(n) < 0.3, origin, near)
    x, y = np.radians(lon) * 4_250_000, np.radians(lat) * 6_371_000
    metres = np.maximum(
        800,
        np.hypot(x[origin] - x[destination], y[origin] - y[destination]) * 1.3
        + rng.integers(500, 4000, size=n),
    ).astype(np.int64)
    metres = np.minimum(metres, 60_000)  # at most 72 minutes: see the half-days below
    seconds = (metres / 13.9).astype(np.int64)
    seats = rng.choice([1, 1, 1, 2, 2, 3], size=n)
    base = (start or datetime(YEAR, 1, 1, tzinfo=timezone.get_current_timezone())).timestamp()
    span = 365 if start is None else 1
    day = rng.integers(0, span, size=n)
    hour = rng.choice([7, 7, 8, 8, 8, 12, 13, 17, 17, 18, 9, 16], size=n)
    pickup = base + day * 86_400 + hour * 3_600 + rng.integers(0, 3_600, size=n)
    driver = rng.choice(ids, size=n)
    passenger = rng.choice(ids, size=n)
    # A passenger's bookings never overlap (the bookings' constraint): one journey per person
    # and half-day at most — a morning one ends by 11:30, an afternoon one starts at 12:00.
    half = day * 2 + (hour >= 12)
    _, first = np.unique(np.stack([passenger, half], axis=1), axis=0, return_index=True)
    keep = np.zeros(n, dtype=bool)
    keep[first] = True
    keep &= driver != passenger
    origin, destination, metres, seconds, seats = (
        a[keep] for a in (origin, destination, metres, seconds, seats)
    )
    pickup, driver, passenger = pickup[keep], driver[keep], passenger[keep]
    n = int(keep.sum())
    proof = rng.choice([2, 2, 2, 2, 2, 2, 1, 1, 1, 0, 0], size=n)
    offer = rng.choice(offers, size=n)
    bookings, journeys, confirmations = io.StringIO(), io.StringIO(), io.StringIO()
    for i in range(n):
        pk = first_id + i
        at = datetime.fromtimestamp(pickup[i], tz=UTC).isoformat()
        end = datetime.fromtimestamp(pickup[i] + seconds[i], tz=UTC).isoformat()
        o, d = origin[i], destination[i]
        a = f"SRID=4326;POINT({lon[o]:.5f} {lat[o]:.5f})"
        b = f"SRID=4326;POINT({lon[d]:.5f} {lat[d]:.5f})"
        price = f"{metres[i] * 0.00008 * seats[i]:.2f}"
        bookings.write(
            f"{pk}\t{offer[i]}\t{passenger[i]}\t{seats[i]}\taccepted\tA\tB\t{a}\t{b}\t"
            f"{at}\t{end}\t{metres[i]}\t0\t{price}\t\t\t{end}\t{end}\t{at}\n"
        )
        journeys.write(
            f"{pk}\tcarpool\t{pk}\t{driver[i]}\t{passenger[i]}\t{at}\t{end}\t{a}\t{b}\t"
            f"{metres[i]}\t{seconds[i]}\t{seats[i]}\t{price}\t{codes[o]}\t{codes[d]}\t"
            f"{end}\t{end}\t{end}\n"
        )
        for side_index, side in enumerate(("driver", "passenger")):
            if side_index < proof[i]:
                confirmations.write(f"{pk}\t{side}\t{end}\t{at}\t{end}\t{a}\t{b}\n")
            else:
                confirmations.write(f"{pk}\t{side}\t{end}\t\\N\t\\N\t\\N\t\\N\n")
    for rows in (bookings, journeys, confirmations):
        rows.seek(0)
    with connection.cursor() as cursor:
        _copy(
            cursor,
            "trips_booking",
            "id, offer_id, passenger_id, seats, status, pickup_label, dropoff_label, pickup,"
            " dropoff, pickup_at, dropoff_at, distance_m, detour_s, price, cancelled_by,"
            " cancel_reason, driver_confirmed_at, passenger_confirmed_at, created_at",
            bookings,
        )
        _copy(
            cursor,
            "trips_journey",
            "id, kind, booking_id, driver_id, passenger_id, pickup_at, dropoff_at, pickup,"
            " dropoff, distance_m, duration_s, seats, amount, pickup_commune, dropoff_commune,"
            " driver_confirmed_at, passenger_confirmed_at, created_at",
            journeys,
        )
        _copy(
            cursor,
            "trips_confirmation",
            "booking_id, side, confirmed_at, pickup_at, dropoff_at, pickup, dropoff",
            confirmations,
        )
        for table in ("trips_booking", "trips_journey"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE trips_booking; ANALYZE trips_journey; ANALYZE trips_confirmation")
    return {"codes": codes, "journeys": n}


def _epcis(codes: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT epci, sum(population) FROM tenants_area WHERE code = ANY(%s)"
            " AND epci <> '' GROUP BY epci ORDER BY 2 DESC LIMIT 3",
            [codes],
        )
        return [r[0] for r in cursor.fetchall()]


def campaign(name: str, rules: dict, budget: str, paid="both", status="active") -> Campaign:
    """Made directly: the bench territory's own areas are not the region's communes."""
    rules_read(rules)  # the rules are valid
    return Campaign.objects.create(
        name=name,
        starts_on=date(YEAR, 1, 1),
        ends_on=date(YEAR + 1, 12, 31),
        budget=Decimal(budget),
        paid=paid,
        funder_name="Région",
        funder_siret="23350001600040",
        rules=rules,
        status=status,
        activated_at=timezone.now(),
        thresholds=[],
    )


def every_block(epcis: list[str]) -> dict:
    return {
        "bands": [[0, 20, "0.10"], [20, 60, "0.05"]],
        "per_journey": "0.20",
        "milestones": [
            {"trip": 1, "amount": "25"},
            {"trip": 10, "amount": "75", "within_days": 90},
        ],
        "distance_min_km": 2,
        "distance_max_km": 80,
        "origin_areas": epcis,
        "destination_areas": epcis,
        "areas_join": "or",
        "weekdays": [0, 1, 2, 3, 4, 5],
        "hours": [["06:00", "10:00"], ["16:00", "20:00"]],
        "no_holidays": True,
        "min_class": "B",
        "registry_anomalies": True,
        "cooldown_minutes": 60,
        "cap_journey": "4.00",
        "cap_day_trips": 2,
        "cap_month_trips": 30,
        "cap_month": "40",
        "cap_year": "300",
    }


def loop_caps(table, rules, context, roles, budget):
    """The baseline: conditions as the engine computes them, then caps applied journey after
    journey with dictionaries, as a per-journey service would."""
    owed = lines_owed(table, rules, context, roles, None, caps=False)
    day, month = {}, {}
    spent_month, spent_year = {}, {}
    total, paid = 0, []
    for i in range(len(owed.raw)):
        raw, j, p = int(owed.raw[i]), int(owed.journey[i]), int(owed.person[i])
        if raw <= 0:
            paid.append(0)
            continue
        d, m = (p, int(table.day[j])), (p, int(table.month[j]))
        y = (p, int(table.year[j]))
        day[d], month[m] = day.get(d, 0) + 1, month.get(m, 0) + 1
        if (rules.cap_day_trips and day[d] > rules.cap_day_trips) or (
            rules.cap_month_trips and month[m] > rules.cap_month_trips
        ):
            paid.append(0)
            continue
        amount = min(raw, rules.cap_journey or raw)
        if rules.cap_month is not None:
            amount = min(amount, max(rules.cap_month - spent_month.get(m, 0), 0))
        if rules.cap_year is not None:
            amount = min(amount, max(rules.cap_year - spent_year.get(y, 0), 0))
        amount = min(amount, max(budget - total, 0))
        spent_month[m] = spent_month.get(m, 0) + amount
        spent_year[y] = spent_year.get(y, 0) + amount
        total += amount
        paid.append(amount)
    return np.array(paid, dtype=np.int64)


def run() -> dict:
    territory, _ = setup_graph_and_territory(reuse=True)
    rng = np.random.default_rng(SEED)
    with schema_context(territory.schema_name):
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE trips_journey, trips_confirmation, trips_booking,"
                " incentives_line, incentives_simulation, incentives_campaign CASCADE"
            )
        started = time.perf_counter()
        facts = seed(rng, JOURNEYS)
        seed_s = time.perf_counter() - started
        epcis = _epcis(facts["codes"])
        main = campaign("Every block", every_block(epcis), budget=str(JOURNEYS // 2))
        # The simulation, three times (the first warms PostgreSQL's cache).
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            sim = simulate(main, date(YEAR, 1, 1), date(YEAR, 12, 31))
            runs.append(time.perf_counter() - started)
        load_started = time.perf_counter()
        table = history_until(date(YEAR, 12, 31))
        load_s = time.perf_counter() - load_started
        rules = rules_read(main.rules)
        context = campaign_context(
            Campaign(starts_on=date(YEAR, 1, 1), ends_on=date(YEAR, 12, 31)), rules, table
        )
        started = time.perf_counter()
        lines = lines_owed(table, rules, context, roles_paid(main), cents(main.budget))
        compute_s = time.perf_counter() - started
        # The baseline on a sample: the first journeys of the year, same campaign.
        sample = table.where(np.arange(len(table)) < min(BASELINE, len(table)))
        t0 = time.perf_counter()
        vector = lines_owed(sample, rules, context, roles_paid(main), cents(main.budget))
        vector_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        looped = loop_caps(sample, rules, context, roles_paid(main), cents(main.budget))
        loop_s = time.perf_counter() - t0
        same = bool(np.array_equal(vector.paid, looped))
        result = sim.result
        # Live accrual: five active campaigns, journeys recorded the day after the year.
        others = [
            campaign("Per km", {"per_km": "0.10", "cap_month": "30"}, "100000", "passenger"),
            campaign(
                "Inside",
                {"per_journey": "1", "origin_areas": epcis, "destination_areas": epcis},
                "100000",
            ),
            campaign(
                "Newcomers",
                {"milestones": [{"trip": 1, "amount": "25"}], "min_class": "C"},
                "100000",
                "driver",
            ),
            campaign(
                "Peaks",
                {"per_journey": "0.5", "hours": [["07:00", "09:00"]], "cap_day_trips": 2},
                "100000",
            ),
        ]
        Simulation.objects.all().delete()
        start = datetime(YEAR + 1, 1, 2, tzinfo=timezone.get_current_timezone())
        first_id = JOURNEYS + 1
        made = seed(rng, ACCRUALS, first_id=first_id, start=start)["journeys"]
        timings = []
        for pk in range(first_id, first_id + made):
            t0 = time.perf_counter()
            journey_accrue(pk)
            timings.append((time.perf_counter() - t0) * 1000)
        accrued = Line.objects.filter(journey_id__gte=first_id).count()
    not_paid = {
        REASONS[i]: int(n)
        for i, n in zip(*np.unique(lines.reason[lines.reason > 0], return_counts=True))
    }
    results = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "journeys": facts["journeys"],
        "journeys_drawn": JOURNEYS,
        "seed_s": round(seed_s, 1),
        "simulation": {
            "runs_s": [round(r, 2) for r in runs],
            "best_s": round(min(runs), 2),
            "target_s": 30,
            "load_s": round(load_s, 2),
            "compute_s": round(compute_s, 2),
            "lines": len(lines.paid),
            "paid_cents": int(result["total"]["cents"]),
            "budget_cents": cents(main.budget),
            "people": result["total"]["people"],
            "not_paid": not_paid,
        },
        "baseline": {
            "journeys": len(sample),
            "vectorised_s": round(vector_s, 3),
            "loop_s": round(loop_s, 3),
            "loop_over_vectorised": round(loop_s / vector_s, 1) if vector_s else None,
            "same_amounts": same,
        },
        "accrual": {
            "campaigns": 1 + len(others),
            "journeys": made,
            "lines": accrued,
            "ms": percentiles(timings),
            "target_p95_ms": 20,
        },
        "campaigns": [main.name] + [c.name for c in others],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
