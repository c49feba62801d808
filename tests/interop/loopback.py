"""A real HTTP server on loopback standing for a partner platform: it records what it is
sent and answers with what `reply(method, path, query, body)` returns — (status, JSON body),
optionally after a delay — so tests exercise the real HTTP clients, timeouts included."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict
    body: object
    headers: dict


@dataclass
class Loopback:
    url: str
    seen: list[Seen] = field(default_factory=list)
    delay_s: float = 0.0


def _ok(method, path, query, body):
    return 200, {}


@contextlib.contextmanager
def serving(reply=_ok):
    state = Loopback(url="")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            state.seen.append(Seen(self.command, parts.path, query, body, dict(self.headers)))
            if state.delay_s:
                time.sleep(state.delay_s)
            status, answer = reply(self.command, parts.path, query, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _answer  # noqa: N815 - the http.server API

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
