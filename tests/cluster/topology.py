"""Helpers of the cluster's fault tests (make test-cluster): black-box, against the processes
scripts/cluster.sh started, through HAProxy. Run without tests/conftest.py and without
pytest-django (--confcutdir, -p no:django): nothing here opens a Django test database; the
replica-read test runs the app's own code in a subprocess with the cluster's settings.

Figures (failover times, success rates) are printed and written to
bench/results/cluster.json; nothing here asserts a duration beyond the suite's own bounds."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = (ROOT / "var" / "cluster").resolve()
RUN = CLUSTER / "run"
RESULTS = ROOT / "bench" / "results" / "cluster.json"
FIGURES: dict[str, object] = {}


def cluster_settings() -> dict[str, str]:
    values = {}
    for file in (ROOT / "deploy/cluster/cluster.env", CLUSTER / "etc/app.env"):
        for line in file.read_text().splitlines():
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key] = value
    return values


ENV = cluster_settings()


def pid_of(name: str) -> int:
    return int((RUN / f"{name}.pid").read_text())


def kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def patroni(node: str, path: str) -> tuple[int, dict]:
    port = ENV[f"{node.upper()}_REST_PORT"]
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=2) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}
    except OSError:
        return 0, {}


def leader() -> str | None:
    for node in ("pg1", "pg2"):
        if patroni(node, "primary")[0] == 200:
            return node
    return None


def restart_cluster() -> None:
    """scripts/cluster.sh start brings back whatever died (it starts what is not running)."""
    subprocess.run([str(ROOT / "scripts/cluster.sh"), "start"], check=True, timeout=300,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def http_status(path: str, host: str = "andorra-la-vella.localhost") -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{ENV['LB_HTTP_PORT']}{path}", headers={"Host": host}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0  # no answer at all


def wait_until(condition, timeout: float, step: float = 0.2) -> float:
    """Seconds until `condition()` held; fails the test after `timeout`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not reached within {timeout} s")
        time.sleep(step)
    return time.monotonic() - start


def record(name: str, figures: dict) -> None:
    FIGURES[name] = figures
    print(f"\n[cluster] {name}: {json.dumps(figures)}")


def app_side(command: str, *args: str, timeout: float = 300) -> dict:
    """tests/cluster/app_side.py run with the cluster's settings (the app's own code)."""
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), str(ROOT / "tests/cluster/app_side.py"), command, *args],
        cwd=ROOT, env={**ENV, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    if result.returncode:
        pytest.fail(f"app_side {command}: {result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


MAIL = CLUSTER / "mail"


def mail_keys(since: float = 0) -> Counter:
    """The outbox keys of the e-mails in the sink (their Message-ID), with how many times
    each was sent; `since`: only the files written after that time.time()."""
    keys: Counter = Counter()
    for file in MAIL.glob("*.log"):
        if file.stat().st_mtime < since:
            continue
        for line in file.read_text(errors="replace").splitlines():
            if line.lower().startswith("message-id: <"):
                keys[line.split("<", 1)[1].split("@", 1)[0]] += 1
    return keys


def mail_handed_again(keys: set[str]) -> int:
    """How many of these keys' e-mails were handed to the mail directory again and recognised
    there (core.mailspool's warning in the app nodes' and workers' logs): deliveries done but
    not recorded when their process was lost."""
    found = 0
    for log in (CLUSTER / "log").glob("*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if "already handed over" in line:
                found += any(key in line for key in keys)
    return found


def haproxy(command: str) -> str:
    """One command on HAProxy's admin socket (stats socket … level admin)."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(RUN / "haproxy.sock"))
        sock.sendall(command.encode() + b"\n")
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out.decode()


def app_server_rows() -> list[list[str]]:
    """HAProxy's state of each app node: [be_id, be_name, srv_id, srv_name, srv_addr,
    srv_op_state (2: running), srv_admin_state (0: ready, 1: maintenance), …]."""
    lines = haproxy("show servers state app").splitlines()[1:]  # after the format's version
    return [line.split() for line in lines if line and not line.startswith("#")]


def node_up(name: str) -> bool:
    """Whether HAProxy sends requests to app node `name` (checked up, not in maintenance)."""
    return any(row[3] == name and row[5] == "2" and row[6] == "0" for row in app_server_rows())


def as_postgres(*command: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *command],
        check=True, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def pgbackrest(*arguments: str) -> subprocess.CompletedProcess:
    config = CLUSTER / "etc/pgbackrest.conf"
    return as_postgres("pgbackrest", f"--config={config}", "--stanza=archipel", *arguments)
