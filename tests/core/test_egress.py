"""The guard of the calls the server makes to addresses a territory's admin typed
(core/egress.py): nothing to this machine or a private network, judged on the address the
connection is made to; https only in production; redirects not followed; answers bounded in
size and time.

Calls are made for real, to servers on 127.0.0.1. Addresses of other networks (10.x,
169.254.169.254) are judged without a call: a regression of the guard must never send a
packet off this machine. The calls below prove that the check runs before the connection,
on the address connected to."""

import contextlib
import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.core.exceptions import ValidationError
from django.test import override_settings

from core import egress
from tests.interop.loopback import serving

LOOPBACK_OFF = override_settings(EGRESS_ALLOW_LOOPBACK=False)


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "fe80::1", "fc00::1",
        "::ffff:10.0.0.1", "::ffff:169.254.169.254", "0.0.0.0", "::", "224.0.0.1",
        "ff02::1", "240.0.0.1", "255.255.255.255", "100.64.0.1", "fec0::1",
        "64:ff9b::a00:1", "2002:a00:1::1", "::127.0.0.1",
    ],
)  # fmt: skip
def test_addresses_of_other_networks_are_refused_even_with_loopback_allowed(address):
    with override_settings(EGRESS_ALLOW_LOOPBACK=True):
        assert egress.refusal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_is_refused_unless_the_setting_allows_it(address):
    with LOOPBACK_OFF:
        assert egress.refusal(ipaddress.ip_address(address)) == "loopback"
    with override_settings(EGRESS_ALLOW_LOOPBACK=True):
        assert egress.refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2a00:1450:4007:80f::200e"])
def test_public_addresses_pass(address):
    with LOOPBACK_OFF:
        assert egress.refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.1", "[::1]", "[::ffff:127.0.0.1]"])
def test_a_call_to_this_machine_is_refused_at_the_connection(host):
    """`localhost` and `127.1` are names: only their resolved address, the one the connection
    would be made to, says they are this machine."""
    with serving() as server, LOOPBACK_OFF:
        port = server.url.rsplit(":", 1)[1]
        with pytest.raises(egress.Refused, match="a loopback address"):
            egress.request("GET", f"http://{host}:{port}/journeys", timeout=2)
    assert server.seen == []


def test_the_unspecified_address_is_refused_even_with_loopback_allowed():
    # On Linux, a connection to 0.0.0.0 reaches this machine.
    with serving() as server:
        port = server.url.rsplit(":", 1)[1]
        with pytest.raises(egress.Refused, match="unspecified"):
            egress.request("GET", f"http://0.0.0.0:{port}/", timeout=2)
    assert server.seen == []


def test_a_real_loopback_server_is_called_when_the_setting_allows_it():
    with serving(lambda *_: (200, {"journeys": []})) as server:
        with override_settings(EGRESS_ALLOW_LOOPBACK=True):
            response = egress.request(
                "GET", f"{server.url}/journeys", params={"count": 3}, timeout=2,
                headers={"api_key": "k"},
            )  # fmt: skip
    assert response.status_code == 200 and response.json() == {"journeys": []}
    [seen] = server.seen
    assert seen.path == "/journeys" and seen.query == {"count": "3"}
    assert seen.headers["api_key"] == "k"


def test_plain_http_is_refused_when_https_only():
    with serving() as server, override_settings(EGRESS_HTTPS_ONLY=True):
        with pytest.raises(egress.Refused, match="only https://"):
            egress.request("GET", f"{server.url}/journeys", timeout=2)
        with pytest.raises(ValidationError) as refused:
            egress.url_validator(f"{server.url}/journeys")
    assert server.seen == []
    assert "https://" in refused.value.messages[0]


@contextlib.contextmanager
def answering(status=200, headers=(), chunks=(b"{}",), pause_s=0.0):
    """A server on loopback writing `chunks` one by one (`pause_s` between them), without a
    Content-Length unless `headers` has one: the body ends when the connection closes."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            seen.append(self.path)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for chunk in chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    time.sleep(pause_s)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_an_answer_over_the_limit_is_cut_off():
    with override_settings(EGRESS_MAX_RESPONSE_BYTES=10_000):
        # Announced too large: not read at all.
        with answering(headers=[("Content-Length", "20000")], chunks=[b"x" * 20_000]) as (url, _):
            with pytest.raises(egress.Refused, match="20000 bytes, over the limit of 10000"):
                egress.request("GET", url, timeout=2)
        # Not announced: read until the limit, then cut.
        with answering(chunks=[b"x" * 4096] * 10) as (url, _):
            with pytest.raises(egress.Refused, match="over the limit of 10000 bytes: cut off"):
                egress.request("GET", url, timeout=2)
        # Under the limit: read in full.
        with answering(chunks=[b"x" * 4096] * 2) as (url, _):
            assert len(egress.request("GET", url, timeout=2).content) == 8192


def test_an_answer_trickling_past_the_timeout_is_cut():
    """Each byte arrives within the read timeout; the whole answer does not."""
    with answering(chunks=[b"x"] * 30, pause_s=0.1) as (url, _):
        started = time.monotonic()
        with pytest.raises(requests.Timeout, match="more than 1 s"):
            egress.request("GET", url, timeout=1)
    assert time.monotonic() - started < 2


def test_a_redirect_is_not_followed():
    with serving() as elsewhere:
        with answering(status=302, headers=[("Location", f"{elsewhere.url}/x")]) as (url, _):
            with pytest.raises(egress.Refused, match="redirects are not followed"):
                egress.request("GET", url, timeout=2)
    assert elsewhere.seen == []


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 est une adresse"),
        ("https://10.1.2.3/api", "10.1.2.3 est une adresse"),
        ("https://[::1]/api", "Adresse non autorisée\u00a0: ::1 est une adresse"),
        ("https://localhost/api", "localhost mène à 127.0.0.1"),
    ],
)
def test_the_form_validator_names_the_address(url, named):
    with LOOPBACK_OFF, pytest.raises(ValidationError) as refused:
        egress.url_validator(url)
    assert named in refused.value.messages[0]


def test_the_form_validator_lets_public_and_unresolved_names_through():
    with LOOPBACK_OFF:
        egress.url_validator("https://93.184.216.34/api")
        egress.url_validator("https://api.partner.example/v1")  # not resolvable here
        egress.url_validator("not a url [")  # the URL field's own validator says so
