"""The whole `make bench`'s time: `start` notes the moment, `stop` writes the seconds since into
bench/results/make-bench.json (BENCH_RESULTS_DIR when it is set), with the machine."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = ROOT / "var" / "bench-started"
RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR", ROOT / "bench" / "results"))


def main(step: str) -> None:
    if step == "start":
        MARK.parent.mkdir(parents=True, exist_ok=True)
        MARK.write_text(str(time.time()))
        return
    started = float(MARK.read_text())
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "make-bench.json").write_text(
        json.dumps(
            {
                "seconds": round(time.time() - started),
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                "machine": {
                    "cpu_count": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                },
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
