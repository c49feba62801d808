"""The product's seeded load through HAProxy, as people use it: searches, seat bookings (few
seats, many passengers: they compete), messages in the conversations and confirmations that
make journeys — signed in with the sessions app_side.py seeded. It keeps what each request was
answered, and which writes were acknowledged, for `check` to compare with what was stored.

A booking or a confirmation not answered (503, no answer) is sent again: both are safe to
repeat (the database refuses a person's overlapping bookings; confirming twice changes
nothing). A message not answered is not: it counts as unknown, stored at most once."""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from datetime import date, timedelta

import websockets
from topology import ENV

CSRF = secrets.token_hex(16)  # a 32-character secret: cookie and header alike
# What each kind of request may be answered, faults included: a switch is a 503, never a 500.
ALLOWED = {
    "search": {200, 503},
    "booking": {201, 409, 503},
    "message": {302, 503},
    "confirm": {200, 503},
    "cancel": {200, 409, 503},
}
UNANSWERED = {503, 0}
MESSAGE_PAUSE_S = 2.5  # a person's pace: under the 10 messages in 20 s the app allows


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def send(host: str, session: str, method: str, path: str, *, json_body=None, form=None):
    headers = {
        "Host": host,
        "Cookie": f"sessionid={session}; csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
    }
    data = None
    if json_body is not None:
        data, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
    elif form is not None:
        form = {**form, "csrfmiddlewaretoken": CSRF}
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(
        f"http://127.0.0.1:{ENV['LB_HTTP_PORT']}{path}", data=data, headers=headers,
        method=method,
    )  # fmt: skip
    try:
        with _opener.open(request, timeout=15) as response:
            body = response.read()
            return response.status, (json.loads(body) if _is_json(response) else None)
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, (json.loads(body) if _is_json(error) and body else None)
    except OSError:
        return 0, None


def _is_json(response) -> bool:
    return "json" in (response.headers.get("Content-Type") or "")


class Threads:
    """Threads started on entering, stopped (`stop` set, then joined) on leaving; a subclass
    sets `self.threads` and `self.stop` and loops until `stop` is set."""

    threads: list[threading.Thread]
    stop: threading.Event

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


class ProductLoad(Threads):
    def __init__(self, seeded: dict, run: str, threads: int = 4, seed: int = 20):
        self.seeded, self.run, self.host = seeded, run, seeded["host"]
        self.rng = random.Random(seed)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.unexpected: list[tuple[str, int, object]] = []
        self.bookings: set[int] = set()
        self.held: dict[int, list[int]] = defaultdict(list)  # a passenger's booked seats
        self.messages_sent: set[str] = set()
        self.messages_unknown: set[str] = set()
        self.confirmed: dict[int, set[str]] = defaultdict(set)
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.sequence = 0
        # One thread per passenger group; each passenger posts at its own pace.
        passengers = list(range(len(seeded["passengers"])))
        self.groups = [passengers[n::threads] for n in range(threads)]
        self.last_message: dict[int, float] = {}
        self.threads = [
            threading.Thread(target=self._run, args=(group, seed + n), daemon=True)
            for n, group in enumerate(self.groups)
        ]

    # --- what one person does.
    def _answered(self, kind: str, status: int, body) -> int:
        with self.lock:
            self.statuses[kind][status] += 1
            if status not in ALLOWED[kind]:
                self.unexpected.append((kind, status, body))
        return status

    def _retrying(self, kind: str, attempt) -> tuple[int, object]:
        """A repeatable write sent again while unanswered (at most for a switch's length)."""
        for _try in range(40):
            status, body = attempt()
            self._answered(kind, status, body)
            if status not in UNANSWERED or self.stop.is_set():
                return status, body
            time.sleep(0.5)
        return status, body

    def search(self, p: int, rng: random.Random) -> None:
        ride = rng.choice(self.seeded["rides"])
        query = urllib.parse.urlencode({
            "from_lon": ride["pickup"]["lon"], "from_lat": ride["pickup"]["lat"],
            "to_lon": ride["dropoff"]["lon"], "to_lat": ride["dropoff"]["lat"],
            "date": (date.today() + timedelta(days=1)).isoformat(), "time": "08:00",
        })  # fmt: skip
        status, body = send(self.host, self.seeded["passengers"][p], "GET",
                            f"/api/v1/search/?{query}")  # fmt: skip
        self._answered("search", status, body)

    def book(self, p: int, rng: random.Random) -> None:
        ride = rng.choice(self.seeded["rides"])
        payload = {"offer": ride["id"], "pickup": ride["pickup"], "dropoff": ride["dropoff"]}
        status, body = self._retrying("booking", lambda: send(
            self.host, self.seeded["passengers"][p], "POST", "/api/v1/bookings/",
            json_body=payload,
        ))  # fmt: skip
        if status == 201:
            with self.lock:
                self.bookings.add(body["id"])
                self.held[p].append(body["id"])

    def cancel(self, p: int, rng: random.Random) -> None:
        """A passenger gives a seat back (another takes it): the seats' count goes both ways."""
        with self.lock:
            if not self.held[p]:
                return
            booking = self.held[p].pop(rng.randrange(len(self.held[p])))
        self._retrying("cancel", lambda: send(
            self.host, self.seeded["passengers"][p], "POST",
            f"/api/v1/bookings/{booking}/cancel/", json_body={"reason": "Plans changed."},
        ))  # fmt: skip

    def message(self, p: int, rng: random.Random) -> None:
        if time.monotonic() - self.last_message.get(p, 0) < MESSAGE_PAUSE_S:
            return
        self.last_message[p] = time.monotonic()
        past = self.seeded["past"][p]
        with self.lock:
            self.sequence += 1
            body = f"load {self.run} message {self.sequence}"
        status, answer = send(
            self.host, self.seeded["passengers"][p], "POST",
            f"/bookings/{past['booking']}/conversation/", form={"body": body},
        )  # fmt: skip
        self._answered("message", status, answer)
        with self.lock:
            (self.messages_sent if status == 302 else self.messages_unknown).add(body)

    def confirm(self, p: int, rng: random.Random) -> None:
        past = self.seeded["past"][p]
        side = rng.choice(["passenger", "driver"])
        session = (self.seeded["passengers"][p] if side == "passenger"
                   else self.seeded["drivers"][past["driver"]])  # fmt: skip
        status, _body = self._retrying("confirm", lambda: send(
            self.host, session, "POST", f"/api/v1/bookings/{past['booking']}/confirm/",
            json_body={},
        ))  # fmt: skip
        if status == 200:
            with self.lock:
                self.confirmed[past["booking"]].add(side)

    def _run(self, group: list[int], seed: int) -> None:
        rng = random.Random(seed)
        actions = [self.search] * 5 + [self.book] * 2 + [self.message] * 2 + [self.confirm]
        actions += [self.cancel]
        while not self.stop.is_set():
            rng.choice(actions)(rng.choice(group), rng)
            time.sleep(0.05)

    def succeeded(self) -> dict[str, int]:
        ok = {"search": 200, "booking": 201, "message": 302, "confirm": 200, "cancel": 200}
        with self.lock:
            return {kind: self.statuses[kind][status] for kind, status in ok.items()}

    def figures(self) -> dict:
        return {kind: dict(counts) for kind, counts in self.statuses.items()}


class ConversationSocket:
    """A conversation page's socket through HAProxy, reconnecting as the page does
    (core/static/js/conversation.js: after 0.5 s, doubling up to 30 s, with ?after=<last id>)
    and keeping every message it was sent (id → its HTML)."""

    def __init__(self, host: str, session: str, conversation: int):
        self.host, self.session, self.conversation = host, session, conversation
        self.messages: dict[int, str] = {}
        self.node = ""

    async def open(self):
        path = f"/ws/conversations/{self.conversation}/?after={max(self.messages, default=0)}"
        ws = await websockets.connect(
            f"ws://{self.host}:{ENV['LB_HTTP_PORT']}{path}", host="127.0.0.1",
            port=int(ENV["LB_HTTP_PORT"]), open_timeout=5,
            additional_headers={"Cookie": f"sessionid={self.session}"},
        )  # fmt: skip
        self.node = ws.response.headers.get("X-Served-By", "")
        while (frame := json.loads(await asyncio.wait_for(ws.recv(), 10)))["type"] != "ready":
            if frame["type"] == "message":
                self.messages[frame["id"]] = frame["html"]
        return ws

    async def reopen(self, give_up_s: float):
        """After the socket was lost: (seconds until caught up again, attempts, the socket)."""
        started, wait, attempts = time.monotonic(), 0.5, 0
        while time.monotonic() - started < give_up_s:
            await asyncio.sleep(wait)
            attempts += 1
            try:
                ws = await self.open()
            except (TimeoutError, OSError, websockets.WebSocketException):
                wait = min(wait * 2, 30)
                continue
            return time.monotonic() - started, attempts, ws
        raise TimeoutError("the conversation's socket did not come back")

    async def until(self, ws, text: str, timeout: float = 10) -> bool:
        """Whether a message with `text` has come (caught up, or live within `timeout`)."""
        deadline = time.monotonic() + timeout
        while not any(text in html for html in self.messages.values()):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            frame = json.loads(await asyncio.wait_for(ws.recv(), left))
            if frame["type"] == "message":
                self.messages[frame["id"]] = frame["html"]
        return True
