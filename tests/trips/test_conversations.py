"""Conversations over websockets: only the booking's driver and passenger get in, messages are
delivered to both, HTML-escaped, size- and rate-limited, and errors keep the socket usable.

Consumers close the database connection they use (channels does, after each call): the data
these tests need is therefore committed, outside a test transaction, and removed afterwards."""

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.cache import cache
from django_tenants.utils import schema_context
from redis import Redis

from archipel.asgi import application
from core.websocket import CLOSE_NOT_PARTICIPANT, CLOSE_UNAUTHENTICATED
from notifications.models import Delivery, Notification
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, book, tomorrow_at
from tests.websockets import handshake, in_db, run
from trips.conversations import CATCH_UP, conversation_of, unread, unread_total
from trips.models import Booking, Message, ReadMark
from trips.services.rides import offer_publish


@pytest.fixture
def committed(archipel, django_db_blocker):
    """A booking of Alpha's citizen on Alpha's driver's ride, and its conversation."""
    alpha = archipel["alpha"]
    schema = alpha.territory.schema_name
    with django_db_blocker.unblock():
        with schema_context(schema):
            last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            ride = offer_publish(
                driver=alpha["driver"],
                origin=ENCAMP,
                destination=ANDORRA_LA_VELLA,
                departure_at=tomorrow_at(10),
            )
            booking = book(ride, alpha["citizen"], pickup=ESCALDES, dropoff=ANDORRA_LA_VELLA)
            conversation = conversation_of(booking)
        try:
            yield archipel, conversation
        finally:
            with schema_context(schema):
                Message.objects.filter(conversation=conversation).delete()
                ReadMark.objects.filter(conversation=conversation).delete()
                conversation.delete()
                booking.delete()
                ride.delete()
                # What the booking told people: later tests count the feed and the outbox.
                Notification.objects.filter(pk__gt=last).delete()
                Delivery.objects.all().delete()
            cache.clear()


async def open_socket(host, pk, key=None, after=None):
    headers = [(b"host", host.encode()), (b"origin", f"http://{host}".encode())]
    if key:
        headers.append((b"cookie", f"sessionid={key}".encode()))
    path = f"/ws/conversations/{pk}/" + ("" if after is None else f"?after={after}")
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await handshake(socket)
    return socket, connected, code


def test_both_participants_receive_the_message_escaped(
    committed,
    session_for,
    django_db_blocker,
):
    archipel, talk = committed
    alpha = archipel["alpha"]
    schema = alpha.territory.schema_name
    with django_db_blocker.unblock():
        driver_key = session_for(alpha["driver"], schema)
        passenger_key = session_for(alpha["citizen"], schema)

    async def scenario():
        driver, ok1, _ = await open_socket(alpha.host, talk.pk, driver_key)
        passenger, ok2, _ = await open_socket(alpha.host, talk.pk, passenger_key)
        # The driver's other pages (their presence socket) hear of it for the header.
        headers = [(b"host", alpha.host.encode()), (b"origin", f"http://{alpha.host}".encode())]
        headers.append((b"cookie", f"sessionid={driver_key}".encode()))
        elsewhere = WebsocketCommunicator(application, "/ws/presence/", headers=headers)
        assert ok1 and ok2 and (await handshake(elsewhere))[0]
        assert (await elsewhere.receive_json_from(timeout=5))["type"] == "hello"
        await passenger.send_json_to({"type": "message", "body": "À 8h <b>devant</b> la poste"})
        for socket in (driver, passenger):
            event = await socket.receive_json_from(timeout=5)
            assert event["type"] == "message" and event["author_id"] == alpha["citizen"].pk
            assert "&lt;b&gt;devant&lt;/b&gt;" in event["html"] and "<b>" not in event["html"]
        # About a booking: « My trips » counts it (a solidarity conversation's is not).
        event = await elsewhere.receive_json_from(timeout=5)
        assert event == {"type": "unread", "conversation": talk.pk, "trip": True}
        await elsewhere.disconnect()
        await driver.disconnect()
        await passenger.disconnect()

    run(scenario)

    def stored():
        assert Message.objects.get(conversation=talk).body == "À 8h <b>devant</b> la poste"
        # Both had the conversation open: the message counts as read for both.
        assert unread(talk, alpha["driver"]) == 0 and unread(talk, alpha["citizen"]) == 0

    in_db(django_db_blocker, schema, stored)


def test_a_message_posted_by_the_page_form_reaches_the_open_pages_live(
    committed, session_for, django_db_blocker
):
    """Without JavaScript, or while one's own socket is down, a message goes by the page's
    form: the other participant's open page gets it at once, as from a socket, and their
    other pages hear of an unread message."""
    archipel, talk = committed
    alpha = archipel["alpha"]
    schema = alpha.territory.schema_name
    with django_db_blocker.unblock():
        passenger_key = session_for(alpha["citizen"], schema)
        driver_page = alpha.client("driver")
    headers = [(b"host", alpha.host.encode()), (b"origin", f"http://{alpha.host}".encode())]
    headers.append((b"cookie", f"sessionid={passenger_key}".encode()))

    def post():
        with django_db_blocker.unblock():
            path = f"/bookings/{talk.booking_id}/conversation/"
            return driver_page.post(path, {"body": "Par le <b>formulaire</b>"})

    async def scenario():
        passenger, connected, _ = await open_socket(alpha.host, talk.pk, passenger_key)
        elsewhere = WebsocketCommunicator(application, "/ws/presence/", headers=headers)
        assert connected and (await handshake(elsewhere))[0]
        assert (await elsewhere.receive_json_from(timeout=5))["type"] == "hello"
        response = await sync_to_async(post)()
        live = await passenger.receive_json_from(timeout=5)
        unread_news = await elsewhere.receive_json_from(timeout=5)
        await passenger.disconnect()
        await elsewhere.disconnect()
        return response, live, unread_news

    response, live, unread_news = run(scenario)
    assert response.status_code == 302
    assert live["type"] == "message" and live["author_id"] == alpha["driver"].pk
    assert live["html"] == "<p>Par le &lt;b&gt;formulaire&lt;/b&gt;</p>"
    assert unread_news == {"type": "unread", "conversation": talk.pk, "trip": True}


def test_others_are_closed_before_anything_is_sent(
    committed,
    session_for,
    django_db_blocker,
):
    archipel, talk = committed
    alpha, beta = archipel["alpha"], archipel["beta"]

    async def code_of(host, key):
        socket, connected, code = await open_socket(host, talk.pk, key)
        assert not connected
        return code

    with django_db_blocker.unblock():
        stranger = session_for(alpha["operator"], alpha.territory.schema_name)
        other_territory = session_for(beta["driver"], beta.territory.schema_name)
    assert run(lambda: code_of(alpha.host, stranger)) == CLOSE_NOT_PARTICIPANT
    assert run(lambda: code_of(beta.host, other_territory)) == CLOSE_NOT_PARTICIPANT
    assert run(lambda: code_of(alpha.host, None)) == CLOSE_UNAUTHENTICATED


def test_bad_messages_get_an_error_frame_and_the_socket_stays_usable(
    committed, session_for, django_db_blocker
):
    archipel, talk = committed
    alpha = archipel["alpha"]
    with django_db_blocker.unblock():
        key = session_for(alpha["driver"], alpha.territory.schema_name)

    async def scenario():
        socket, connected, _ = await open_socket(alpha.host, talk.pk, key)
        assert connected
        for bad in ({"type": "message", "body": "   "}, {"type": "message", "body": "x" * 2001},
                    {"type": "typing"}, {"type": "message", "body": 42}):  # fmt: skip
            await socket.send_json_to(bad)
            assert (await socket.receive_json_from(timeout=5))["type"] == "error"
        replies = []
        for n in range(11):  # the 11th within the window is refused
            await socket.send_json_to({"type": "message", "body": f"message {n}"})
            replies.append((await socket.receive_json_from(timeout=5))["type"])
        assert replies == ["message"] * 10 + ["error"]
        await socket.disconnect()

    run(scenario)
    count = in_db(
        django_db_blocker,
        alpha.territory.schema_name,
        lambda: Message.objects.filter(conversation=talk).count(),
    )
    assert count == 10


def test_conversation_page_for_the_two_participants_only(ride, in_alpha, alpha, beta):
    booking = book(ride, in_alpha["citizen"], pickup=ESCALDES, dropoff=ANDORRA_LA_VELLA)
    in_alpha["driver"].phone = "+33601020304"
    in_alpha["driver"].save()
    path = f"/bookings/{booking.pk}/conversation/"
    passenger = alpha.client("citizen")
    page = passenger.get(path).content.decode()
    assert "+33601020304" not in page and "une fois la réservation acceptée" in page
    assert passenger.post(path, {"body": "Bonjour <script>"}).status_code == 302
    assert passenger.post(path, {"body": "  "}).status_code == 400
    driver = alpha.client("driver")
    header = driver.get("/my-trips/").content.decode()
    # « My trips » in the header: the request to answer and the unread message.
    assert 'id="unread-badge" class="badge" data-count="2"' in header
    with schema_context(alpha.territory.schema_name):
        assert unread_total(in_alpha["driver"]) == 1
    driver_page = driver.get(path).content.decode()
    assert "Bonjour &lt;script&gt;" in driver_page
    header = driver.get("/my-trips/").content.decode()
    assert 'id="unread-badge" class="badge" data-count="1"' in header  # the request is left
    assert alpha.client("operator").get(path).status_code == 404
    assert beta.client("citizen").get(path).status_code == 404
    with schema_context(alpha.territory.schema_name):
        Booking.objects.filter(pk=booking.pk).update(status="accepted")
    assert "+33601020304" in passenger.get(path).content.decode()


def test_message_counter_always_expires():
    """Regression (found by bench/realtime.py): the counter was created, then incremented in a
    second call; when the key expired in between, Redis recreated it without expiry and the
    person was refused messages for good. Count and expiry are now set together, and a key
    left without expiry gets one at the next message."""
    from core import ratelimit
    from core.presence import key_prefix, redis_client

    key = f"{key_prefix()}:rate:messages-test"
    redis_client().set(key, 10)  # as the race left it: counted, no expiry
    assert ratelimit.hit("messages-test", 20) == 11
    assert 0 < redis_client().ttl(key) <= 20
    redis_client().delete(key)
    assert [ratelimit.hit("messages-test", 20) for _ in range(3)] == [1, 2, 3]
    assert 0 < redis_client().ttl(key) <= 20


def test_a_message_over_2000_characters_is_refused_not_cut(ride, in_alpha, alpha):
    booking = book(ride, in_alpha["citizen"], pickup=ESCALDES, dropoff=ANDORRA_LA_VELLA)
    path = f"/bookings/{booking.pk}/conversation/"
    passenger = alpha.client("citizen")
    page = passenger.get(path).content.decode()
    assert 'maxlength="2000"' in page
    assert "2\xa0000 caractères restants" in page  # the counter under the field
    assert 'aria-describedby="id_body_helptext"' in page
    response = passenger.post(path, {"body": "x" * 2001})
    assert response.status_code == 400
    page = response.content.decode()
    assert "2\xa0000 caractères au plus" in page and "2\xa0001" in page
    assert 'href="#message-body"' in page  # the error summary links to the field
    assert "x" * 2001 in page  # given back to the person, not lost
    with schema_context(alpha.territory.schema_name):
        assert not Message.objects.exists()


def written(django_db_blocker, schema, talk, authors):
    """Messages stored as if posted while a page was away (authors in turn), their ids in order."""

    def write():
        return [
            Message.objects.create(conversation=talk, author=author, body=f"message {n}").pk
            for n, author in enumerate(authors)
        ]

    return in_db(django_db_blocker, schema, write)


async def frames_until_ready(socket) -> list[dict]:
    """The catch-up's frames up to its `ready` frame (excluded)."""
    frames = []
    while (frame := await socket.receive_json_from(timeout=5))["type"] != "ready":
        frames.append(frame)
    return frames


def test_a_socket_joining_after_an_id_gets_what_followed_in_order_then_ready(
    committed, session_for, django_db_blocker
):
    archipel, talk = committed
    alpha = archipel["alpha"]
    schema = alpha.territory.schema_name
    driver, citizen = alpha["driver"], alpha["citizen"]
    ids = written(django_db_blocker, schema, talk, [driver, citizen, driver, driver, citizen])

    def another_conversation():
        # Another booking's conversation on the same ride, whose messages come later: the
        # catch-up reads the socket's own conversation only.
        other = conversation_of(book(talk.booking.offer, alpha["volunteer"]))
        Message.objects.create(conversation=other, author=driver, body="pour quelqu'un d'autre")
        return other

    other = in_db(django_db_blocker, schema, another_conversation)
    with django_db_blocker.unblock():
        key = session_for(citizen, schema)

    async def scenario():
        socket, connected, _ = await open_socket(alpha.host, talk.pk, key, after=ids[1])
        assert connected
        missed = await frames_until_ready(socket)
        assert await socket.receive_nothing(timeout=0.3)
        # Live messages still come after the catch-up, on the same socket.
        await socket.send_json_to({"type": "message", "body": "me revoilà"})
        live = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return missed, live

    try:
        missed, live = run(scenario)
        assert [frame["id"] for frame in missed] == ids[2:]
        assert [frame["type"] for frame in missed] == ["message"] * 3
        assert missed[0]["html"] == "<p>message 2</p>" and missed[0]["author_id"] == driver.pk
        assert live["type"] == "message" and live["id"] > ids[-1]

        def read():  # shown on the page, so read: the citizen has nothing left unread here
            assert unread(talk, citizen) == 0

        in_db(django_db_blocker, schema, read)
    finally:

        def remove():
            Message.objects.filter(conversation=other).delete()
            booking = other.booking
            other.delete()
            booking.delete()

        in_db(django_db_blocker, schema, remove)


def test_the_catch_up_sends_the_last_messages_only(committed, session_for, django_db_blocker):
    archipel, talk = committed
    alpha = archipel["alpha"]
    schema = alpha.territory.schema_name
    ids = written(django_db_blocker, schema, talk, [alpha["driver"]] * (CATCH_UP + 5))
    with django_db_blocker.unblock():
        key = session_for(alpha["citizen"], schema)

    async def scenario():
        socket, connected, _ = await open_socket(alpha.host, talk.pk, key, after=0)
        assert connected
        missed = await frames_until_ready(socket)
        await socket.disconnect()
        return [frame["id"] for frame in missed]

    assert CATCH_UP == 200
    assert run(scenario) == ids[-CATCH_UP:]  # the newest 200, oldest first


@pytest.mark.parametrize(
    ("after", "caught_up"),
    [
        ("abc", None),  # not a number: ignored, the socket works as without it
        ("1.5", None),
        ("1e3", None),
        ("", None),
        ("%00", None),
        ("%EF%BC%91", None),  # a full-width digit one: not a decimal number here
        ("-3", "all"),  # clamped to 0
        ("99999999999999999999999999", "none"),  # above any id: clamped, nothing to send
        ("9" * 5000, "none"),  # longer than Python turns into an int by default
        ("9223372036854775807", "none"),  # the largest id
    ],
)
def test_a_bad_after_value_is_harmless(committed, session_for, django_db_blocker, after, caught_up):
    archipel, talk = committed
    alpha = archipel["alpha"]
    schema = alpha.territory.schema_name
    ids = written(django_db_blocker, schema, talk, [alpha["driver"], alpha["citizen"]])
    with django_db_blocker.unblock():
        key = session_for(alpha["citizen"], schema)

    async def scenario():
        socket, connected, code = await open_socket(alpha.host, talk.pk, key, after=after)
        assert connected, code
        missed = None if caught_up is None else await frames_until_ready(socket)
        assert await socket.receive_nothing(timeout=0.3)  # no ready without a valid `after`
        await socket.send_json_to({"type": "message", "body": "toujours là"})
        frame = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return missed, frame

    missed, frame = run(scenario)
    expected = {None: None, "all": ids, "none": []}[caught_up]
    assert (missed if missed is None else [event["id"] for event in missed]) == expected
    assert frame["type"] == "message" and frame["html"] == "<p>toujours là</p>"


def test_catching_up_is_for_participants_only(committed, session_for, django_db_blocker):
    """A stranger of the territory, a member of another territory and an anonymous visitor
    asking to catch up from 0 are closed before anything is sent."""
    archipel, talk = committed
    alpha, beta = archipel["alpha"], archipel["beta"]
    written(django_db_blocker, alpha.territory.schema_name, talk, [alpha["driver"]])
    with django_db_blocker.unblock():
        stranger = session_for(alpha["operator"], alpha.territory.schema_name)
        other_territory = session_for(beta["driver"], beta.territory.schema_name)

    async def code_of(host, key):
        socket, connected, code = await open_socket(host, talk.pk, key, after=0)
        assert not connected  # handshake(): the first frame after the accept is the close
        return code

    assert run(lambda: code_of(alpha.host, stranger)) == CLOSE_NOT_PARTICIPANT
    assert run(lambda: code_of(beta.host, other_territory)) == CLOSE_NOT_PARTICIPANT
    assert run(lambda: code_of(alpha.host, None)) == CLOSE_UNAUTHENTICATED


async def subscriber_connection_killed() -> None:
    """Redis closes this process's pub/sub connection (as when the master it was on is lost):
    the channel layer reconnects and subscribes again."""
    layer = get_channel_layer()
    connection = layer._get_layer()._shards[0]._pubsub.connection
    host, port = connection._writer.get_extra_info("sockname")[:2]
    redis = Redis.from_url(settings.TEST_REDIS_URL)
    try:
        ours = [c for c in redis.client_list(_type="pubsub") if c["addr"] == f"{host}:{port}"]
        assert len(ours) == 1, "the layer's subscriber connection was not found"
        redis.client_kill_filter(_id=ours[0]["id"])
    finally:
        redis.close()


def test_a_message_lost_while_redis_was_away_reaches_the_open_page_when_it_is_back(
    committed, session_for, django_db_blocker
):
    """Redis pub/sub keeps nothing: a message whose live event was published while this
    process's subscription was away (a Redis switch) never comes live. Once the layer is
    subscribed again, the open page gets it from the database — and not again what it has."""
    archipel, talk = committed
    alpha = archipel["alpha"]
    schema = alpha.territory.schema_name
    with django_db_blocker.unblock():
        key = session_for(alpha["citizen"], schema)

    async def scenario():
        socket, connected, _ = await open_socket(alpha.host, talk.pk, key, after=0)
        assert connected and await frames_until_ready(socket) == []
        await socket.send_json_to({"type": "message", "body": "avant la coupure"})
        shown = await socket.receive_json_from(timeout=5)
        (missed,) = await sync_to_async(written)(django_db_blocker, schema, talk, [alpha["driver"]])
        assert await socket.receive_nothing(timeout=0.3)  # stored, its live event lost
        await subscriber_connection_killed()
        caught_up = await socket.receive_json_from(timeout=10)
        assert await socket.receive_nothing(timeout=0.5)
        await socket.send_json_to({"type": "message", "body": "après la coupure"})
        live = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return shown, missed, caught_up, live

    shown, missed, caught_up, live = run(scenario)
    assert caught_up["type"] == "message" and caught_up["id"] == missed > shown["id"]
    assert caught_up["html"] == "<p>message 0</p>"
    assert live["html"] == "<p>après la coupure</p>"  # subscribed again: live as before
