"""Websockets resolve the territory from the Host header and accept only its members.

The consumers' database calls run (thread-sensitive) on the test's own connection, so they see
the test's data."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from archipel.asgi import application
from core.websocket import (
    CLOSE_NOT_MEMBER,
    CLOSE_UNAUTHENTICATED,
    CLOSE_UNKNOWN_TERRITORY,
    person_group,
)
from tests.websockets import handshake

pytestmark = pytest.mark.django_db


async def connect(host: str, session_key: str | None = None, origin: str | None = None):
    headers = [(b"host", host.encode())]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    if origin:
        headers.append((b"origin", origin.encode()))
    communicator = WebsocketCommunicator(application, "/ws/presence/", headers=headers)
    connected, code = await handshake(communicator)
    return communicator, connected, code


def test_member_connects_and_receives_events_for_them_only(archipel, session_for):
    alpha = archipel["alpha"]
    person = alpha["citizen"]
    key = session_for(person, alpha.territory.schema_name)

    async def scenario():
        communicator, connected, _code = await connect(alpha.host, key, "http://alpha.localhost")
        assert connected
        hello = await communicator.receive_json_from(timeout=5)
        assert hello == {"type": "hello", "territory": "alpha", "roles": ["citizen"]}
        layer = get_channel_layer()
        await layer.group_send(
            person_group(alpha.territory, person.pk),
            {"type": "person.event", "payload": {"type": "notification", "text": "hi"}},
        )
        assert await communicator.receive_json_from(timeout=5) == {
            "type": "notification",
            "text": "hi",
        }
        # An event for the same person id in another territory's group never arrives here.
        await layer.group_send(
            person_group(archipel["beta"].territory, person.pk),
            {"type": "person.event", "payload": {"type": "notification", "text": "elsewhere"}},
        )
        assert await communicator.receive_nothing(timeout=0.5)
        await communicator.disconnect()

    async_to_sync(scenario)()


def refused_with(host: str, session_key: str | None = None, origin: str | None = None):
    """Connect, expecting a refusal; returns the close code."""

    async def scenario():
        _c, connected, code = await connect(host, session_key, origin)
        assert not connected
        return code

    return async_to_sync(scenario)()


def test_unknown_host_is_closed(archipel):
    assert refused_with("nowhere.localhost") == CLOSE_UNKNOWN_TERRITORY


def test_unauthenticated_is_closed(archipel):
    assert refused_with(archipel["alpha"].host) == CLOSE_UNAUTHENTICATED


def test_member_of_alpha_is_refused_on_beta(archipel, session_for):
    alpha, beta = archipel["alpha"], archipel["beta"]
    # Signed in on Beta (same credentials) but never joined it.
    key = session_for(alpha["admin"], beta.territory.schema_name)
    assert refused_with(beta.host, key) == CLOSE_NOT_MEMBER


def test_session_of_alpha_replayed_on_beta_is_unauthenticated(archipel, session_for):
    alpha, beta = archipel["alpha"], archipel["beta"]
    key = session_for(alpha["admin"], alpha.territory.schema_name)
    assert refused_with(beta.host, key) == CLOSE_UNAUTHENTICATED


def test_cross_site_origin_is_refused(archipel, session_for):
    alpha = archipel["alpha"]
    key = session_for(alpha["citizen"], alpha.territory.schema_name)
    assert refused_with(alpha.host, key, origin="https://evil.example") == CLOSE_UNKNOWN_TERRITORY


# Regression (as tests/tenants/test_hosts.py for HTTP): `ALPHA.localhost`, a trailing dot, a
# port or `www.` found no territory. Kept here, before the browser tests' event loop.
HOST_SPELLINGS = ["{host}", "{upper}", "{host}.", "{upper}.:8000", "www.{host}"]


@pytest.mark.parametrize("variant", HOST_SPELLINGS)
def test_websockets_find_the_territory_for_every_spelling_of_the_host(
    archipel, session_for, variant
):
    alpha = archipel["alpha"]
    key = session_for(alpha["citizen"], alpha.territory.schema_name)
    host = variant.format(host=alpha.host, upper=alpha.host.upper())

    async def scenario():
        communicator = WebsocketCommunicator(
            application,
            "/ws/presence/",
            headers=[
                (b"host", host.encode()),
                (b"cookie", f"sessionid={key}".encode()),
                (b"origin", f"http://{host}".encode()),
            ],
        )
        connected, _code = await communicator.connect(timeout=5)
        assert connected
        hello = await communicator.receive_json_from(timeout=5)
        assert hello["territory"] == "alpha"
        await communicator.disconnect()

    async_to_sync(scenario)()


# Regression: one bad frame killed the sender's socket with no close frame.
BAD_FRAMES = [
    {"text_data": "not json"},
    {"bytes_data": b"\x00\x01"},
    {"text_data": '{"type": "message", "body": "a\x00b"}'},  # raw NUL: not JSON
    {"text_data": '{"type": "message", "body": "a\\u0000b"}'},  # escaped NUL: unstorable
    {"text_data": '{"type": "message", "body": "\\ud800"}'},  # lone surrogate
    {"text_data": "[" * 100 + "]" * 100},  # deeper than the JSON reader allows
]


def test_bad_frames_get_an_error_frame_and_the_socket_stays_open(archipel, session_for):
    alpha = archipel["alpha"]
    person = alpha["citizen"]
    key = session_for(person, alpha.territory.schema_name)

    async def scenario():
        communicator, connected, _code = await connect(alpha.host, key, "http://alpha.localhost")
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
        for frame in BAD_FRAMES:
            await communicator.send_to(**frame)
            reply = await communicator.receive_json_from(timeout=5)
            assert reply["type"] == "error" and reply["error"], frame
        await get_channel_layer().group_send(
            person_group(alpha.territory, person.pk),
            {"type": "person.event", "payload": {"type": "notification", "text": "still here"}},
        )
        assert (await communicator.receive_json_from(timeout=5))["text"] == "still here"
        await communicator.disconnect()

    async_to_sync(scenario)()
