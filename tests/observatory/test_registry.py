"""Sending journeys to the national registry, against a local HTTP server that answers like
the registry (201, 400, 503): retries, rejections, nothing sent without configuration."""

import contextlib
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from django.utils import timezone

from observatory.models import RpcSubmission
from observatory.registry import MAX_ATTEMPTS, registry_send_due
from observatory.rpc import validate
from tests.factories import registry_journey
from tests.forms import VALID_APPEARANCE
from tests.interop.loopback import serving
from themes.selectors import settings_get


class Registry:
    """Answers POST /journeys with the scripted statuses, and keeps what it received."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received = []
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                registry.received.append((self.path, self.headers["Authorization"], body))
                status = registry.statuses.pop(0) if registry.statuses else 201
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"status": status}).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v3/journeys"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@contextlib.contextmanager
def answering_redirect(location: str):
    """A registry that moved: every POST is answered 302 to `location`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v3/journeys"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def registry(request):
    server = Registry(getattr(request, "param", []))
    yield server
    server.close()


def configure(url: str, token: str = "secret-token") -> None:
    current = settings_get()
    current.rpc_url, current.rpc_token = url, token
    current.save()


def test_nothing_is_sent_without_the_registry_settings(ride, in_alpha, registry):
    registry_journey(ride, in_alpha, {})
    assert registry_send_due() == {}
    assert registry.received == [] and not RpcSubmission.objects.exists()


@pytest.mark.parametrize("registry", [[503]], indirect=True)
def test_a_server_error_is_retried_later_then_sent(ride, in_alpha, registry):
    registry_journey(ride, in_alpha, {})
    configure(registry.url)
    now = timezone.now()
    assert registry_send_due(now) == {"sent": 0, "rejected": 0, "retry": 1}
    submission = RpcSubmission.objects.get()
    assert submission.status == "waiting" and submission.attempts == 1
    assert submission.next_attempt_at == now + timedelta(minutes=2)
    assert registry_send_due(now + timedelta(minutes=1))["retry"] == 0  # not due yet
    assert registry_send_due(now + timedelta(minutes=3))["sent"] == 1
    submission.refresh_from_db()
    assert submission.status == "sent" and submission.sent_at is not None
    path, authorization, body = registry.received[-1]
    assert path == "/v3/journeys" and authorization == "Bearer secret-token"
    assert validate(body) == []
    assert registry_send_due(now + timedelta(hours=1)) == {"sent": 0, "rejected": 0, "retry": 0}


@pytest.mark.parametrize("registry", [[400]], indirect=True)
def test_a_refusal_by_the_registry_is_kept_with_its_reason(ride, in_alpha, registry):
    registry_journey(ride, in_alpha, {})
    configure(registry.url)
    assert registry_send_due()["rejected"] == 1
    submission = RpcSubmission.objects.get()
    assert submission.status == "rejected" and submission.last_error.startswith("400")


def test_a_journey_without_identity_is_not_sent(ride, in_alpha, registry):
    registry_journey(ride, in_alpha, {})
    in_alpha["citizen"].phone = ""
    in_alpha["citizen"].save()
    configure(registry.url)
    assert registry_send_due()["rejected"] == 1
    assert "not sendable" in RpcSubmission.objects.get().last_error
    assert registry.received == []


def test_an_unreachable_registry_is_retried(ride, in_alpha):
    registry_journey(ride, in_alpha, {})
    configure("http://127.0.0.1:9/journeys")  # nothing listens there
    assert registry_send_due()["retry"] == 1
    assert RpcSubmission.objects.get().last_error.startswith("network")


def test_a_registry_url_leading_inside_is_never_called_and_retried(ride, in_alpha, registry):
    """core/egress.py at the call: a registry URL that leads to this machine (loopback not
    allowed, as in production) is not called; the submission waits for another try with the
    reason, as for an unreachable registry, and is rejected with it after the last try."""
    registry_journey(ride, in_alpha, {})
    configure(registry.url.replace("127.0.0.1", "localhost"))
    now = timezone.now()
    with override_settings(EGRESS_ALLOW_LOOPBACK=False):
        assert registry_send_due(now)["retry"] == 1
        submission = RpcSubmission.objects.get()
        assert submission.last_error.startswith("network: localhost leads to 127.0.0.1")
        RpcSubmission.objects.update(attempts=MAX_ATTEMPTS - 1)
        assert registry_send_due(now + timedelta(days=1))["rejected"] == 1
    submission.refresh_from_db()
    assert submission.status == "rejected" and "a loopback address" in submission.last_error
    assert registry.received == []


def test_a_registry_redirect_is_not_followed(ride, in_alpha, registry):
    registry_journey(ride, in_alpha, {})
    with serving(lambda *_: (200, {})) as elsewhere:
        with answering_redirect(f"{elsewhere.url}/v3/journeys") as url:
            configure(url)
            assert registry_send_due()["retry"] == 1
        assert elsewhere.seen == []
    assert "redirects are not followed" in RpcSubmission.objects.get().last_error


def test_the_settings_form_refuses_a_registry_url_inside(alpha):
    client = alpha.client("admin")
    form = {**VALID_APPEARANCE, "settings-rpc_url": "https://169.254.169.254/v3/journeys"}
    response = client.post("/manage/appearance/", {**form, "settings-rpc_token": "t0ken"})
    assert response.status_code == 400
    page = response.content.decode()
    field = page[page.index('id="id_settings-rpc_url_error"') :][:400]
    assert "Adresse non autorisée\u00a0: 169.254.169.254 est une adresse" in field, field


def test_the_token_is_never_shown_and_kept_when_left_empty(alpha):
    client = alpha.client("admin")
    form = {**VALID_APPEARANCE, "settings-rpc_url": "https://registry.example/v3/journeys"}
    assert (
        client.post("/manage/appearance/", {**form, "settings-rpc_token": "t0ken"}).status_code
        == 302
    )
    page = client.get("/manage/appearance/").content.decode()
    assert "t0ken" not in page
    assert client.post("/manage/appearance/", {**form, "settings-rpc_token": ""}).status_code == 302
    from django_tenants.utils import schema_context as in_schema

    with in_schema(alpha.territory.schema_name):
        assert settings_get().rpc_token == "t0ken"
