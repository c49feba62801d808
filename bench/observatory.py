"""Observatory benchmark: 1,000,000 seeded synthetic journeys between the real communes of one
French region (origins weighted by population, destinations by population and distance),
then every aggregate of a year and every file (CSV, GeoJSON, Parquet). Writes
bench/results/observatory.json.

Run with `make bench` (its own database, `archipel_bench`)."""

from __future__ import annotations

import io
import json
import os
import platform
import resource
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from bench.matching import RESULTS_DIR, percentiles, setup_graph_and_territory  # noqa: E402,F401
from observatory.aggregates import ReportPeriod, flows, indicators  # noqa: E402
from observatory.datasets import DATASETS, archive, dataset, formats_of  # noqa: E402
from tenants.models import Area  # noqa: E402

SEED = 20261126
JOURNEYS = int(os.environ.get("BENCH_JOURNEYS", "1000000"))
PEOPLE = 40_000
REGION = os.environ.get("BENCH_REGION", "53")  # Bretagne
YEAR = 2025
RESULTS = RESULTS_DIR / "observatory.json"


def communes():
    if Area.objects.filter(kind="commune").count() < 30_000:
        call_command("load_communes", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code, population, ST_X(ST_PointOnSurface(geometry)),"
            " ST_Y(ST_PointOnSurface(geometry)) FROM tenants_area"
            " WHERE kind = 'commune' AND region = %s AND population > 0 ORDER BY code",
            [REGION],
        )
        rows = cursor.fetchall()
    codes = [r[0] for r in rows]
    population = np.array([r[1] for r in rows], dtype=float)
    lon = np.array([r[2] for r in rows])
    lat = np.array([r[3] for r in rows])
    return codes, population, lon, lat


def people() -> np.ndarray:
    User = get_user_model()
    existing = User.objects.filter(email__startswith="bench-person-").count()
    if existing < PEOPLE:
        User.objects.bulk_create(
            [
                User(email=f"bench-person-{n}@archipel.example", password="!")
                for n in range(existing, PEOPLE)
            ],
            batch_size=5_000,
        )
    return np.array(
        User.objects.filter(email__startswith="bench-person-").values_list("pk", flat=True)
    )


def synthetic(rng, codes, population, lon, lat, ids) -> io.StringIO:
    n = len(codes)
    x = np.radians(lon) * np.cos(np.radians(lat.mean())) * 6_371_000
    y = np.radians(lat) * 6_371_000
    distance = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    weights = population[None, :] * np.exp(-distance / 15_000)
    np.fill_diagonal(weights, weights.diagonal() * 0.2)
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    origin = rng.choice(n, size=JOURNEYS, p=population / population.sum())
    destination = np.empty(JOURNEYS, dtype=np.int64)
    draws = rng.random(JOURNEYS)
    for o in range(n):
        chosen = np.flatnonzero(origin == o)
        destination[chosen] = np.searchsorted(cumulative[o], draws[chosen])
    destination = np.minimum(destination, n - 1)
    metres = np.maximum(1_500, distance[origin, destination] * 1.3).astype(np.int64)
    seconds = (metres / 13.9).astype(np.int64)
    seats = rng.choice([1, 1, 1, 2, 2, 3], size=JOURNEYS)
    start = datetime(YEAR, 1, 1, tzinfo=timezone.get_current_timezone()).timestamp()
    day = rng.integers(0, 365, size=JOURNEYS)
    peaks = [7, 7, 8, 8, 8, 12, 13, 17, 17, 18, 9, 16]  # commuting hours
    hour = rng.choice(np.arange(24), size=JOURNEYS, p=np.bincount(peaks, minlength=24) / 12)
    pickup = start + day * 86_400 + hour * 3_600 + rng.integers(0, 3_600, size=JOURNEYS)
    driver = rng.choice(ids, size=JOURNEYS)
    passenger = rng.choice(ids, size=JOURNEYS)
    out = io.StringIO()
    for i in range(JOURNEYS):
        at = datetime.fromtimestamp(pickup[i], tz=UTC)
        o, d = origin[i], destination[i]
        out.write(
            f"solidarity\t{driver[i]}\t{passenger[i]}\t{at.isoformat()}\t"
            f"{datetime.fromtimestamp(pickup[i] + seconds[i], tz=at.tzinfo).isoformat()}\t"
            f"SRID=4326;POINT({lon[o]:.5f} {lat[o]:.5f})\t"
            f"SRID=4326;POINT({lon[d]:.5f} {lat[d]:.5f})\t"
            f"{metres[i]}\t{seconds[i]}\t{seats[i]}\t{metres[i] * 0.00008 * seats[i]:.2f}\t"
            f"{codes[o]}\t{codes[d]}\t{at.isoformat()}\t{at.isoformat()}\t{at.isoformat()}\n"
        )
    out.seek(0)
    return out


COLUMNS = (
    "kind, driver_id, passenger_id, pickup_at, dropoff_at, pickup, dropoff, distance_m,"
    " duration_s, seats, amount, pickup_commune, dropoff_commune, driver_confirmed_at,"
    " passenger_confirmed_at, created_at"
)


def load(rows: io.StringIO) -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE trips_journey CASCADE")
        with cursor.copy(f"COPY trips_journey ({COLUMNS}) FROM STDIN") as copy:
            while chunk := rows.read(1 << 20):
                copy.write(chunk)
        cursor.execute("ANALYZE trips_journey")


def run() -> dict:
    territory, _ = setup_graph_and_territory(reuse=True)
    rng = np.random.default_rng(SEED)
    codes, population, lon, lat = communes()
    ids = people()
    with schema_context(territory.schema_name):
        started = time.perf_counter()
        load(synthetic(rng, codes, population, lon, lat, ids))
        insert_s = time.perf_counter() - started
        period = ReportPeriod(date(YEAR, 1, 1), date(YEAR, 12, 31))
        timings = {}
        started = time.perf_counter()
        figures = indicators(period)
        timings["indicators"] = time.perf_counter() - started
        tables = {}
        for name in DATASETS:
            if name == "opendata":
                continue  # journey by journey, carpool only: not an aggregate
            levels = ("commune", "epci") if name in ("flows", "unmet_demand") else ("commune",)
            for level in levels:
                t0 = time.perf_counter()
                tables[(name, level)] = dataset(name, period, level)
                timings[f"{name}_{level}"] = time.perf_counter() - t0
        aggregates_s = sum(timings.values())
        started = time.perf_counter()
        sizes = {}
        for (name, level), table in tables.items():
            for fmt in formats_of(name):
                sizes[f"{name}_{level}.{fmt}"] = len(archive(table, fmt))
        files_s = time.perf_counter() - started
        flows_commune = flows(period, "commune")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "journeys": JOURNEYS,
        "region": REGION,
        "communes": len(codes),
        "insert_s": round(insert_s, 1),
        "aggregates_s": round(aggregates_s, 2),
        "aggregates_detail_s": {k: round(v, 2) for k, v in timings.items()},
        "files_s": round(files_s, 2),
        "files_bytes": sizes,
        "flow_cells_commune": len(flows_commune.rows),
        "flow_cells_suppressed": flows_commune.suppressed_cells,
        "journeys_counted": figures["journeys"].value,
        "python_peak_rss_mb": round(peak_mb, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
