"""Every benchmark of bench/ at a smoke size, so that none can rot between two `make bench`.

Each script runs as `make bench` runs it (a subprocess, the project's settings), on a database
of its own (the name of the current DATABASE_URL's database + `_bench_smoke`, created and
migrated once for this module), with the road graphs and the result JSON in the test's tmp_path
(bench/results/ keeps the recorded results) and the test Redis database. A test checks that the
script succeeds and that its JSON holds what the README's benchmark tables are read from;
timings are recorded by the benchmarks, never asserted here. The road-like synthetic region
(bench/synthetic.py's `road_region`) is checked directly, at a small size."""

import json
import os
import subprocess
import sys
from urllib.parse import urlparse

import numpy as np
import pytest
from django.conf import settings
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from bench.synthetic import regional_network, road_region
from matching.engine import RoadGraph

ROOT = settings.BASE_DIR
P50_95_99 = ("p50", "p95", "p99")


def _run(command: list[str], env: dict[str, str], log=None) -> None:
    """Run `command` from the project's root; its output goes to `log` when given."""
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    if log is not None:
        log.write_text(done.stdout)
    assert done.returncode == 0, (
        f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-6000:]}"
    )


@pytest.fixture(scope="module")
def bench_env() -> dict[str, str]:
    """The environment of a benchmark: its own database, created and migrated here."""
    url = urlparse(settings.DATABASE_URL)
    name = (url.path.lstrip("/") or "archipel") + "_bench_smoke"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archipel.settings",  # as `make bench`, not the test settings
        "DATABASE_URL": url._replace(path=f"/{name}").geturl(),
        "REDIS_URL": settings.TEST_REDIS_URL,
        "CELERY_BROKER_URL": settings.TEST_REDIS_URL,
        "CACHE_PREFIX": "archipel-bench-smoke",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    _run(["scripts/setup-db.sh"], env)
    _run([sys.executable, "manage.py", "migrate_schemas", "-v", "0"], env)
    return env


@pytest.fixture(scope="module")
def demo_graphs(tmp_path_factory):
    """One graph folder for the benchmarks of the demo's pages: the demo's road graph and map
    tiles are built once for both (minutes on a busy machine), not once per benchmark."""
    return tmp_path_factory.mktemp("demo-graphs")


def bench(name: str, env: dict[str, str], tmp_path, graphs=None, **sizes: str) -> dict:
    """Run bench/<name>.py at the given sizes (road graphs in `graphs`, else the test's own
    folder); its result JSON."""
    results = tmp_path / "results"
    _run(
        [sys.executable, f"bench/{name}.py"],
        {
            **env,
            **sizes,
            "GRAPH_DIR": str(graphs or tmp_path / "graphs"),
            "BENCH_RESULTS_DIR": str(results),
        },
        log=tmp_path / f"{name}.log",
    )
    return json.loads((results / f"{name}.json").read_text())


def missing(result: dict, *paths: str) -> list[str]:
    """The dotted paths (`runs.0.search_ms.p95`) the result lacks."""
    absent = []
    for path in paths:
        value = result
        for step in path.split("."):
            if isinstance(value, list) and step.isdigit() and int(step) < len(value):
                value = value[int(step)]
            elif isinstance(value, dict) and step in value:
                value = value[step]
            else:
                absent.append(path)
                break
    return absent


def pcts(prefix: str, points=P50_95_99) -> list[str]:
    return [f"{prefix}.{p}" for p in points]


def test_matching(bench_env, tmp_path):
    result = bench(
        "matching",
        bench_env,
        tmp_path,
        BENCH_SIZES="200,400",
        BENCH_SEARCHES="6",
        BENCH_BASELINE_SEARCHES="1",
    )
    assert [run["offers"] for run in result["runs"]] == [200, 400]
    for n in (0, 1):
        run = f"runs.{n}"
        assert not missing(
            result,
            f"{run}.survivors_median",
            f"{run}.matches_median",
            f"{run}.baseline_speedup_median",
            *pcts(f"{run}.search_ms"),
            *pcts(f"{run}.prefilter_ms"),
            *pcts(f"{run}.engine_ms", ("p50", "p95")),
            *pcts(f"{run}.dijkstra_engine_ms", ("p50", "p95")),
            f"{run}.speedup_over_dijkstra_median",
        )
        # The hierarchy keeps the rides scipy's Dijkstra keeps, in the same order.
        searches = result["runs"][n]["reference_searches"]
        assert result["runs"][n]["same_rides_same_order"] == f"{searches}/{searches}"
    assert not missing(
        result,
        "graph.memory_mb",
        "preprocessing.node_order_s",
        "preprocessing.load_and_customise_s",
        "preprocessing.serving_process.without_graph.rss_mb",
        "preprocessing.serving_process.with_graph.pss_mb",
        *pcts("publish_ms", ("p50", "p95")),
        *pcts("publish_ms.road_and_insert_ms", ("p50", "p95")),
    )


def test_solidarity(bench_env, tmp_path):
    result = bench(
        "solidarity", bench_env, tmp_path, BENCH_VOLUNTEERS="10", BENCH_DISPATCH_REQUESTS="6"
    )
    assert result["volunteers"] == 10 and result["requests"] == 6
    assert not missing(
        result,
        *pcts("rank_ms"),
        *[f"rank_ms_by_return.{kind}.p50" for kind in ("none", "wait", "again")],
        *pcts("engine_ms"),
        *pcts("dijkstra_engine_ms"),
    )
    assert result["same_metres"] == f"{result['reference_requests']}/{result['reference_requests']}"


def test_federation(bench_env, tmp_path):
    # More than 10 searches: the 11th records its queries.
    result = bench(
        "federation", bench_env, tmp_path, BENCH_FED_RIDES="200", BENCH_FED_SEARCHES="20"
    )
    sizes = (result["territories"], result["rides_per_territory"], result["searches"])
    assert sizes == (5, 200, 20)
    assert result["queries_of_one_federated_search"]
    assert not missing(
        result,
        *pcts("single_territory_ms"),
        *pcts("federated_ms"),
        *pcts("federated_over_single"),
        "matches_median.single",
        "matches_median.federated",
        "matches_median.federated_from_neighbours",
    )


def test_observatory(bench_env, tmp_path):
    result = bench("observatory", bench_env, tmp_path, BENCH_JOURNEYS="3000")
    assert result["journeys"] == result["journeys_counted"] == 3000
    assert result["communes"] > 0 and result["files_bytes"]
    assert not missing(
        result,
        "aggregates_s",
        "aggregates_detail_s.flows_commune",
        "flow_cells_commune",
        "flow_cells_suppressed",
        "files_s",
        "python_peak_rss_mb",
    )


def test_incentives(bench_env, tmp_path):
    result = bench(
        "incentives",
        bench_env,
        tmp_path,
        BENCH_JOURNEYS="3000",
        BENCH_ACCRUALS="20",
        BENCH_BASELINE_JOURNEYS="2000",
    )
    assert 2500 < result["journeys"] <= 3000 and 15 < result["accrual"]["journeys"] <= 20
    # The vectorised caps give what paying journey after journey gives.
    assert result["baseline"]["same_amounts"] is True
    assert result["simulation"]["paid_cents"] <= result["simulation"]["budget_cents"]
    assert not missing(
        result,
        "simulation.best_s",
        "simulation.load_s",
        "simulation.compute_s",
        "baseline.loop_over_vectorised",
        *pcts("accrual.ms"),
    )


def test_realtime(bench_env, tmp_path):
    # 20 clients: the fixed baseline (10 messages a second for 10 s) stays below each person's
    # limit of 10 messages in 20 s.
    result = bench(
        "realtime",
        bench_env,
        tmp_path,
        BENCH_RT_CLIENTS="20",
        BENCH_RT_RATE="5",
        BENCH_RT_SECONDS="2",
    )
    assert result["setup"]["clients"] == 20 and result["sockets"] == 40
    phases = [
        f"{phase}.{key}"
        for phase in ("baseline", "load")
        for key in ("lost", "refused", "other_territory", *pcts("latency_ms"))
    ]
    assert not missing(result, "setup.conversations", *phases, *pcts("load_over_baseline"))


def test_places(bench_env, tmp_path):
    result = bench(
        "places",
        bench_env,
        tmp_path,
        BENCH_PLACES_NAMES="2000",
        BENCH_PLACES_QUERIES="12",
        BENCH_PLACES_COMMUNES="0",
    )
    assert result["synthetic"]["entries"] == 2000 and result["demo"]["entries"] > 300
    assert result["synthetic"]["queries"] == 12
    assert not missing(
        result,
        *pcts("demo.search_ms"),
        *pcts("synthetic.search_ms"),
        "synthetic.search_ms_by_class.prefix.p95",
        "demo.build_s",
        "synthetic.insert_s",
        *pcts("demo.baseline.search_ms"),
        *pcts("synthetic.baseline.search_ms"),
        "demo.meant_first",
        "demo.baseline.meant_first",
        "synthetic.meant_in_suggestions",
        "synthetic.p95_ratio_to_baseline",
    )


def test_pages(bench_env, tmp_path, demo_graphs):
    result = bench(
        "pages",
        bench_env,
        tmp_path,
        demo_graphs,
        BENCH_PAGES_REQUESTS="2",
        BENCH_PAGES_RIDES="3",
        BENCH_PAGES_SIGNINS="1",
    )
    assert result["setup"]["requests_per_page"] == 2 and result["setup"]["rides_tomorrow"] == 3
    accounts = {row["account"] for row in result["pages"]}
    assert accounts == {"anonymous", "citizen", "admin", "data", "operator", "volunteer"}
    names = {row["page"] for row in result["pages"]}
    assert {"search results", "ride page", "publish", "my trips", "observatory"} <= names
    for n in range(len(result["pages"])):
        assert not missing(
            result,
            *pcts(f"pages.{n}.warm_ms", ("p50", "p95")),
            f"pages.{n}.queries",
            f"pages.{n}.cold_ms",
            f"pages.{n}.cold_over_warm_p50",
        )
    assert not missing(
        result,
        *pcts("sign_in.sign_in_ms", ("p50", "p95")),
        "sign_in.password_check_ms.p50",
        "sign_in.hashing_share_of_sign_in",
        "median_cold_over_warm_p50",
    )


def test_lighthouse(bench_env, tmp_path, demo_graphs):
    # One page, once: the smoke checks that Lighthouse, chromium and the server work together.
    result = bench(
        "lighthouse",
        bench_env,
        tmp_path,
        demo_graphs,
        BENCH_LH_RUNS="1",
        BENCH_LH_PAGES="home",
        BENCH_LH_RIDES="2",
    )
    assert [page["name"] for page in result["pages"]] == ["home"]
    assert result["setup"]["lighthouse"].startswith("12.2.")
    assert not missing(
        result,
        *[f"pages.0.median.{c}" for c in ("performance", "accessibility", "best-practices")],
        "pages.0.metrics_ms_median.largest-contentful-paint",
    )


ROAD_NODES = 10_000


@pytest.fixture(scope="module")
def region() -> dict:
    return road_region(ROAD_NODES, seed=7)


def _tails(arrays: dict) -> np.ndarray:
    return np.repeat(np.arange(len(arrays["lon"])), np.diff(arrays["indptr"]))


def test_road_region_is_seeded(region):
    again, other = road_region(ROAD_NODES, seed=7), road_region(ROAD_NODES, seed=8)
    assert all(np.array_equal(region[key], again[key]) for key in region)
    assert not np.array_equal(region["lon"], other["lon"])


def test_road_region_format(region):
    grid = regional_network(side=10)
    assert region.keys() == grid.keys()
    assert all(region[key].dtype == grid[key].dtype for key in grid)
    assert abs(len(region["lon"]) / ROAD_NODES - 1) <= 0.1
    n, tails, heads = len(region["lon"]), _tails(region), region["indices"].astype(np.int64)
    keys = tails * n + heads
    assert np.all(np.diff(keys) > 0)  # sorted by (tail, head), no duplicates
    assert not np.any(tails == heads)
    assert region["length"].min() >= 1.0 and np.all(region["time"] > 0)
    assert np.array_equal(region["geom_ptr"], np.arange(0, 2 * len(heads) + 1, 2))


def test_road_region_is_strongly_connected_with_one_way_streets(region):
    n, tails, heads = len(region["lon"]), _tails(region), region["indices"].astype(np.int64)
    matrix = csr_matrix((region["time"], (tails, heads)), shape=(n, n))
    assert connected_components(matrix, directed=True, connection="strong")[0] == 1
    one_way = ~np.isin(heads * n + tails, tails * n + heads)
    assert 0.03 <= one_way.mean() <= 0.20
    kmh = np.round(region["length"] / region["time"] * 3.6)
    assert len(np.unique(kmh)) >= 3


def test_road_region_routes(region):
    graph = RoadGraph(region)
    corner = graph.lon + graph.lat
    origin, destination = int(np.argmin(corner)), int(np.argmax(corner))
    route = graph.route(origin, destination)
    assert route is not None and route.nodes[0] == origin and route.nodes[-1] == destination
    straight = float(graph.straight_m(np.array([origin]), np.array([destination]))[0])
    assert route.distance_m >= straight > 5_000
