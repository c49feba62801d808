"""Redis unreachable: the real app under uvicorn, its Redis (cache, channel layer, broker,
presence, rate limits) on a closed port. Every kind of request gets the documented answer
(docs/operations.md) — a committed write answers what was committed, never a 500. The e-mails
of a booking made meanwhile leave at once (they need no Redis), its live pushes once Redis is
back, each once per outbox row, with the row's idempotency key."""

import asyncio
import re
from types import SimpleNamespace

import pytest
import requests
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django_tenants.utils import schema_context

from core.websocket import person_group
from interop.partners import partner_register
from notifications import outbox
from notifications.models import Delivery, Notification
from observatory.models import AccessLog
from observatory.services import token_create
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, PASSWORD, tomorrow_at
from tests.servers import closed_port, uvicorn
from tests.websockets import run
from trips.models import Booking, Offer
from trips.services.rides import offer_publish

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def no_redis(archipel, django_db_blocker, tmp_path_factory):
    """Alpha's data the server must see (committed), and the server without Redis."""
    alpha = archipel["alpha"]
    schema = alpha.territory.schema_name
    with django_db_blocker.unblock(), schema_context(schema):
        ride = offer_publish(driver=alpha["driver"], origin=ENCAMP, destination=ANDORRA_LA_VELLA,
                             departure_at=tomorrow_at(9), seats=3)  # fmt: skip
        partner, partner_key = partner_register(
            name="Faults", operator="faults.test", endpoints=["search"]
        )
        token, token_key = token_create(name="BI", by=alpha["data"])
        before = {model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                  for model in (Notification, AccessLog)}  # fmt: skip
    redis = f"redis://127.0.0.1:{closed_port()}/0"
    log = tmp_path_factory.mktemp("faults") / "server.log"
    mails = tmp_path_factory.mktemp("mail")
    try:
        env = {"REDIS_URL": redis, "TEST_REDIS_URL": redis, "EMAIL_FILE_PATH": str(mails)}
        with uvicorn(log, **env) as port:
            yield SimpleNamespace(
                url=f"http://127.0.0.1:{port}", alpha=alpha, ride=ride,
                partner_key=partner_key, token_key=token_key, mails=mails,
            )  # fmt: skip
    finally:
        with django_db_blocker.unblock(), schema_context(schema):
            Booking.objects.filter(offer=ride).delete()
            Offer.objects.filter(pk=ride.pk).delete()
            Delivery.objects.all().delete()
            for model, last in before.items():  # what the server wrote: feeds, access log
                model.objects.filter(pk__gt=last).delete()
            partner.delete()
            token.delete()


def signed_in(server, role: str) -> requests.Session:
    session = requests.Session()
    session.headers["Host"] = server.alpha.host
    page = session.get(f"{server.url}/accounts/login/", timeout=10)
    assert page.status_code == 200, page.text[:500]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{server.url}/accounts/login/",
        {"login": server.alpha.email(role), "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"http://{server.alpha.host}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


def api(session, server, method: str, path: str, body=None):
    return session.request(method, f"{server.url}/api/v1{path}", json=body, timeout=15)


def place(p):
    return {"lon": p.lon, "lat": p.lat, "label": p.label}


def test_pages_and_sign_in_work_without_redis(no_redis):
    home = requests.get(f"{no_redis.url}/", headers={"Host": no_redis.alpha.host}, timeout=10)
    assert home.status_code == 200
    citizen = signed_in(no_redis, "citizen")
    assert citizen.get(f"{no_redis.url}/my-trips/", timeout=10).status_code == 200


def test_a_booking_made_without_redis_is_told_once_redis_is_back(no_redis, django_db_blocker):
    alpha = no_redis.alpha
    with django_db_blocker.unblock(), schema_context(alpha.territory.schema_name):
        Delivery.objects.all().delete()  # earlier tests' committed rows
    citizen, driver = signed_in(no_redis, "citizen"), signed_in(no_redis, "driver")
    body = {"offer": no_redis.ride.pk, "pickup": place(ESCALDES),
            "dropoff": place(ANDORRA_LA_VELLA)}  # fmt: skip
    made = api(citizen, no_redis, "POST", "/bookings/", body)
    assert made.status_code == 201, made.text
    booking = made.json()["id"]
    accepted = api(driver, no_redis, "POST", f"/bookings/{booking}/accept/", {})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    cancelled = api(citizen, no_redis, "POST", f"/bookings/{booking}/cancel/", {})
    assert cancelled.status_code == 200, cancelled.text
    conversation = citizen.get(f"{no_redis.url}/bookings/{booking}/conversation/", timeout=10)
    assert conversation.status_code == 200

    with django_db_blocker.unblock(), schema_context(alpha.territory.schema_name):
        emails = list(Delivery.objects.filter(kind="email"))
        pushes = list(Delivery.objects.filter(kind="push"))
    # E-mails need no Redis: sent at once, each with its row's key as Message-ID.
    assert {row.payload["to"] for row in emails} == {alpha.email("driver"), alpha.email("citizen")}
    assert all(row.status == Delivery.Status.SENT for row in emails)
    sent = "".join(path.read_text() for path in no_redis.mails.iterdir())
    for row in emails:
        assert sent.count(f"Message-ID: <{row.key}@{alpha.host}>") == 1
    # Pushes wait in the outbox.
    assert pushes and all(row.status == Delivery.Status.PENDING for row in pushes)
    assert all(row.attempts == 1 and row.last_error for row in pushes)

    # Redis is back (this process's): the sweep delivers each push once, with its key, to the
    # pages open meanwhile (the channel layer is pub/sub: a page listens while it is open).
    layer = get_channel_layer()
    to_driver = [r for r in pushes if r.payload["user_id"] == alpha["driver"].pk]
    group = person_group(alpha.territory, alpha["driver"].pk)

    def sweep():
        with django_db_blocker.unblock(), schema_context(alpha.territory.schema_name):
            Delivery.objects.filter(kind="push").update(next_attempt_at=pushes[0].created_at)
            outbox.deliver_due()
            outbox.deliver_due()  # a second sweep sends nothing twice
            return Delivery.objects.exclude(status=Delivery.Status.SENT).exists()

    async def open_page_during_the_sweep() -> tuple[bool, list[dict]]:
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        left = await sync_to_async(sweep)()
        received = []
        while True:
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), 1))
            except TimeoutError:
                return left, received

    # On its own event loop: the browser tests keep one in this thread.
    left, received = run(open_page_during_the_sweep)
    assert not left
    keys = sorted(event["payload"]["event_id"] for event in received)
    assert keys == sorted(str(row.key) for row in to_driver)


def test_partner_and_observatory_apis_answer_without_redis(no_redis):
    host = {"Host": no_redis.alpha.host}
    search = requests.get(
        f"{no_redis.url}/interop/standard-covoiturage/v1/driver_journeys",
        params={"departureLat": ESCALDES.lat, "departureLng": ESCALDES.lon,
                "arrivalLat": ANDORRA_LA_VELLA.lat, "arrivalLng": ANDORRA_LA_VELLA.lon,
                "departureDate": int(tomorrow_at(9).timestamp())},
        headers={**host, "X-API-Key": no_redis.partner_key}, timeout=15,
    )  # fmt: skip
    assert search.status_code == 200, search.text
    data = requests.get(f"{no_redis.url}/api/v1/observatory/by_time/",
                        headers={**host, "Authorization": f"Bearer {no_redis.token_key}"},
                        timeout=15)  # fmt: skip
    assert data.status_code == 200, data.text


def test_readiness_names_redis(no_redis):
    ready = requests.get(f"{no_redis.url}/readyz", timeout=10)
    assert ready.status_code == 503 and ready.json()["redis"] == "unreachable"
    assert ready.json()["database"] == "ok"
