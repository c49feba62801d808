"""Lighthouse (npm's, pinned in package.json) on the demo's main pages, in Debian's chromium:
the home, search results, a ride page, the publish page, « Mes trajets », the observatory
(data officer) and the volunteer page. Signed-in pages carry the session cookie of a real
sign-in (POST /accounts/login/ through Django's test Client: the session is in the database
the server reads) in `--extra-headers`.

The demo as bench/demo_site.py prepares it (seeded rides tomorrow, so the results and the ride
page have content), served by uvicorn with the project's settings (DEBUG off), as `make run`
serves it after `collectstatic`. Lighthouse's default profile: a mobile phone, simulated
throttling (slow 4G, 4× CPU slowdown). RUNS runs per page; the median of each category's
score (performance, accessibility, best practices), and of the runs' main metrics, with the
audits that lost points in the median run. Targets: accessibility 100, best practices ≥ 95,
performance ≥ 90 (≥ 80 on a page with a map). Writes bench/results/lighthouse.json.

BENCH_LH_RUNS and BENCH_LH_PAGES (names, comma-separated) shrink it: the tests' smoke run
measures the home once."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from bench.demo_site import HOST, RIDE_QUERY, SEARCH, prepare, signed_in  # noqa: E402
from bench.matching import RESULTS_DIR, machine_shared  # noqa: E402
from bench.realtime import _free_port, start_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SEED = 20261201
RUNS = int(os.environ.get("BENCH_LH_RUNS", "3"))
RETRIES = 2  # a run whose trace Lighthouse could not read is run again, at most twice
RIDES = int(os.environ.get("BENCH_LH_RIDES", "30"))
CATEGORIES = ("performance", "accessibility", "best-practices")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "speed-index")  # fmt: skip
TARGETS = {"accessibility": 100, "best-practices": 95, "performance": 90}
MAP_PERFORMANCE_TARGET = 80
RESULTS = RESULTS_DIR / "lighthouse.json"


def pages(ride: int) -> list[dict]:
    """name, path, account signed in (None: anonymous), whether the page draws a map."""
    return [
        {"name": "home", "path": "/", "account": None, "map": False},
        {"name": "search results", "path": f"/?{urlencode(SEARCH)}", "account": None,
         "map": False},
        {"name": "ride page", "path": f"/rides/{ride}/?{urlencode(RIDE_QUERY)}",
         "account": None, "map": True},
        {"name": "publish", "path": "/rides/new/", "account": "citizen", "map": True},
        {"name": "my trips", "path": "/my-trips/", "account": "citizen", "map": False},
        {"name": "observatory", "path": "/observatory/", "account": "data", "map": True},
        {"name": "volunteer", "path": "/volunteer/", "account": "volunteer", "map": True},
    ]  # fmt: skip


def lighthouse(url: str, cookie: str | None, out: Path) -> dict:
    command = [
        str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--host-resolver-rules=MAP *.localhost 127.0.0.1",
        "--max-wait-for-load=30000",
    ]  # fmt: skip
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": f"sessionid={cookie}"}))
    for attempt in range(1 + RETRIES):
        out.unlink(missing_ok=True)
        done = subprocess.run(
            command,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode == 0 and out.exists():
            report = json.loads(out.read_text())
            report["_attempts"] = attempt + 1
            return report
        # Lighthouse's own advice on a trace it could not read (NO_NAVSTART, seen on this
        # busy 2-core machine): "Please run Lighthouse again".
        print(f"lighthouse {url}: attempt {attempt + 1} failed: {done.stderr[-300:]}", flush=True)
    raise RuntimeError(f"lighthouse {url} exited {done.returncode}: {done.stderr[-3000:]}")


def _lost(report: dict, category: str) -> list[dict]:
    """The audits of the category that lost points (weighted, score below 1), worst first."""
    audits = report["audits"]
    lost = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] and audit.get("score") is not None and audit["score"] < 1:
            items = (audit.get("details") or {}).get("items") or []
            lost.append({"id": ref["id"], "score": audit["score"], "weight": ref["weight"],
                         "shown": audit.get("displayValue", ""),
                         "items": [_item(i) for i in items[:3]]})  # fmt: skip
    return sorted(lost, key=lambda a: (a["score"] - 1) * a["weight"])


def _item(item: dict) -> dict:
    """What an audit's detail row names (a URL, a message, a node), short."""
    kept = {k: item[k] for k in ("url", "description", "source") if isinstance(item.get(k), str)}
    node = item.get("node")
    if isinstance(node, dict) and node.get("snippet"):
        kept["node"] = node["snippet"][:200]
    return {k: v[:300] for k, v in kept.items()}


def _opportunities(report: dict) -> list[dict]:
    """Performance diagnostics and opportunities that flag something (unweighted)."""
    found = []
    for ref in report["categories"]["performance"]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if not ref["weight"] and audit.get("score") is not None and audit["score"] < 0.9:
            found.append({"id": ref["id"], "shown": audit.get("displayValue", "")})
    return found


def measure(page: dict, port: int, cookies: dict, workdir: Path) -> dict:
    url = f"http://{HOST}:{port}{page['path']}"
    reports = []
    for n in range(RUNS):
        reports.append(lighthouse(url, cookies.get(page["account"]), workdir / f"{n}.json"))
    for report in reports:
        final = report.get("finalDisplayedUrl") or report.get("finalUrl", "")
        if "/accounts/login/" in final and page["account"]:
            raise RuntimeError(f"{page['name']}: sent to the sign-in page ({final})")
    scores = {c: [round(r["categories"][c]["score"] * 100) for r in reports] for c in CATEGORIES}
    median = {c: statistics.median(v) for c, v in scores.items()}
    perf = [r["categories"]["performance"]["score"] for r in reports]
    middle = reports[sorted(range(len(perf)), key=perf.__getitem__)[len(perf) // 2]]
    targets = {**TARGETS}
    if page["map"]:
        targets["performance"] = MAP_PERFORMANCE_TARGET
    return {
        "name": page["name"],
        "path": page["path"].split("?")[0],
        "signed_in_as": page["account"],
        "map": page["map"],
        "median": median,
        "runs": scores,
        "attempts": [r["_attempts"] for r in reports],
        "metrics_ms_median": {
            m: round(statistics.median(r["audits"][m]["numericValue"] for r in reports), 3)
            for m in METRICS
        },
        "meets_targets": {c: median[c] >= targets[c] for c in CATEGORIES},
        "lost_points": {c: _lost(middle, c) for c in CATEGORIES if median[c] < 100},
        "flagged_diagnostics": _opportunities(middle),
    }


def run() -> dict:
    only = [p for p in os.environ.get("BENCH_LH_PAGES", "").split(",") if p]
    setup = prepare(RIDES, SEED)
    chosen = [p for p in pages(setup["ride"]) if not only or p["name"] in only]
    cookies = {}
    for account in {p["account"] for p in chosen} - {None}:
        cookies[account] = signed_in(account).cookies[settings.SESSION_COOKIE_NAME].value
    version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True)
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True)
    port = _free_port()
    server = start_server(port)  # as `make run`: 2 uvicorn processes
    try:
        with tempfile.TemporaryDirectory() as tmp:
            results = []
            for n, page in enumerate(chosen):
                workdir = Path(tmp) / str(n)
                workdir.mkdir()
                results.append(measure(page, port, cookies, workdir))
                print(page["name"], results[-1]["median"], flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "machine": machine_shared(),
        "setup": {
            "lighthouse": version.stdout.strip(),
            "chromium": chromium.stdout.strip(),
            "profile": "Lighthouse default: mobile, simulated throttling",
            "server": "uvicorn (2 processes), project settings, DEBUG "
            f"{'on' if settings.DEBUG else 'off'}, demo database after collectstatic",
            "runs_per_page": RUNS,
            "rides_tomorrow": setup["rides"],
            "seed": SEED,
        },
        "targets": {**TARGETS, "performance_with_a_map": MAP_PERFORMANCE_TARGET},
        "pages": results,
        "missed": [
            f"{r['name']}: {c} {r['median'][c]}"
            for r in results
            for c in CATEGORIES
            if not r["meets_targets"][c]
        ],
    }


if __name__ == "__main__":
    result = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({"missed": result["missed"]}, indent=2, ensure_ascii=False))
