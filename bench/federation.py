"""Federated search benchmark: a search on one territory fanning out to 4 neighbours (5
schemas) on the synthetic 200,000-node region of bench/matching.py, against the same
search in the territory alone. Each territory holds its own seeded rides; the passenger's
requests are seeded too (half along existing routes of the five territories, half random
trips). The two searches are interleaved request by request. Also records the database
queries of one federated search. Writes bench/results/federation.json.

Run with `make bench` (its own database). BENCH_FED_RIDES (per territory) and
BENCH_FED_SEARCHES shrink it for a quick try."""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from bench.matching import (  # noqa: E402
    GRAPH,
    bulk_offers,
    percentiles,
    result_path,
    setup_graph_and_territory,
)
from core.services import user_ensure_verified  # noqa: E402
from matching.graphs import load_graph  # noqa: E402
from matching.network import Place  # noqa: E402
from provisioning.services import BoundarySource, territory_create  # noqa: E402
from tenants.models import Territory  # noqa: E402
from trips.models import Offer  # noqa: E402
from trips.selectors import offers_matching  # noqa: E402

SEED = 20261127
RIDES = int(os.environ.get("BENCH_FED_RIDES", "20000"))
SEARCHES = int(os.environ.get("BENCH_FED_SEARCHES", "300"))
SLUGS = [f"bench-fed-{n}" for n in range(1, 6)]
RESULTS = result_path("federation")


def setup():
    # The matching benchmark's territory shares the graph: keep it out of the fan-out.
    bench, _ = setup_graph_and_territory(reuse=True)
    graph = load_graph(GRAPH)
    Territory.objects.filter(pk=bench.pk).update(federated=False)
    territories = []
    for n, slug in enumerate(SLUGS):
        territory = Territory.objects.filter(slug=slug).first() or territory_create(
            slug=slug,
            name=f"Bench federation {n + 1}",
            domains=[f"{slug}.localhost"],
            source=BoundarySource(area_codes=["XX-BENCH"]),
            graph_name=GRAPH,
        )
        territory.federated, territory.federation_partners = True, []
        territory.save(update_fields=["federated", "federation_partners"])
        with schema_context(territory.schema_name):
            Offer.objects.all().delete()
            driver = user_ensure_verified(f"driver@{slug}.example", password="bench-bench-1")
            bulk_offers(graph, RIDES, driver.pk, np.random.default_rng(SEED + n))
        territories.append(territory)
    return territories, graph


def requests(graph, territories, rng: random.Random) -> list[tuple[Place, Place, object]]:
    """Half along routes of rides of the five territories (seeded picks), half random."""
    routes = []
    for territory in territories:
        with schema_context(territory.schema_name):
            ids = list(Offer.objects.order_by("pk").values_list("pk", flat=True))
            picked = rng.sample(ids, SEARCHES // (2 * len(territories)))
            routes += list(
                Offer.objects.filter(pk__in=picked)
                .order_by("pk")
                .values_list("route", "departure_at", "duration_s")
            )
    out = []
    for route, departure, duration in routes:
        coords = route.coords
        a, b = sorted(rng.sample(range(len(coords)), 2))
        centre = departure + timedelta(seconds=duration * a / max(1, len(coords)))
        out.append((Place(*coords[a]), Place(*coords[b]), centre))
    while len(out) < SEARCHES:
        p, d = rng.randrange(graph.node_count), rng.randrange(graph.node_count)
        centre = routes[rng.randrange(len(routes))][1]
        out.append((Place(graph.lon[p], graph.lat[p]), Place(graph.lon[d], graph.lat[d]), centre))
    rng.shuffle(out)
    return out


def run() -> dict:
    territories, graph = setup()
    single, federated, found_single, found_fed, from_others = [], [], [], [], []
    queries = None
    with schema_context(territories[0].schema_name):
        for n, (pickup, dropoff, centre) in enumerate(
            requests(graph, territories, random.Random(SEED))
        ):
            window = {
                "window_start": centre - timedelta(minutes=30),
                "window_end": centre + timedelta(minutes=30),
            }
            t0 = time.perf_counter()
            alone = offers_matching(pickup=pickup, dropoff=dropoff, **window)
            single.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            if queries is None and n >= 10:
                with CaptureQueriesContext(connection) as captured:
                    shared = offers_matching(
                        pickup=pickup, dropoff=dropoff, federated=True, **window
                    )
                queries = [q["sql"][:120] for q in captured.captured_queries]
            else:
                shared = offers_matching(pickup=pickup, dropoff=dropoff, federated=True, **window)
            federated.append((time.perf_counter() - t0) * 1000)
            found_single.append(len(alone))
            found_fed.append(len(shared))
            from_others.append(sum(1 for m in shared if m.elsewhere))
    single_p, fed_p = percentiles(single), percentiles(federated)
    return {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor(),
        },
        "graph": {"nodes": graph.node_count, "edges": graph.edge_count},
        "territories": len(territories),
        "rides_per_territory": RIDES,
        "searches": SEARCHES,
        "single_territory_ms": single_p,
        "federated_ms": fed_p,
        "federated_over_single": {k: round(fed_p[k] / single_p[k], 2) for k in single_p},
        "matches_median": {
            "single": float(np.median(found_single)),
            "federated": float(np.median(found_fed)),
            "federated_from_neighbours": float(np.median(from_others)),
        },
        "queries_of_one_federated_search": queries,
        "target": {"federated_p95_over_single": 1.5},
    }


if __name__ == "__main__":
    result = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "queries_of_one_federated_search"}))
