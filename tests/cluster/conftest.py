"""make test-cluster: see topology.py."""

from __future__ import annotations

import json
import os
import platform
import time

import pytest
from topology import FIGURES, RESULTS, RUN, restart_cluster


def pytest_sessionfinish(session, exitstatus):
    if not FIGURES:
        return
    # A run of some of the tests replaces their figures only; each says when it was taken.
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "recorded_at": now,
        "faults": {**kept.get("faults", {}), **FIGURES},
        "faults_recorded_at": {**kept.get("faults_recorded_at", {}),
                               **{name: now for name in FIGURES}},
    }, indent=2) + "\n")  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def cluster_up():
    if not (RUN / "app-ready").exists():
        pytest.fail("the cluster is not started: make cluster (make test-cluster starts it)")
    restart_cluster()
    yield
