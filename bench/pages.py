"""Server time per page: every page of the demo as each role sees it — public, citizen,
territory admin, data officer, solidarity operator, volunteer — timed over REQUESTS requests
each, with the number of SQL queries of one request. And signing in, whose time is mostly the
password's hashing (measured alone beside it).

Through Django's test Client in this process, against the demo database (`load_demo`, plus
seeded rides for tomorrow so that a search has results, bench/demo_site.py), with the
project's settings as `make bench` runs them (DEBUG off, Redis cache, PostgreSQL): the time
is the server's own — every middleware, the view, its queries, the templates — without the
network and uvicorn's HTTP parsing (a few tenths of a millisecond on loopback), and the
queries can be counted per page, which a separate server process could not tell.

Per page: p50/p95/max of REQUESTS warm requests, and a cold baseline in the same run — the
first request of that page after the cache is emptied (and the first of the process for its
templates and view code) — with the ratio cold / warm p50. Target: warm p95 ≤ 200 ms.
Writes bench/results/pages.json. BENCH_PAGES_REQUESTS, BENCH_PAGES_RIDES and
BENCH_PAGES_SIGNINS shrink it (the smoke run of the tests)."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import check_password, get_hasher  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.demo_site import RIDE_QUERY, SEARCH, SLUG, prepare, signed_in  # noqa: E402
from bench.matching import RESULTS_DIR, machine_shared, percentiles  # noqa: E402
from core.models import User  # noqa: E402
from demo.seed import DEMO_PASSWORD, PUBLIC_DOMAINS, demo_email  # noqa: E402
from tests.e2e.test_browser import ADMIN_PAGES, ANONYMOUS_PAGES  # noqa: E402

SEED = 20261201
REQUESTS = int(os.environ.get("BENCH_PAGES_REQUESTS", "30"))
RIDES = int(os.environ.get("BENCH_PAGES_RIDES", "30"))
SIGNINS = int(os.environ.get("BENCH_PAGES_SIGNINS", "10"))
RESULTS = RESULTS_DIR / "pages.json"
TARGET_P95_MS = 200


def pages(ride: int) -> list[tuple[str | None, str, str, dict | None, int]]:
    """(account, name, path, query, status expected) of every page measured."""
    search = ("search results", "/", SEARCH)
    ride_page = ("ride page", f"/rides/{ride}/", RIDE_QUERY)
    rows: list = []
    for path in ANONYMOUS_PAGES:
        rows.append((None, path, path, None, 404 if path == "/no-such-page/" else 200))
    rows += [(None, name, path, query, 200) for name, path, query in (search, ride_page)]
    citizen = [
        ("search page", "/", None),
        search,
        ride_page,
        ("publish", "/rides/new/", None),
        ("my trips", "/my-trips/", None),
        ("alerts", "/alerts/", None),
        ("notifications", "/notifications/", None),
    ]
    rows += [("citizen", name, path, query, 200) for name, path, query in citizen]
    rows += [("admin", path, path, None, 200) for path in ADMIN_PAGES]
    rows += [("data", "observatory", "/observatory/", None, 200)]
    operator = ["/solidarity/", "/solidarity/beneficiaries/", "/solidarity/volunteers/",
                "/solidarity/structures/", "/solidarity/beneficiaries/new/"]  # fmt: skip
    rows += [("operator", path, path, None, 200) for path in operator]
    volunteer = ["/volunteer/", "/volunteer/availability/"]
    rows += [("volunteer", path, path, None, 200) for path in volunteer]
    return rows


def _timed(client: Client, path: str, query: dict | None) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(path, query)
    return (time.perf_counter() - started) * 1000, response.status_code


def measure_page(client: Client, path: str, query: dict | None, expected: int) -> dict:
    cache.clear()  # the cold baseline: nothing cached (rate limits, place index…)
    cold_ms, status = _timed(client, path, query)
    assert status == expected, f"{path}: {status}, expected {expected}"
    warm = []
    for _n in range(REQUESTS):
        ms, status = _timed(client, path, query)
        assert status == expected, f"{path}: {status}, expected {expected}"
        warm.append(ms)
    with CaptureQueriesContext(connection) as captured:
        client.get(path, query)
    p50 = statistics.median(warm)
    return {
        "status": expected,
        "queries": len(captured.captured_queries),
        "warm_ms": {**percentiles(warm, (50, 95)), "max": round(max(warm), 2)},
        "cold_ms": round(cold_ms, 2),
        "cold_over_warm_p50": round(cold_ms / p50, 2) if p50 else None,
    }


def measure_sign_in() -> dict:
    """SIGNINS real sign-ins (POST /accounts/login/, each from a new browser), and the
    password check alone on the same account: what the hasher costs of a sign-in."""
    email = demo_email("citizen", SLUG)
    signins = []
    for _n in range(SIGNINS):
        client = signed_in(None)
        started = time.perf_counter()
        response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
        signins.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.status_code
    encoded = User.objects.get(email=email).password
    checks = []
    for _n in range(SIGNINS):
        started = time.perf_counter()
        assert check_password(DEMO_PASSWORD, encoded)
        checks.append((time.perf_counter() - started) * 1000)
    hasher = get_hasher()
    sign_in_p50, check_p50 = statistics.median(signins), statistics.median(checks)
    return {
        "sign_ins": SIGNINS,
        "sign_in_ms": {**percentiles(signins, (50, 95)), "max": round(max(signins), 2)},
        "password_check_ms": percentiles(checks, (50, 95)),
        "hasher": f"{hasher.algorithm}, {getattr(hasher, 'iterations', '?')} iterations",
        "hashing_share_of_sign_in": round(check_p50 / sign_in_p50, 2),
    }


def run() -> dict:
    setup = prepare(RIDES, SEED)
    results = []
    clients: dict[str | None, Client] = {}
    public = Client(HTTP_HOST=PUBLIC_DOMAINS[0])
    results.append({"account": "anonymous", "page": "public home", "host": PUBLIC_DOMAINS[0],
                    **measure_page(public, "/", None, 200)})  # fmt: skip
    for account, name, path, query, expected in pages(setup["ride"]):
        if account not in clients:
            clients[account] = signed_in(account)
        measured = measure_page(clients[account], path, query, expected)
        results.append({"account": account or "anonymous", "page": name, **measured})
    over = [f"{r['account']} {r['page']}" for r in results if r["warm_ms"]["p95"] > TARGET_P95_MS]
    return {
        "machine": machine_shared(),
        "setup": {
            "how": "Django test Client in the benchmark's process, project settings "
            f"(DEBUG={settings.DEBUG}), demo database, Redis cache",
            "territory": SLUG,
            "rides_tomorrow": setup["rides"],
            "requests_per_page": REQUESTS,
            "seed": SEED,
        },
        "pages": results,
        "sign_in": measure_sign_in(),
        "target": {"warm_p95_ms": TARGET_P95_MS},
        "over_target": over,
        "slowest_warm_p95": max(results, key=lambda r: r["warm_ms"]["p95"])["page"],
        "median_cold_over_warm_p50": round(
            statistics.median(r["cold_over_warm_p50"] for r in results), 2
        ),
    }


if __name__ == "__main__":
    result = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    for row in result["pages"]:
        print(f"{row['account'] or '':>10} {row['page']:<32} {row['warm_ms']['p50']:>8.1f} "
              f"{row['warm_ms']['p95']:>8.1f} ms  {row['queries']:>3} queries")  # fmt: skip
    print(json.dumps({k: result[k] for k in ("sign_in", "over_target")}, indent=2))
