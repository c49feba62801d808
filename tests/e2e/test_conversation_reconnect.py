"""The conversation page's socket, dropped: the page says so in its status line, reopens the
socket waiting longer each time, and catches up on what it missed, each message shown once.
The drop, the refused attempts and the repeated frames are Playwright's (page.route_web_socket
between the page and the real server): the product has no test hook."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from demo.seed import demo_email
from notifications.models import Notification
from tenants.models import Territory
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, tomorrow_at
from trips.services.bookings import booking_request
from trips.services.rides import offer_publish

from .conftest import axe_violations, screenshots, sign_in, territory_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

CONVERSATION_SOCKET = re.compile(r"/ws/conversations/\d+/")
STATUS_IS = "text => document.getElementById('message-status').textContent === text"
LOST = "Connexion en direct perdue\xa0: reconnexion en cours…"


@pytest.fixture(scope="module")
def booking(demo_server, django_db_blocker):
    """A pending booking on Encamp, committed before the test's transaction so that the server
    sees it (the admin drives, the data officer rides), removed afterwards."""
    people = get_user_model().objects
    with django_db_blocker.unblock():
        schema = Territory.objects.get(slug="encamp").schema_name
        with schema_context(schema):
            last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            ride = offer_publish(
                driver=people.get(email=demo_email("admin", "encamp")),
                origin=ENCAMP,
                destination=ANDORRA_LA_VELLA,
                departure_at=tomorrow_at(15),
            )
            booked = booking_request(
                offer_id=ride.pk,
                passenger=people.get(email=demo_email("data", "encamp")),
                pickup=ESCALDES,
                dropoff=ANDORRA_LA_VELLA,
            )
    yield booked
    with django_db_blocker.unblock(), schema_context(schema):
        booked.delete()  # its conversation and messages with it
        ride.delete()
        Notification.objects.filter(pk__gt=last).delete()


def send(page, text: str) -> None:
    page.fill("#message-body", text)
    page.get_by_role("button", name="Envoyer").click()


def test_a_dropped_socket_comes_back_and_shows_what_was_missed_once(browser, demo_server, booking):
    path = territory_url(demo_server, "encamp", f"/bookings/{booking.pk}/conversation/")
    passenger = browser.new_context(locale="fr-FR").new_page()
    passenger.set_default_timeout(10_000)
    sign_in(passenger, demo_server, "encamp", demo_email("data", "encamp"))
    link = {"down": False, "servers": [], "urls": [], "refused": []}

    def route(ws):
        link["urls"].append(ws.url)
        if link["down"]:  # the live service still out of reach: closed at once
            link["refused"].append(time.monotonic())
            ws.close(code=1011, reason="down")
            return
        server = ws.connect_to_server()
        if link["servers"]:  # back: every frame twice, as a catch-up repeating what was shown
            server.on_message(lambda frame: (ws.send(frame), ws.send(frame)))
        link["servers"].append(server)

    passenger.route_web_socket(CONVERSATION_SOCKET, route)
    passenger.goto(path)
    driver = browser.new_context(locale="fr-FR").new_page()
    driver.set_default_timeout(10_000)
    sign_in(driver, demo_server, "encamp", demo_email("admin", "encamp"))
    driver.goto(path)
    driver.wait_for_timeout(500)  # both sockets open
    send(driver, "Bonjour, je passe par les Escaldes")
    passenger.wait_for_selector("#messages li:has-text('je passe par les Escaldes')")
    first = passenger.locator("#messages li").last.get_attribute("data-id")
    assert link["urls"][0].endswith("?after=0")  # no message on the page when it was loaded
    status = passenger.locator("#message-status")
    assert status.inner_text() == ""

    # The server side of the socket goes away, and stays away for a while.
    link["down"] = True
    dropped = time.monotonic()
    link["servers"][0].close()
    passenger.wait_for_function(STATUS_IS, arg=LOST)
    send(driver, "Je pars à 15 h, attendez-moi devant la poste")
    driver.wait_for_selector("#messages li:has-text('devant la poste')")
    passenger.wait_for_timeout(300)
    assert passenger.locator("#messages li:has-text('devant la poste')").count() == 0
    assert axe_violations(passenger) == []
    screenshots(passenger, "conversation-reconnecting")
    assert status.inner_text() == LOST  # still lost at both widths
    while len(link["refused"]) < 3:
        passenger.wait_for_timeout(100)
    # Waiting longer each time: about 0.5 s, then 1 s, then 2 s (never a tight loop).
    times = [dropped, *link["refused"][:3]]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert gaps[0] >= 0.4 and gaps[1] >= 0.8 and gaps[2] >= 1.6, gaps

    # Reachable again: the next attempt catches up, from the last message the page shows.
    link["down"] = False
    passenger.wait_for_selector("#messages li:has-text('devant la poste')", timeout=20_000)
    passenger.wait_for_function(STATUS_IS, arg="")
    assert link["urls"][-1].endswith(f"?after={first}")
    assert passenger.locator("#messages li:has-text('devant la poste')").count() == 1
    assert passenger.locator("#messages li").count() == 2
    assert "live-unavailable" not in (status.get_attribute("class") or "")

    # The reopened socket carries the page's messages again, without loading a page.
    send(passenger, "Parfait, à tout à l'heure")
    driver.wait_for_selector("#messages li:has-text('à tout à l')")
    passenger.wait_for_selector("#messages li:has-text('à tout à l')")
    passenger.wait_for_timeout(300)  # the repeated frame has arrived too
    assert passenger.locator("#messages li:has-text('à tout à l')").count() == 1
    assert passenger.url == path
    driver.context.close()
    passenger.context.close()
