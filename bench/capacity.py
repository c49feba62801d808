"""Capacity benchmark: the same seeded load through HAProxy against one, two and three app nodes
of the cluster (`make bench-capacity` starts it with three; the nodes left out of a round are
put in maintenance through HAProxy's admin socket, as an operator would drain them).

The load is closed-loop (BENCH_CAP_CLIENTS people, each sending its next request when the
previous one is answered): a signed-in person's searches (the API, routed on the road graph),
the home page and a ride's page, in a seeded mix. Measured per round: requests per second,
latency p50/p95/p99, answers other than 200; the two- and three-node rounds as ratios to the
one-node round of the same run. Writes bench/results/capacity.json.

BENCH_CAP_SECONDS (per round) and BENCH_CAP_NODES ("1,2,3") shrink it; BENCH_RESULTS_DIR
moves the result (the smoke run in make test-cluster)."""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "cluster"))

from load import send  # noqa: E402  (the product load's client: sessions, CSRF, no redirects)
from topology import app_server_rows, app_side, haproxy, node_up, wait_until  # noqa: E402

SEED = 20261202
CLIENTS = int(os.environ.get("BENCH_CAP_CLIENTS", "12"))
SECONDS = float(os.environ.get("BENCH_CAP_SECONDS", "30"))
NODES = [int(n) for n in os.environ.get("BENCH_CAP_NODES", "1,2,3").split(",")]
WARMUP_S = min(5.0, SECONDS / 3)
RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR", ROOT / "bench" / "results"))
RESULTS = RESULTS_DIR / "capacity.json"


def app_servers() -> list[str]:
    """The app nodes HAProxy balances over (backend `app`), in order."""
    return sorted(row[3] for row in app_server_rows())


def use_nodes(count: int, servers: list[str]) -> None:
    for n, name in enumerate(servers):
        haproxy(f"set server app/{name} state {'ready' if n < count else 'maint'}")

    def settled() -> bool:
        return [name for name in servers if node_up(name)] == servers[:count]

    wait_until(settled, 30)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def round_of(nodes: int, seeded: dict) -> dict:
    """CLIENTS people in a closed loop for SECONDS (after a warm-up not counted)."""
    rides, host = seeded["rides"], seeded["host"]
    sessions = seeded["passengers"]
    stop, measuring = threading.Event(), threading.Event()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def person(n: int) -> None:
        rng = random.Random(SEED + n)
        session = sessions[n % len(sessions)]
        while not stop.is_set():
            ride = rng.choice(rides)
            kind = rng.choices(["search", "home", "ride"], weights=[3, 1, 1])[0]
            if kind == "search":
                query = urllib.parse.urlencode({
                    "from_lon": ride["pickup"]["lon"], "from_lat": ride["pickup"]["lat"],
                    "to_lon": ride["dropoff"]["lon"], "to_lat": ride["dropoff"]["lat"],
                    "date": seeded["day"], "time": "08:00",
                })  # fmt: skip
                path = f"/api/v1/search/?{query}"
            else:
                path = "/" if kind == "home" else f"/rides/{ride['id']}/"
            started = time.perf_counter()
            status, _body = send(host, session, "GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            if measuring.is_set():
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=person, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(WARMUP_S)
    measuring.set()
    started = time.perf_counter()
    time.sleep(SECONDS)
    measuring.clear()
    elapsed = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    return {
        "app_nodes": nodes,
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "latency_ms": {f"p{q}": round(percentile(latencies, q), 1) for q in (50, 95, 99)},
        "not_200": sum(n for status, n in statuses.items() if status != 200),
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
    }


def run() -> dict:
    servers = app_servers()
    if len(servers) < max(NODES):
        sys.exit(f"HAProxy balances over {len(servers)} app nodes; start the cluster with "
                 f"APP_NODES={max(NODES)} (make bench-capacity does)")  # fmt: skip
    seeded = app_side("seed", "cap" + uuid.uuid4().hex[:6])
    seeded["day"] = time.strftime("%Y-%m-%d", time.localtime(time.time() + 86_400))
    rounds = []
    try:
        for count in NODES:
            use_nodes(count, servers)
            rounds.append(round_of(count, seeded))
            print(json.dumps(rounds[-1]), flush=True)
    finally:
        use_nodes(len(servers), servers)
    first = rounds[0]
    for r in rounds:
        r["throughput_ratio"] = round(r["requests_per_s"] / first["requests_per_s"], 2)
        r["p95_ratio"] = round(r["latency_ms"]["p95"] / first["latency_ms"]["p95"], 2)
    results = {
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},  # fmt: skip
        "clients": CLIENTS,
        "seconds_per_round": SECONDS,
        "mix": {"search": 3, "home": 1, "ride": 1},
        "rounds": rounds,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
