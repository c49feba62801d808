"""bench/capacity.py at a smoke size (make bench-capacity runs it in full): it drains and
restores app nodes through HAProxy's admin socket and writes what the README's table is read
from. No figure is asserted, only that every request was answered and every node is back."""

from __future__ import annotations

import json
import subprocess

from topology import ENV, ROOT, http_status


def test_capacity_benchmark_runs(tmp_path):
    sizes = {"BENCH_CAP_SECONDS": "2", "BENCH_CAP_NODES": "1,2", "BENCH_CAP_CLIENTS": "3"}
    env = {**ENV, **sizes, "PATH": "/usr/bin:/bin", "BENCH_RESULTS_DIR": str(tmp_path)}
    command = [str(ROOT / ".venv/bin/python"), "bench/capacity.py"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=300, capture_output=True)
    results = json.loads((tmp_path / "capacity.json").read_text())
    rounds = results["rounds"]
    assert [r["app_nodes"] for r in rounds] == [1, 2]
    for r in rounds:
        assert r["requests"] > 0 and r["not_200"] == 0
        assert set(r["latency_ms"]) == {"p50", "p95", "p99"}
        assert r["throughput_ratio"] > 0 and r["p95_ratio"] > 0
    assert http_status("/healthz") == 200
