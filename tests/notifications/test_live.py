"""Notifications pushed live to the open pages of the person they are for, in their territory
only. Consumers close the database connection they use: the data here is committed outside a
test transaction and removed afterwards."""

from channels.testing import WebsocketCommunicator
from django_tenants.utils import schema_context

from archipel.asgi import application
from core import presence
from notifications.models import Notification
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, book, tomorrow_at
from tests.websockets import in_db, run
from trips.services.rides import offer_publish


def test_live_notification_reaches_the_persons_open_pages_only(
    archipel, session_for, django_db_blocker
):
    alpha, beta = archipel["alpha"], archipel["beta"]
    schema = alpha.territory.schema_name
    with django_db_blocker.unblock():
        driver_key = session_for(alpha["driver"], schema)
        other_key = session_for(beta["driver"], beta.territory.schema_name)

    def socket(host, key):
        headers = [(b"host", host.encode()), (b"origin", f"http://{host}".encode())]
        headers.append((b"cookie", f"sessionid={key}".encode()))
        return WebsocketCommunicator(application, "/ws/presence/", headers=headers)

    created = {}

    def publish_and_book():
        with django_db_blocker.unblock(), schema_context(schema):
            ride = offer_publish(
                driver=alpha["driver"],
                origin=ENCAMP,
                destination=ANDORRA_LA_VELLA,
                departure_at=tomorrow_at(11),
            )
            created["ride"] = ride
            created["booking"] = book(ride, alpha["citizen"])

    async def scenario():
        import asyncio

        mine, theirs = socket(alpha.host, driver_key), socket(beta.host, other_key)
        assert (await mine.connect(timeout=5))[0] and (await theirs.connect(timeout=5))[0]
        assert (await mine.receive_json_from(timeout=5))["type"] == "hello"
        assert (await theirs.receive_json_from(timeout=5))["type"] == "hello"
        assert presence.is_online(schema, alpha["driver"].pk)
        await asyncio.get_running_loop().run_in_executor(None, publish_and_book)
        event = await mine.receive_json_from(timeout=5)
        assert event["type"] == "notification" and event["kind"] == "booking_requested"
        assert event["unread"] >= 1 and "Nouvelle demande" in event["text"]
        assert await theirs.receive_nothing(timeout=0.5)
        await mine.disconnect()
        await theirs.disconnect()

    try:
        with django_db_blocker.unblock():  # the consumers read sessions and memberships
            run(scenario)
        assert not presence.is_online(schema, alpha["driver"].pk)
    finally:

        def clean():
            Notification.objects.all().delete()
            if "booking" in created:
                created["booking"].delete()
            if "ride" in created:
                created["ride"].delete()

        in_db(django_db_blocker, schema, clean)
