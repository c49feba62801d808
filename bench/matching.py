"""Matching benchmark: a synthetic 200,000-node regional network, 10,000 and 100,000 active
rides inserted with COPY, 1,000 seeded passenger searches through the same code path as the API
(PostGIS prefilter + engine), publish latency, and a baseline that routes every surviving
candidate separately with networkx. Writes bench/results/matching.json (like every benchmark: into
BENCH_RESULTS_DIR when it is set).

Run with `make bench` (its own database, `archipel_bench`)."""

from __future__ import annotations

import io
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import networkx as nx  # the baseline's router (an osmnx dependency)
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

import django  # noqa: E402

django.setup()

from django.contrib.gis.geos import MultiPolygon, Polygon  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from bench.synthetic import regional_network, road_region  # noqa: E402
from core.services import user_ensure_verified  # noqa: E402
from matching.build import save_arrays  # noqa: E402
from matching.engine import Detours, RoadGraph  # noqa: E402
from matching.graphs import graph_path, load_graph  # noqa: E402
from matching.hierarchy import HIERARCHY_VERSION, hierarchy_arrays  # noqa: E402
from matching.models import RoadGraphRecord  # noqa: E402
from matching.network import Place, node_point, reach_metres, snap  # noqa: E402
from matching.prefilter import prefilter  # noqa: E402
from provisioning.services import BoundarySource, territory_create  # noqa: E402
from tenants.models import Area, Territory  # noqa: E402
from trips.models import Offer  # noqa: E402
from trips.selectors import (  # noqa: E402
    MAX_RESULTS,
    _evaluate,
    candidates,
    offers_matching,
)
from trips.services.rides import (  # noqa: E402
    RideTerms,
    active_window,
    departure_offer,
    offer_publish,
    ride_fields,
)

GRAPH = "bench-region"
SEED = 20261126
SEARCHES = int(os.environ.get("BENCH_SEARCHES", "1000"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
BASELINE_SEARCHES = int(os.environ.get("BENCH_BASELINE_SEARCHES", "8"))
# scipy's engine on the same requests (all of them unless told: it is the slow one).
REFERENCE_SEARCHES = int(os.environ.get("BENCH_REFERENCE_SEARCHES", str(SEARCHES)))
# Where every benchmark writes its JSON: bench/results/ unless told (the smoke runs of `make test`
# write elsewhere, so the recorded results stay as they are).
RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR", Path(__file__).resolve().parent / "results"))
# The region searched: `grid` (a jittered grid, the worst case for a hierarchy) or `road` (towns
# and villages joined by roads and a trunk network, bench/synthetic.py), of about BENCH_NODES.
REGION = os.environ.get("BENCH_REGION", "grid")
NODES = int(os.environ.get("BENCH_NODES", "202500"))


def result_path(stem: str) -> Path:
    """Where a benchmark of the region searched writes: `stem.json` for the 200k-node grid (the
    figures the earlier rounds recorded), `stem-road-1000000.json` and so on for the others."""
    default = (REGION, NODES) == ("grid", 202500)
    return RESULTS_DIR / (f"{stem}.json" if default else f"{stem}-{REGION}-{NODES}.json")


RESULTS = result_path("matching")


def region_arrays() -> dict:
    if REGION == "road":
        return road_region(NODES, seed=SEED)
    return regional_network(side=round(NODES**0.5))


def machine_shared() -> dict:
    """The machine block of a result, with its load (1, 5, 15 min) when the run ended: the
    machine is shared, and timings grow with it."""
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def percentiles(values, points=(50, 95, 99)) -> dict[str, float]:
    return {f"p{p}": round(float(np.percentile(values, p)), 2) for p in points}


def setup_graph_and_territory(reuse: bool = False) -> tuple[Territory, dict]:
    """The region's graph (generated and ordered, unless `reuse` and the saved one is that same
    region) and the bench territory on it; the preprocessing timed when it ran."""
    source = f"synthetic {REGION} {NODES} seed {SEED} hierarchy {HIERARCHY_VERSION}"
    saved = RoadGraphRecord.objects.filter(name=GRAPH, source=source).exists()
    territory = Territory.objects.filter(slug="bench").first()
    if reuse and saved and territory and graph_path(GRAPH).exists():
        return territory, {}
    arrays = region_arrays()
    started = time.perf_counter()
    arrays |= hierarchy_arrays(arrays)  # what build_road_graph adds: the node order
    preprocessing = {"node_order_s": round(time.perf_counter() - started, 2)}
    save_arrays(arrays, graph_path(GRAPH))
    west, south = float(arrays["lon"].min()), float(arrays["lat"].min())
    east, north = float(arrays["lon"].max()), float(arrays["lat"].max())
    extent = Polygon.from_bbox((west, south, east, north))
    RoadGraphRecord.objects.update_or_create(
        name=GRAPH,
        defaults={
            "source": source,
            "built_at": timezone.now(),
            "nodes": len(arrays["lon"]),
            "edges": len(arrays["indices"]),
            "extent": extent,
        },
    )
    Area.objects.update_or_create(
        code="XX-BENCH",
        defaults={
            "kind": Area.Kind.FOREIGN,
            "country": "XX",
            "name": "Bench region",
            "geometry": MultiPolygon(extent),
        },
    )
    territory = territory or territory_create(
        slug="bench",
        name="Bench",
        domains=["bench.localhost"],
        source=BoundarySource(area_codes=["XX-BENCH"]),
        graph_name=GRAPH,
    )
    return territory, preprocessing


OFFER_COLUMNS = (
    "driver_id, origin_label, destination_label, origin, destination, graph_name, "
    "origin_node, destination_node, route, distance_m, duration_s, reach, departure_at, "
    "active_window, "
    "margin_minutes, seats, seats_taken, cost_per_km, max_detour_ratio, "
    "instant_booking, comment, car, status, created_at"
)


def bulk_offers(graph, count: int, driver_id: int, rng: np.random.Generator) -> None:
    """Insert `count` rides with COPY: one shortest-path tree per origin hub yields many
    routes at once."""
    hubs = rng.choice(graph.node_count, size=max(1, count // 500), replace=False)
    per_hub = count // len(hubs)
    start_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        days=1
    )
    buffer = io.StringIO()
    for hub in hubs.tolist():
        tree = graph.from_node(hub, limit=3600.0)
        reachable = np.flatnonzero((tree.time > 600) & (tree.time < 3600))
        dests = rng.choice(reachable, size=per_hub, replace=len(reachable) < per_hub)
        distance = tree.distances(dests)
        chain = _paths_to_hub(tree, hub, dests)
        ratio = rng.choice([0.15, 0.25, 0.35], size=per_hub)
        departures = rng.integers(0, 7 * 24 * 60, size=per_hub) % (7 * 24 * 60)
        for i, dest in enumerate(dests.tolist()):
            nodes = chain[:, i]
            nodes = nodes[: int(np.argmax(nodes == hub)) + 1][::-1]
            kept = np.unique(np.concatenate([nodes[::8], nodes[-1:]]))
            kept = nodes[np.isin(nodes, kept)]
            if len(kept) < 2:
                continue
            minute = int(departures[i])
            departure = start_day + timedelta(days=minute // 1440, minutes=6 * 60 + minute % 840)
            ride = (hub, dest, kept, float(distance[i]), float(tree.time[dest]), ratio[i])
            buffer.write(_offer_row(graph, driver_id, ride, departure))
    _copy_offers(buffer)


def _paths_to_hub(tree, hub: int, dests: np.ndarray) -> np.ndarray:
    """Every path back to the hub at once (depth × rides, from destination to the hub)."""
    current, steps = dests.copy(), [dests.copy()]
    while (current != hub).any():
        current = np.where(current == hub, hub, tree.predecessors[current])
        steps.append(current.copy())
    return np.array(steps)


def _offer_row(graph, driver_id: int, ride: tuple, departure) -> str:
    """One ride as a COPY line: its route keeps every 8th node of the path."""
    hub, dest, kept, distance_m, duration_s, ratio = ride
    line = ",".join(f"{graph.lon[n]:.6f} {graph.lat[n]:.6f}" for n in kept)
    reach = reach_metres(distance_m, float(ratio)) / 2
    mid_lon = (graph.lon[hub] + graph.lon[dest]) / 2
    mid_lat = (graph.lat[hub] + graph.lat[dest]) / 2
    dlat = reach / 111_195.0
    dlon = reach / (111_195.0 * np.cos(np.radians(abs(mid_lat) + dlat)))
    box = (
        f"SRID=4326;POLYGON(({mid_lon - dlon} {mid_lat - dlat},{mid_lon + dlon} "
        f"{mid_lat - dlat},{mid_lon + dlon} {mid_lat + dlat},{mid_lon - dlon} "
        f"{mid_lat + dlat},{mid_lon - dlon} {mid_lat - dlat}))"
    )
    lower, upper = active_window(departure, 15, duration_s, ratio)
    fields = [
        str(driver_id),
        "A",
        "B",
        f"SRID=4326;POINT({graph.lon[hub]} {graph.lat[hub]})",
        f"SRID=4326;POINT({graph.lon[dest]} {graph.lat[dest]})",
        GRAPH,
        str(hub),
        str(dest),
        f"SRID=4326;LINESTRING({line})",
        str(round(distance_m)),
        str(round(duration_s)),
        box,
        departure.isoformat(),
        f"[{lower.isoformat()},{upper.isoformat()})",
        "15",
        "3",
        "0",
        "0.080",
        f"{ratio:.2f}",
        "f",
        "",
        "",
        "active",
        timezone.now().isoformat(),
    ]
    return "\t".join(fields) + "\n"


def _copy_offers(buffer: io.StringIO) -> None:
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE trips_booking, trips_offer RESTART IDENTITY CASCADE")
        raw = cursor.cursor
        with raw.copy(f"COPY trips_offer ({OFFER_COLUMNS}) FROM STDIN") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        cursor.execute("ANALYZE trips_offer")


def requests(graph, rng: random.Random, count: int):
    """Half the requests ride along an existing route (they match), half are random trips."""
    offers = list(
        Offer.objects.order_by("?")[: count // 2].values_list("route", "departure_at", "duration_s")
    )
    out = []
    for route, departure, duration in offers:
        coords = route.coords
        a, b = sorted(rng.sample(range(len(coords)), 2))
        pickup = Place(*coords[a])
        dropoff = Place(*coords[b])
        centre = departure + timedelta(seconds=duration * a / max(1, len(coords)))
        out.append((pickup, dropoff, centre))
    while len(out) < count:
        p, d = rng.randrange(graph.node_count), rng.randrange(graph.node_count)
        centre = offers[rng.randrange(len(offers))][1]
        out.append((Place(graph.lon[p], graph.lat[p]), Place(graph.lon[d], graph.lat[d]), centre))
    rng.shuffle(out)
    return out


def baseline_seconds(graph, plain, origins, destinations, p: int, d: int) -> float:
    """Route every surviving candidate separately (A→P, P→D, D→B), like a per-candidate
    routing service call."""
    started = time.perf_counter()
    for a, b in zip(origins.tolist(), destinations.tolist(), strict=True):
        nx.bidirectional_dijkstra(plain, a, p, weight="time")
        nx.bidirectional_dijkstra(plain, p, d, weight="time")
        nx.bidirectional_dijkstra(plain, d, b, weight="time")
    return time.perf_counter() - started


def run() -> dict:
    territory, preprocessing = setup_graph_and_territory()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    graph = load_graph(GRAPH)  # the serving engine, the contraction hierarchy
    preprocessing["load_and_customise_s"] = round(time.perf_counter() - started, 2)
    preprocessing["load_peak_rss_growth_mb"] = round(
        (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024, 1
    )
    preprocessing["serving_process"] = serving_process_memory()
    # Today's reference in the same run: scipy's one-to-all Dijkstra on the same arrays.
    reference = RoadGraph.load(graph_path(GRAPH), name=GRAPH, engine="dijkstra")
    results = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor(),
        },
        "graph": {
            "region": REGION,
            "nodes": graph.node_count,
            "edges": graph.edge_count,
            "memory_mb": round(graph.nbytes / 1e6, 1),
        },
        "preprocessing": preprocessing,
        "runs": [],
    }
    plain = nx.DiGraph()
    plain.add_weighted_edges_from(
        zip(graph.tails.tolist(), graph.indices.tolist(), graph.time.tolist()), weight="time"
    )
    with schema_context(territory.schema_name):
        driver = user_ensure_verified("bench-driver@archipel.example", password="bench-bench-1")
        for size in SIZES:
            results["runs"].append(_searches_at_size(graph, reference, plain, driver, size))
            print(json.dumps(results["runs"][-1]), flush=True)
        results["publish_ms"] = _publish_ms(graph, driver)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


_SERVING = """
import sys, django
django.setup()
from matching.graphs import load_graph
if sys.argv[1]:
    load_graph(sys.argv[1])
print("ready", flush=True)
sys.stdin.read()
"""


def serving_process_memory() -> dict:
    """Memory of a fresh Django process as it serves, read from outside (/proc): without a
    graph, then with this region's graph loaded the way a serving process loads it (arrays,
    snapping index and customised hierarchy). MB; `pss` shares the pages common to several
    processes between them."""

    def measure(graph: str) -> dict:
        process = subprocess.Popen(
            [sys.executable, "-c", _SERVING, graph],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[1],
        )
        try:
            process.stdout.readline()
            status = Path(f"/proc/{process.pid}/status").read_text()
            rollup = Path(f"/proc/{process.pid}/smaps_rollup").read_text()
        finally:
            process.communicate(b"")

        def field(text: str, name: str) -> float:
            return round(int(re.search(rf"^{name}:\s+(\d+) kB", text, re.M).group(1)) / 1024, 1)

        return {"rss_mb": field(status, "VmRSS"), "pss_mb": field(rollup, "Pss")}

    bare, loaded = measure(""), measure(GRAPH)
    return {"without_graph": bare, "with_graph": loaded}


def _engine_ms(graph, survivors_found, p: int, d: int, window) -> tuple[float, float, list]:
    """On `graph`: the road computations alone (passenger route, detours of every survivor and
    the unpacking of the legs the ranking settles), then with the ranking and the loading of
    the best rides (`_evaluate`) — milliseconds — and the offers found, in order."""
    spent = []
    detours, settle = graph.detours, Detours.settle

    def timed(function):
        def call(*args, **kwargs):
            t = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent.append(time.perf_counter() - t)

        return call

    t1 = time.perf_counter()
    passenger = graph.route(p, d)
    route_s = time.perf_counter() - t1
    # The searches, and the unpacking of the legs of the rides the ranking settles.
    graph.detours, Detours.settle = timed(detours), timed(settle)
    try:
        found = _evaluate(graph, survivors_found, p, d, *window, passenger, MAX_RESULTS)
    finally:
        del graph.detours
        Detours.settle = settle
    whole_s = time.perf_counter() - t1
    return (route_s + sum(spent)) * 1000, whole_s * 1000, [m.offer.pk for m in found]


def _searches_at_size(graph, reference, plain, driver, size: int) -> dict:
    """`size` active rides, then SEARCHES searches: whole search, engine alone (the hierarchy,
    then scipy's Dijkstra on the same requests), and the route-every-candidate baseline on the
    first BASELINE_SEARCHES."""
    rng = np.random.default_rng(SEED + size)
    started = time.perf_counter()
    bulk_offers(graph, size, driver.pk, rng)
    insert_s = time.perf_counter() - started
    total, engine, survivors, matched, base_ratio = [], [], [], [], []
    dijkstra, speedup, same, with_ranking, prefiltered = [], [], [], [], []
    for index, (pickup, dropoff, centre) in enumerate(
        requests(graph, random.Random(SEED), SEARCHES)
    ):
        window = (centre - timedelta(minutes=30), centre + timedelta(minutes=30))
        t0 = time.perf_counter()
        found = offers_matching(
            pickup=pickup, dropoff=dropoff, window_start=window[0], window_end=window[1]
        )
        total.append((time.perf_counter() - t0) * 1000)
        # The same steps again, timed apart: engine = passenger route + detours + ranking.
        p, d = snap(graph, pickup, "o"), snap(graph, dropoff, "d")
        passenger = graph.route(p, d)
        t0 = time.perf_counter()
        survivors_found = candidates(
            prefilter(
                Offer.objects.filter(status=Offer.Status.ACTIVE),
                node_point(graph, p),
                node_point(graph, d),
                *window,
                1,
                passenger=passenger,
                max_speed=graph.max_speed,
            )
        )
        prefiltered.append((time.perf_counter() - t0) * 1000)
        engine_ms, ranked_ms, chosen = _engine_ms(graph, survivors_found, p, d, window)
        engine.append(engine_ms)
        with_ranking.append(ranked_ms)
        if index < REFERENCE_SEARCHES:
            reference_ms, _, expected = _engine_ms(reference, survivors_found, p, d, window)
            dijkstra.append(reference_ms)
            speedup.append(reference_ms / max(engine_ms, 1e-6))
            same.append(chosen == expected)
        engine_s = engine_ms / 1000
        survivors.append(len(survivors_found))
        matched.append(len(found))
        if index < BASELINE_SEARCHES and len(survivors_found) and p != d:
            sample = survivors_found.origins[:10], survivors_found.destinations[:10]
            per_candidate = baseline_seconds(graph, plain, *sample, p, d) / len(sample[0])
            base_ratio.append(per_candidate * len(survivors_found) / max(engine_s, 1e-6))
    return {
        "offers": size,
        "bulk_insert_s": round(insert_s, 1),
        "searches": len(total),
        "survivors_median": float(np.median(survivors)),
        "matches_median": float(np.median(matched)),
        "search_ms": percentiles(total),
        "prefilter_ms": percentiles(prefiltered),
        "engine_ms": percentiles(engine),
        "engine_with_ranking_and_loading_ms": percentiles(with_ranking),
        "reference_searches": len(dijkstra),
        "dijkstra_engine_ms": percentiles(dijkstra),
        "speedup_over_dijkstra_median": round(float(np.median(speedup)), 1) if speedup else None,
        "speedup_over_dijkstra_p95_ratio": (
            round(percentiles(dijkstra)["p95"] / max(percentiles(engine)["p95"], 1e-6), 1)
            if dijkstra
            else None
        ),
        "same_rides_same_order": f"{sum(same)}/{len(same)}",
        "baseline_speedup_median": round(float(np.median(base_ratio)), 1) if base_ratio else None,
        "baseline_searches": len(base_ratio),
    }


def _publish_ms(graph, driver) -> dict:
    """200 rides between random nodes: the whole publication as the driver waits for it
    (`offer_publish`: snap, route, geometry, insert, the alerts' outbox row and, with few
    alerts, their matching right after commit), and its road and insert part alone (snap +
    route + geometry + insert, what the target counts)."""
    publish, road_and_insert = [], []
    prng = random.Random(SEED)
    for _ in range(200):
        a, b = prng.randrange(graph.node_count), prng.randrange(graph.node_count)
        ends = Place(graph.lon[a], graph.lat[a]), Place(graph.lon[b], graph.lat[b])
        departure = timezone.now() + timedelta(days=1)
        t0 = time.perf_counter()
        try:
            offer_publish(
                driver=driver, origin=ends[0], destination=ends[1], departure_at=departure
            )
        except ValidationError:  # identical random ends are refused
            continue
        publish.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        fields = ride_fields(driver, *ends, RideTerms())
        departure_offer(fields, departure).save()
        road_and_insert.append((time.perf_counter() - t0) * 1000)
    return {
        **percentiles(publish, (50, 95)),
        "road_and_insert_ms": percentiles(road_and_insert, (50, 95)),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
