"""Websockets through the real server (uvicorn), as a browser or a script meets them: the
refusal codes of docs/realtime.md arrive as close codes, and bad frames leave the socket
open."""

import socket

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.sessions.models import Session
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from core.websocket import (
    CLOSE_NOT_MEMBER,
    CLOSE_UNAUTHENTICATED,
    CLOSE_UNKNOWN_TERRITORY,
    person_group,
)
from tests.servers import uvicorn


@pytest.fixture(scope="module")
def server(archipel, tmp_path_factory):
    with uvicorn(tmp_path_factory.mktemp("ws") / "server.log") as port:
        yield port


@pytest.fixture
def committed_session(archipel, session_for, django_db_blocker):
    keys = []

    def make(user, schema):
        with django_db_blocker.unblock():
            keys.append(session_for(user, schema))
        return keys[-1]

    yield make
    with django_db_blocker.unblock():
        Session.objects.filter(session_key__in=keys).delete()


def open_socket(port, host, key=None):
    """The territory's own address (Host and Origin as a browser sends them), connected to
    the loopback server."""
    headers = {"Origin": f"http://{host}:{port}"}
    if key:
        headers["Cookie"] = f"sessionid={key}"
    return connect(f"ws://{host}:{port}/ws/presence/", additional_headers=headers,
                   sock=socket.create_connection(("127.0.0.1", port)), open_timeout=10)


def close_code(port, host, key=None) -> int:
    with open_socket(port, host, key) as socket:
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=5)
        return socket.close_code


def test_refusals_reach_the_client_as_the_documented_close_codes(
    server, archipel, committed_session
):
    alpha, beta = archipel["alpha"], archipel["beta"]
    assert close_code(server, "nowhere.localhost") == CLOSE_UNKNOWN_TERRITORY
    assert close_code(server, alpha.host) == CLOSE_UNAUTHENTICATED
    on_beta = committed_session(alpha["admin"], beta.territory.schema_name)
    assert close_code(server, beta.host, on_beta) == CLOSE_NOT_MEMBER


def test_bad_frames_through_the_server_get_error_frames(server, archipel, committed_session):
    alpha = archipel["alpha"]
    person = alpha["citizen"]
    key = committed_session(person, alpha.territory.schema_name)
    with open_socket(server, alpha.host, key) as socket:
        assert '"hello"' in socket.recv(timeout=5)
        for frame in ("not json", b"\x00\x01", '"\\ud800"', "[" * 100 + "]" * 100):
            socket.send(frame)
            assert '"error"' in socket.recv(timeout=5)
        async_to_sync(get_channel_layer().group_send)(
            person_group(alpha.territory, person.pk),
            {"type": "person.event", "payload": {"type": "notification", "text": "ok"}},
        )
        assert '"notification"' in socket.recv(timeout=5)
