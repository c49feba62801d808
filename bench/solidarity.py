"""Dispatch benchmark: ranking 500 volunteers for one solidarity request on the synthetic
200,000-node regional network (the one bench/matching.py builds), through the same code as
the operator's page: hard filters from the database, then every volunteer's real driving with
one-to-all searches of the engine. Writes bench/results/solidarity.json.

Run with `make bench` (its own database, after the matching benchmark built the graph)."""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from bench.matching import (  # noqa: E402
    GRAPH,
    percentiles,
    result_path,
    setup_graph_and_territory,
)
from core.services import user_ensure_verified  # noqa: E402
from matching.engine import RoadGraph  # noqa: E402
from matching.graphs import graph_path, load_graph  # noqa: E402
from matching.network import Place, node_point  # noqa: E402
from solidarity.models import (  # noqa: E402
    PERIOD_HOURS,
    Availability,
    Beneficiary,
    Purpose,
    Request,
    Structure,
    Volunteer,
)
from solidarity.ranking import driving, volunteers_rank  # noqa: E402
from solidarity.services.requests import request_create  # noqa: E402
from themes.selectors import settings_get  # noqa: E402

SEED = 20261126
VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", "500"))
REQUESTS = int(os.environ.get("BENCH_DISPATCH_REQUESTS", "150"))
# scipy's engine on the same volunteers for the first of them (all unless told: the slow one).
REFERENCE_REQUESTS = int(os.environ.get("BENCH_REFERENCE_SEARCHES", str(REQUESTS)))
RESULTS = result_path("solidarity")


def setup(graph, rng: random.Random):
    current = settings_get()
    current.solidarity_enabled = True
    current.solidarity_rule = "anyone"
    current.save()
    Request.objects.all().delete()
    Volunteer.objects.all().delete()
    Beneficiary.objects.all().delete()
    Structure.objects.all().delete()
    operator = user_ensure_verified("bench-operator@archipel.example", password="bench-bench-1")
    structure = Structure.objects.create(name="Bench structure")
    structure.operators.add(operator)
    purpose = Purpose.objects.create(structure=structure, name="Medical")
    users = [
        user_ensure_verified(f"bench-volunteer-{n}@archipel.example", password="bench-bench-1")
        for n in range(VOLUNTEERS)
    ]
    homes = [rng.randrange(graph.node_count) for _ in users]
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(
            user=user,
            structure=structure,
            status=Volunteer.Status.ACCEPTED,
            seats=3,
            home_label="Home",
            home=node_point(graph, node),
            home_node=node,
            max_trip_km=150,
        )
        for user, node in zip(users, homes, strict=True)
    )
    Availability.objects.bulk_create(
        Availability(volunteer=v, weekday=day, period=period, start=start, end=end)
        for v in volunteers
        for day in range(7)
        for period, (start, end) in PERIOD_HOURS.items()
        if rng.random() < 0.7
    )
    beneficiary = Beneficiary.objects.create(
        structure=structure,
        first_name="Bench",
        last_name="Person",
        home_label="Home",
        home=node_point(graph, 0),
        eligible=True,
        eligibility_basis=Beneficiary.Basis.TERRITORY,
        eligibility_detail="bench",
    )
    return operator, beneficiary, purpose


def run() -> dict:
    territory, _ = setup_graph_and_territory(reuse=True)
    if not graph_path(GRAPH).exists():
        raise SystemExit("Run bench/matching.py first: it builds the synthetic graph.")
    graph = load_graph(GRAPH)  # the serving engine, the contraction hierarchy
    reference = RoadGraph.load(graph_path(GRAPH), name=GRAPH, engine="dijkstra")
    rng = random.Random(SEED)
    timings: dict[str, list[float]] = {"none": [], "wait": [], "again": []}
    engine: list[float] = []
    dijkstra: list[float] = []
    same_km = 0
    kept: list[int] = []
    with schema_context(territory.schema_name):
        operator, beneficiary, purpose = setup(graph, rng)
        kinds = list(timings)
        made = 0
        while made < REQUESTS:
            # Trips of 2 to 30 km: a pickup anywhere, a destination not too far from it.
            p = rng.randrange(graph.node_count)
            near = np.flatnonzero(
                graph.straight_m(np.full(graph.node_count, p), np.arange(graph.node_count)) < 30_000
            )
            d = int(near[rng.randrange(len(near))])
            day = timezone.localdate() + timedelta(days=rng.randrange(1, 8))
            start = timezone.make_aware(
                timezone.datetime.combine(day, clock(rng.randrange(8, 17), 0))
            )
            kind = kinds[made % 3]
            try:
                request = request_create(
                    operator=operator,
                    beneficiary=beneficiary,
                    purpose=purpose,
                    pickup=Place(float(graph.lon[p]), float(graph.lat[p])),
                    destination=Place(float(graph.lon[d]), float(graph.lat[d])),
                    window_start=start,
                    window_end=start + timedelta(minutes=30),
                    return_kind=kind,
                    return_at=start + timedelta(hours=3) if kind == "again" else None,
                )
            except Exception:  # noqa: BLE001 - same node, or a trip beyond the limit
                continue
            made += 1
            t0 = time.perf_counter()
            ranked = volunteers_rank(graph, request)
            timings[kind].append((time.perf_counter() - t0) * 1000)
            kept.append(sum(r.kept for r in ranked))
            homes = np.array([r.volunteer.home_node for r in ranked if r.kept], dtype=np.int64)
            if len(homes):
                t1 = time.perf_counter()
                metres = driving(graph, request, homes).metres
                engine.append((time.perf_counter() - t1) * 1000)
            if len(homes) and len(dijkstra) < REFERENCE_REQUESTS:
                # Today's scipy engine on the same volunteers, same run; the same metres.
                t1 = time.perf_counter()
                expected = driving(reference, request, homes).metres
                dijkstra.append((time.perf_counter() - t1) * 1000)
                same_km += bool(np.allclose(metres, expected, atol=1.0))
    every = [t for values in timings.values() for t in values]
    results = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "graph": {"nodes": graph.node_count, "edges": graph.edge_count},
        "volunteers": VOLUNTEERS,
        "requests": len(every),
        "kept_median": float(np.median(kept)),
        "rank_ms": percentiles(every),
        "rank_ms_by_return": {kind: percentiles(values) for kind, values in timings.items()},
        "engine_ms": percentiles(engine),
        "reference_requests": len(dijkstra),
        "dijkstra_engine_ms": percentiles(dijkstra),
        "speedup_over_dijkstra_p95_ratio": round(
            # On the same requests: the first ones, those the reference ran.
            percentiles(dijkstra)["p95"] / max(percentiles(engine[: len(dijkstra)])["p95"], 1e-6),
            1,
        ),
        "same_metres": f"{same_km}/{len(dijkstra)}",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
