"""Realtime benchmark: message delivery over websockets on loopback.

500 clients on two territories (250 conversations, driver and passenger each with the page
open: a presence socket and the conversation's socket), served by one uvicorn process with the
Redis channel layer and PostgreSQL, exactly as `make run` serves them. A seeded round-robin
sends a baseline phase (10 messages per second) then the load phase (200 messages per second
for a minute); every message must reach both participants' open conversation pages.

Measured, per phase: delivery latency (send → frame received by the other participant, and by
the sender's own page) p50/p95/p99/max, lost deliveries (must be 0), refusals, deliveries that
reached a page of the other territory (must be 0). The load phase's latencies are also given
as ratios to the baseline's. Writes bench/results/realtime.json.

Run with `make bench` (its own database). BENCH_RT_CLIENTS, BENCH_RT_RATE, BENCH_RT_SECONDS
shrink it for a quick try."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

import django  # noqa: E402

django.setup()

import websockets  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from bench.matching import RESULTS_DIR, percentiles  # noqa: E402
from core.middleware import SESSION_TERRITORY_KEY  # noqa: E402
from core.models import User  # noqa: E402
from provisioning.services import BoundarySource, territory_create  # noqa: E402
from tenants.members.models import Membership  # noqa: E402
from tenants.models import Area, Territory  # noqa: E402
from trips.models import Booking, Conversation, Message, Offer  # noqa: E402

SEED = 20261127
CLIENTS = int(os.environ.get("BENCH_RT_CLIENTS", "500"))
RATE = float(os.environ.get("BENCH_RT_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_RT_SECONDS", "60"))
BASELINE_RATE, BASELINE_SECONDS = 10.0, 10.0
WORKERS = int(os.environ.get("BENCH_RT_WORKERS", "2"))  # uvicorn processes, as `make run`
SLUGS = ("rt-a", "rt-b")
RESULTS = RESULTS_DIR / "realtime.json"
ROOT = Path(__file__).resolve().parents[1]


def _territory(slug: str) -> Territory:
    found = Territory.objects.filter(slug=slug).first()
    if found:
        return found
    box = Polygon.from_bbox((1.40, 42.40, 1.80, 42.70))
    Area.objects.update_or_create(
        code="XX-RT",
        defaults={
            "kind": Area.Kind.FOREIGN,
            "country": "XX",
            "name": "Realtime bench",
            "geometry": MultiPolygon(box),
        },
    )
    return territory_create(
        slug=slug,
        name=f"Bench {slug}",
        domains=[f"{slug}.localhost"],
        source=BoundarySource(area_codes=["XX-RT"]),
    )


def _people(slug: str, count: int) -> list[User]:
    emails = [f"{slug}-{n}@bench.example" for n in range(count)]
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    new = [User(email=e, first_name=f"P{n}") for n, e in enumerate(emails) if e not in existing]
    for user in new:
        user.set_unusable_password()
    User.objects.bulk_create(new)
    found = {u.email: u for u in User.objects.filter(email__in=emails)}
    return [found[e] for e in emails]


def setup() -> list[dict]:
    """Both territories, their members, one booking (and conversation) per pair of people, a
    signed-in session per person. Returns the clients: host, session, conversation."""
    clients = []
    now = timezone.now()
    line = LineString((1.50, 42.50), (1.55, 42.52), srid=4326)
    for slug in SLUGS:
        territory = _territory(slug)
        people = _people(slug, CLIENTS // len(SLUGS) // 2 * 2)
        with schema_context(territory.schema_name):
            Message.objects.all().delete()
            Conversation.objects.all().delete()
            Booking.objects.all().delete()
            Offer.objects.all().delete()
            Membership.objects.all().delete()
            Membership.objects.bulk_create(
                Membership(user=u, roles=["citizen"], consented_at=now) for u in people
            )
            departure = now + timedelta(days=1)
            offers = Offer.objects.bulk_create(
                Offer(
                    driver=driver,
                    origin_label="A",
                    destination_label="B",
                    origin=Point(1.50, 42.50, srid=4326),
                    destination=Point(1.55, 42.52, srid=4326),
                    graph_name="",
                    origin_node=0,
                    destination_node=1,
                    route=line,
                    distance_m=5000,
                    duration_s=600,
                    reach=Polygon.from_bbox((1.49, 42.49, 1.56, 42.53)),
                    departure_at=departure,
                    active_window=DateTimeTZRange(departure, departure + timedelta(hours=1)),
                    seats=3,
                    seats_taken=1,
                    cost_per_km="0.08",
                )
                for driver in people[0::2]
            )
            bookings = Booking.objects.bulk_create(
                Booking(
                    offer=offer,
                    passenger=passenger,
                    seats=1,
                    status="accepted",
                    pickup_label="A",
                    dropoff_label="B",
                    pickup=offer.origin,
                    dropoff=offer.destination,
                    pickup_at=departure,
                    dropoff_at=departure + timedelta(minutes=10),
                    distance_m=5000,
                    detour_s=0,
                    price="0.40",
                )
                for offer, passenger in zip(offers, people[1::2], strict=True)
            )
            talks = Conversation.objects.bulk_create(Conversation(booking=b) for b in bookings)
        for talk, offer, passenger in zip(talks, offers, people[1::2], strict=True):
            for person in (offer.driver, passenger):
                session = SessionStore()
                session[SESSION_KEY] = str(person.pk)
                session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
                session[HASH_SESSION_KEY] = person.get_session_auth_hash()
                session[SESSION_TERRITORY_KEY] = territory.schema_name
                session.save()
                clients.append(
                    {
                        "slug": slug,
                        "host": f"{slug}.localhost",
                        "session": session.session_key,
                        "talk": talk.pk,
                    }
                )
    return clients


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "CACHE_PREFIX": "archipel-bench",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/uvicorn"),
            "archipel.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            str(WORKERS),
            "--ws-per-message-deflate",  # as scripts/serve.sh
            "false",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:  # it could not start (the port taken meanwhile…)
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.3)
            continue
        time.sleep(0.5)
        if server.poll() is None:  # answering, and it is ours
            return server
    server.kill()
    raise RuntimeError("the server did not start")


BODY = re.compile(r"(rt-[ab]):(\d+)")


class Client:
    def __init__(self, spec: dict, port: int, stats: dict):
        self.spec, self.port, self.stats = spec, port, stats
        self.sockets = []

    async def open(self) -> None:
        host = self.spec["host"]
        headers = {"Cookie": f"sessionid={self.spec['session']}", "Origin": f"http://{host}"}
        for path in ("/ws/presence/", f"/ws/conversations/{self.spec['talk']}/"):
            ws = await websockets.connect(
                f"ws://{host}:{self.port}{path}",
                host="127.0.0.1",
                port=self.port,
                additional_headers=headers,
                open_timeout=30,
                max_queue=None,
            )
            self.sockets.append(ws)
        self.readers = [asyncio.create_task(self._read(ws)) for ws in self.sockets]

    async def _read(self, ws) -> None:
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "error":
                    self.stats["refused"] += 1
                    reason = frame.get("error", "")
                    self.stats["refusals"][reason] = self.stats["refusals"].get(reason, 0) + 1
                if frame.get("type") != "message":
                    continue
                at = time.perf_counter()
                found = BODY.search(frame["html"])
                if found is None:
                    continue
                slug, seq = found.group(1), int(found.group(2))
                if slug != self.spec["slug"]:
                    self.stats["other_territory"] += 1
                    continue
                sent = self.stats["sent_at"].get(seq)
                if sent is not None:
                    self.stats["latencies"].setdefault(seq, []).append((at - sent) * 1000)
        except websockets.ConnectionClosed:
            self.stats["closed"] += 1

    async def send(self, seq: int) -> None:
        self.stats["sent_at"][seq] = time.perf_counter()
        body = json.dumps({"type": "message", "body": f"{self.spec['slug']}:{seq}"})
        await self.sockets[1].send(body)

    async def close(self) -> None:
        for ws in self.sockets:
            await ws.close()
        for reader in self.readers:
            reader.cancel()


async def phase(clients: list[Client], order: list[int], rate: float, seconds: float,
                first_seq: int, stats: dict) -> dict:  # fmt: skip
    stats.update(sent_at={}, latencies={}, refused=0, refusals={}, other_territory=0)
    count = int(rate * seconds)
    started = time.perf_counter()
    for n in range(count):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await clients[order[n % len(order)]].send(first_seq + n)
    send_s = time.perf_counter() - started
    expected = 2 * count  # both participants have the conversation open
    deadline = time.perf_counter() + 15
    while time.perf_counter() < deadline:
        if sum(len(v) for v in stats["latencies"].values()) >= expected:
            break
        await asyncio.sleep(0.1)
    values = [ms for v in stats["latencies"].values() for ms in v]
    return {
        "rate_per_s": rate,
        "seconds": seconds,
        "messages": count,
        "achieved_rate_per_s": round(count / send_s, 1),
        "deliveries_expected": expected,
        "deliveries_received": len(values),
        "lost": expected - len(values),
        "refused": stats["refused"],
        "refusals": stats["refusals"],
        "other_territory": stats["other_territory"],
        "latency_ms": {**percentiles(values), "max": round(max(values), 2)} if values else {},
    }


async def drive(specs: list[dict], port: int) -> dict:
    stats = {"closed": 0, "sent_at": {}, "latencies": {}, "refused": 0, "refusals": {}}
    clients = [Client(spec, port, stats) for spec in specs]
    started = time.perf_counter()
    for start in range(0, len(clients), 50):  # connect in waves, as pages open
        await asyncio.gather(*(c.open() for c in clients[start : start + 50]))
    connect_s = time.perf_counter() - started
    await asyncio.sleep(2)
    order = list(range(len(clients)))
    random.Random(SEED).shuffle(order)
    baseline = await phase(clients, order, BASELINE_RATE, BASELINE_SECONDS, 0, stats)
    await asyncio.sleep(1)
    load = await phase(clients, order, RATE, SECONDS, 1_000_000, stats)
    closed_during_run = stats["closed"]
    await asyncio.gather(*(c.close() for c in clients))
    ratios = {
        k: round(load["latency_ms"][k] / baseline["latency_ms"][k], 2)
        for k in ("p50", "p95", "p99")
        if baseline["latency_ms"].get(k) and load["latency_ms"].get(k)
    }
    return {
        "sockets": 2 * len(clients),
        "connect_all_s": round(connect_s, 2),
        "closed_during_run": closed_during_run,
        "baseline": baseline,
        "load": load,
        "load_over_baseline": ratios,
    }


def run() -> dict:
    rng_note = f"seed {SEED}"
    specs = setup()
    port = _free_port()
    server = start_server(port)
    try:
        measured = asyncio.run(drive(specs, port))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor(),
        },
        "setup": {
            "clients": len(specs),
            "territories": len(SLUGS),
            "conversations": len(specs) // 2,
            "server": f"{WORKERS} uvicorn processes, Redis channel layer, PostgreSQL",
            "order": rng_note,
        },
        **measured,
        "target": {"load_p95_ms": 100, "lost": 0},
    }


if __name__ == "__main__":
    result = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("baseline", "load", "load_over_baseline")}, indent=2))
