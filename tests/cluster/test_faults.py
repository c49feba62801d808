"""Faults survived with nothing lost: the PostgreSQL leader, the Redis master, an app node and
a Celery worker are killed in turn (SIGKILL, as a machine lost) while the product's load
(load.py: searches, bookings, messages, confirmations) runs through HAProxy, from the first
fault to the last; then what the load was acknowledged is compared with what was stored."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest
import redis
import websockets
from load import ConversationSocket, ProductLoad, Threads, send
from topology import (
    CLUSTER,
    ENV,
    ROOT,
    app_side,
    http_status,
    kill,
    leader,
    mail_handed_again,
    mail_keys,
    node_up,
    patroni,
    pgbackrest,
    pid_of,
    record,
    restart_cluster,
    wait_until,
)  # fmt: skip

WRITE_URL = ENV["DATABASE_URL"]
FAILOVER_BOUND_S = 60  # the suite gives up past this; the figure itself is recorded


class Load(Threads):
    """Threads doing one thing in a loop until stopped, counting what they were answered."""

    def __init__(self, action, threads: int = 2):
        self.action, self.statuses, self.stop = action, Counter(), threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self):
        while not self.stop.is_set():
            self.statuses[self.action()] += 1
            time.sleep(0.02)


class Writer:
    """Commits numbered rows through HAProxy's write port and keeps those acknowledged."""

    def __init__(self, table: str):
        self.table, self.acknowledged, self.failed, self.next = table, [], 0, 0
        self.lock = threading.Lock()
        with psycopg.connect(WRITE_URL, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(f"CREATE TABLE {table} (n integer PRIMARY KEY)")
        self.conn = None

    def __call__(self) -> str:
        with self.lock:
            self.next += 1
            n = self.next
        try:
            if self.conn is None or self.conn.closed:
                self.conn = psycopg.connect(WRITE_URL, autocommit=True, connect_timeout=2)
            self.conn.execute(f"INSERT INTO {self.table} VALUES (%s)", [n])
        except psycopg.Error:
            self.failed += 1
            self.conn = None
            return "failed"
        self.acknowledged.append(n)
        return "committed"

    def stored(self) -> set[int]:
        with psycopg.connect(WRITE_URL, autocommit=True) as conn:
            return {n for (n,) in conn.execute(f"SELECT n FROM {self.table}")}


def postmaster_pid(node: str) -> int:
    return int((CLUSTER / f"data/{node}/postmaster.pid").read_text().split()[0])


def readiness() -> int:
    return http_status("/readyz")


RUN = uuid.uuid4().hex[:8]
STARTED = time.time()


@pytest.fixture(scope="module")
def product():
    """The product's load, from the first fault to the last (test_the_load_lost_nothing)."""
    load = ProductLoad(app_side("seed", RUN), RUN)
    with load:
        time.sleep(2)
        yield load


def succeeds_again(product: ProductLoad) -> float:
    """Seconds until the load's searches, bookings and messages are served again."""
    before = product.succeeded()

    def served():
        now = product.succeeded()
        return all(now[kind] > before[kind] for kind in ("search", "message", "booking"))

    return wait_until(served, FAILOVER_BOUND_S)


def test_replica_reads_see_the_territorys_schema():
    """A read routed to the replica runs in the request's territory schema, never `public` or
    another territory's, and on a server in recovery (a real replica)."""
    code = """
import json
from datetime import date
from django.db import connection, connections
from core.replica import reading_connection, replica_reads
from observatory.aggregates import ReportPeriod, indicators
from tenants.models import Territory
from trips.models import Journey

@replica_reads
def read():
    routed = Journey.objects.all().db
    count = Journey.objects.count()
    with connections["replica"].cursor() as cursor:
        cursor.execute("select current_schema(), pg_is_in_recovery()")
        schema, in_recovery = cursor.fetchone()
    # The observatory's raw SQL aggregates take the same connection.
    with reading_connection().cursor() as cursor:
        cursor.execute("select current_schema(), pg_is_in_recovery()")
        raw = list(cursor.fetchone())
    year = ReportPeriod(date(2000, 1, 1), date(2100, 12, 31))
    journeys = indicators(year, k=1)["journeys"].value
    return {"routed": routed, "count": count, "schema": schema, "replica": in_recovery,
            "raw": raw, "aggregated": journeys}

out = []
for territory in Territory.objects.exclude(schema_name="public").order_by("schema_name"):
    connection.set_tenant(territory)
    seen = read()
    seen["expected"] = territory.schema_name
    seen["leader_count"] = Journey.objects.count()
    out.append(seen)
print(json.dumps(out))
"""
    env = {**ENV, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(seen) >= 2
    for read in seen:
        assert read["routed"] == "replica"
        assert read["replica"] is True
        assert read["schema"] == read["expected"]
        assert read["count"] == read["leader_count"] == read["aggregated"]
        assert read["raw"] == [read["expected"], True]
    assert len({read["schema"] for read in seen}) == len(seen)


REPLICA_LAG_BOUND_S = 5  # docs/operations.md: what the replica's readers may miss


def test_replica_reads_lag_within_the_bound(product):
    """Under the product's load, a commit on the leader is seen through HAProxy's read port —
    the connection every `@replica_reads` view reads on (the observatory's dashboard, map,
    downloads and dataset API) — within REPLICA_LAG_BOUND_S."""
    Writer("cluster_probe_lag")
    lags = []
    with psycopg.connect(WRITE_URL, autocommit=True) as leader_conn, psycopg.connect(
        ENV["DATABASE_REPLICA_URL"], autocommit=True
    ) as replica_conn:
        def seen(n: int) -> bool:
            found = replica_conn.execute(
                "SELECT 1 FROM cluster_probe_lag WHERE n = %s", [n]).fetchone()  # fmt: skip
            return found is not None

        wait_until(lambda: replica_conn.execute(
            "SELECT to_regclass('cluster_probe_lag')").fetchone()[0] is not None, 30)  # fmt: skip
        for n in range(1, 61):
            leader_conn.execute("INSERT INTO cluster_probe_lag VALUES (%s)", [n])
            lags.append(wait_until(lambda n=n: seen(n), REPLICA_LAG_BOUND_S, step=0.002))
            time.sleep(0.05)
        (in_recovery,) = replica_conn.execute("SELECT pg_is_in_recovery()").fetchone()
    ordered = sorted(lags)
    record("replica_read_lag", {
        "commits": len(lags), "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1), "bound_s": REPLICA_LAG_BOUND_S,
    })  # fmt: skip
    assert in_recovery  # the read port did reach a replica


def test_leader_lost_no_acknowledged_commit_lost(product):
    before = leader()
    assert before, "no PostgreSQL leader"
    assert patroni({"pg1": "pg2", "pg2": "pg1"}[before], "synchronous")[0] == 200
    writer = Writer("cluster_probe_leader")
    with Load(writer) as writes, Load(readiness) as reads:
        time.sleep(2)
        postmaster = postmaster_pid(before)
        killed_at = time.monotonic()
        kill(pid_of(before))
        kill(postmaster)
        promoted = wait_until(lambda: leader() not in (None, before), FAILOVER_BOUND_S)
        acked = len(writer.acknowledged)
        writes_back = wait_until(lambda: len(writer.acknowledged) > acked, FAILOVER_BOUND_S)
        time.sleep(1)
        wait_until(lambda: readiness() == 200, FAILOVER_BOUND_S)
        switch_s = time.monotonic() - killed_at
        served_s = switch_s + succeeds_again(product)
    lost = set(writer.acknowledged) - writer.stored()
    record("postgres_leader_killed", {
        "promoted_after_s": round(promoted, 2),
        "writes_back_after_s": round(promoted + writes_back, 2),
        "http_ready_after_s": round(switch_s, 2), "commits_acknowledged": len(writer.acknowledged),
        "commits_failed": writer.failed, "acknowledged_lost": len(lost),
        "http_statuses": dict(reads.statuses), "writes": dict(writes.statuses),
        "product_served_again_after_s": round(served_s, 2),
    })  # fmt: skip
    assert not lost
    assert set(reads.statuses) <= {200, 503}
    # The lost node comes back as a replica (pg_rewind) and is synchronous again, and the new
    # leader archives its WAL (pgBackRest's check switches a WAL file and waits for it).
    restart_cluster()
    wait_until(lambda: patroni(before, "synchronous")[0] == 200, 120)
    pgbackrest("check")


def test_writes_go_on_with_the_replica_down(product):
    """Not strict synchronous mode: with the replica gone, the leader stops waiting for it
    once Patroni notices (about ttl), and writes go on, on the leader alone."""
    primary = leader()
    replica = {"pg1": "pg2", "pg2": "pg1"}[primary]
    writer = Writer("cluster_probe_replica")
    postmaster = postmaster_pid(replica)
    kill(pid_of(replica))
    kill(postmaster)
    start = time.monotonic()
    with psycopg.connect(WRITE_URL, autocommit=True) as conn:
        conn.execute("SET statement_timeout = '60s'")
        conn.execute(f"INSERT INTO {writer.table} VALUES (1)")
    waited = time.monotonic() - start
    record("postgres_replica_killed", {"first_write_waited_s": round(waited, 2)})
    assert writer.stored() == {1}
    restart_cluster()
    wait_until(lambda: patroni(replica, "synchronous")[0] == 200, 120)


def sentinel() -> redis.Redis:
    return redis.Redis(host=ENV["SENTINEL1_HOST"], port=int(ENV["SENTINEL1_PORT"]))


def redis_master() -> tuple[str, int]:
    host, port = sentinel().sentinel_get_master_addr_by_name(ENV["REDIS_MASTER_NAME"])
    return host, int(port)


def test_redis_master_lost_sentinel_fails_over(product):
    """The Redis master is killed under load; an open conversation page keeps hearing: its
    socket, subscribed again to the new master (or reopened and caught up), gets a message
    written after the switch."""
    before = redis_master()
    name = "redis1" if before[1] == int(ENV["REDIS1_PORT"]) else "redis2"
    past = product.seeded["past"][1]
    driver = product.seeded["drivers"][past["driver"]]
    page = ConversationSocket(product.host, product.seeded["passengers"][1], past["conversation"])

    marks: dict[str, float] = {}

    async def hears_after_the_switch() -> None:
        ws = await page.open()
        killed_at = time.monotonic()
        kill(pid_of(name))
        await asyncio.to_thread(wait_until, lambda: redis_master() != before, FAILOVER_BOUND_S)
        marks["switched"] = time.monotonic() - killed_at
        await asyncio.to_thread(wait_until, lambda: readiness() == 200, FAILOVER_BOUND_S)
        marks["ready"] = time.monotonic() - killed_at
        wrote = f"load {RUN} written after the Redis switch"
        status, _body = await asyncio.to_thread(
            send, product.host, driver, "POST", f"/bookings/{past['booking']}/conversation/",
            form={"body": wrote},
        )  # fmt: skip
        assert status == 302
        product.messages_sent.add(wrote)
        try:
            heard = await page.until(ws, wrote, timeout=15)
        except websockets.WebSocketException:  # closed by its node: it comes back, caught up
            _seconds, _attempts, ws = await page.reopen(FAILOVER_BOUND_S)
            heard = await page.until(ws, wrote, timeout=15)
        await ws.close()
        marks["heard"] = time.monotonic() - killed_at
        assert heard, "the open page did not get the message written after the switch"

    with Load(readiness) as reads:
        time.sleep(1)
        asyncio.run(hears_after_the_switch())
        served = succeeds_again(product)
    record("redis_master_killed", {
        "sentinel_switched_after_s": round(marks["switched"], 2),
        "http_ready_after_s": round(marks["ready"], 2),
        "open_page_heard_a_new_message_after_s": round(marks["heard"], 2),
        "product_served_again_after_s": round(marks["heard"] + served, 2),
        "http_statuses": dict(reads.statuses),
    })  # fmt: skip
    assert set(reads.statuses) <= {200, 503}
    restart_cluster()  # the old master comes back as a replica of the new one


def test_app_node_lost_requests_go_to_the_other(product):
    """The node holding a conversation's socket is killed under page load: pages go on (reads
    retried on the other node), and the socket comes back through the other node with the
    message the driver wrote meanwhile."""
    past = product.seeded["past"][0]
    passenger = product.seeded["passengers"][0]
    driver = product.seeded["drivers"][past["driver"]]
    socket = ConversationSocket(product.host, passenger, past["conversation"])

    async def drop_and_come_back() -> tuple[str, float, int, int, bool]:
        ws = await socket.open()
        lost = socket.node
        kill(pid_of(lost))
        with contextlib.suppress(websockets.WebSocketException, TimeoutError):
            await asyncio.wait_for(ws.recv(), 10)  # the socket closes with its node
        back = asyncio.create_task(socket.reopen(FAILOVER_BOUND_S))  # as the page does
        # Meanwhile the driver writes, once HAProxy knows the node is gone (a write that
        # reached the dead node would be a 503, and is not sent twice).
        await asyncio.to_thread(wait_until, lambda: not node_up(lost), 30)
        wrote = f"load {RUN} written while the socket was down"
        status, _body = await asyncio.to_thread(
            send, product.host, driver, "POST", f"/bookings/{past['booking']}/conversation/",
            form={"body": wrote},
        )  # fmt: skip
        if status == 302:
            product.messages_sent.add(wrote)
        seconds, attempts, ws = await back
        arrived = await socket.until(ws, wrote)  # caught up, or live if it came back first
        await ws.close()
        return lost, seconds, attempts, status, arrived

    with Load(lambda: http_status("/"), threads=3) as pages:
        time.sleep(2)
        lost, seconds, attempts, posted, caught_up = asyncio.run(drop_and_come_back())
        time.sleep(3)
    record("app_node_killed", {
        "page_statuses": dict(pages.statuses), "node_killed": lost,
        "websocket_back_through": socket.node,
        "websocket_back_after_s": round(seconds, 2), "websocket_attempts": attempts,
    })  # fmt: skip
    assert set(pages.statuses) <= {200, 503}
    assert pages.statuses[200] > 0
    assert posted == 302 and caught_up  # the message written meanwhile reached the page
    restart_cluster()
    wait_until(lambda: http_status("/healthz") == 200, 30)


def process_tree(pid: int) -> list[int]:
    """A process and its children (a Celery worker's pool)."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children += [int(c) for c in (task / "children").read_text().split()]
    return [pid, *children]


def test_worker_lost_mid_task_its_deliveries_done_once(product):
    """A worker is killed while its task delivers a batch of e-mails: the rows it had not
    recorded are delivered by the other worker, each e-mail once (Message-ID = the row's
    key). Worker 2 is held (SIGSTOP) while the batch is handed out, so that worker 1 takes
    it; it is let go at the kill."""
    rows, since = 150, time.time()
    held = pid_of("worker2")
    os.kill(held, signal.SIGSTOP)
    try:
        keys = set(app_side("outbox", RUN, str(rows))["keys"])

        def delivered() -> int:
            return len(keys & set(mail_keys(since)))

        wait_until(lambda: delivered() > 0, FAILOVER_BOUND_S, step=0.02)
        for pid in process_tree(pid_of("worker1")):
            kill(pid)
        killed_at = time.monotonic()
        before_kill = delivered()
    finally:
        os.kill(held, signal.SIGCONT)
    finished = wait_until(lambda: delivered() == rows, 120, step=0.5)
    sink = mail_keys(since)
    record("celery_worker_killed", {
        "emails": rows, "delivered_before_the_kill": before_kill,
        "all_delivered_after_s": round(time.monotonic() - killed_at, 2),
        "sent_twice": sum(1 for key in keys if sink[key] > 1),
        "handed_again_and_recognised": mail_handed_again(keys),
    })  # fmt: skip
    assert 0 < before_kill < rows, "the worker was not killed mid-task"
    assert finished and all(sink[key] == 1 for key in keys)
    restart_cluster()


def test_the_load_lost_nothing(product):
    """After every fault: each acknowledged booking, message and journey is stored; no ride
    has more seats taken than it offers, nor a count that differs from its bookings; nobody
    holds two bookings of one ride; no e-mail was sent twice; and nothing was answered
    outside its kind's allowed statuses (a switch is a 503, never a 500)."""
    product.__exit__(None, None, None)
    stored = app_side("stored", RUN)
    bodies = Counter(stored["messages"])
    both = {booking for booking, sides in product.confirmed.items() if len(sides) == 2}
    sink = mail_keys(STARTED)
    record("product_load", {
        "statuses": product.figures(), "bookings_acknowledged": len(product.bookings),
        "messages_acknowledged": len(product.messages_sent),
        "messages_unanswered": len(product.messages_unknown),
        "journeys_confirmed": len(both), "emails_in_sink": sum(sink.values()),
    })  # fmt: skip
    assert not product.unexpected, product.unexpected[:5]
    assert all(product.succeeded().values())
    for offer in stored["offers"]:
        assert offer["booked"] == offer["seats_taken"] <= offer["seats"], offer
    assert stored["duplicated"] == 0
    assert product.bookings <= set(stored["bookings"])
    assert all(bodies[body] == 1 for body in product.messages_sent)
    assert all(bodies[body] <= 1 for body in product.messages_unknown)
    assert set(bodies) <= product.messages_sent | product.messages_unknown
    assert both <= set(stored["journeys"])
    assert all(count == 1 for count in sink.values())


@pytest.fixture(autouse=True, scope="module")
def cluster_healthy_after():
    yield
    restart_cluster()
