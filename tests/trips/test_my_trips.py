"""« My trips »: the rides a person drives and their bookings, in three groups (to come, past,
cancelled), each in time order and paged, in a fixed number of queries; the header's count of
what waits there."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.factories import book
from trips import my_trips
from trips.conversations import conversation_of
from trips.models import Booking, Message, Offer
from trips.services.bookings import booking_cancel, booking_decide


def copy(row, **changes):
    """Another row like `row` (an Offer or a Booking), with `changes`: no routing needed."""
    row = type(row).objects.get(pk=row.pk)
    row.pk = None
    for field, value in changes.items():
        setattr(row, field, value)
    row.save()
    return row


def ride_at(ride, at):
    return copy(ride, departure_at=at, seats_taken=0)


def booking_at(booking, offer, at, **changes):
    return copy(
        booking, offer=offer, pickup_at=at, dropoff_at=at + timedelta(minutes=20), **changes
    )


def cards(html: str) -> list[str]:
    """The titles of the list's cards, in order."""
    listed = html.split('class="trip-list"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r"<h3><a [^>]*>([^<]*)</a></h3>", listed)


def tabs(html: str) -> dict[str, int]:
    nav = html.split('class="trip-tabs"', 1)[1].split("</nav>", 1)[0]
    return {
        key: int(n)
        for key, n in re.findall(r'\?vue=([a-z-]+)"[^>]*>[^<]*<span class="badge">(\d+)', nav)
    }


@pytest.fixture
def history(ride, in_alpha):
    """Alpha's driver: the ride of tomorrow 08:00 (Encamp → Andorra la Vella), one in three
    days, one last week and one cancelled. Alpha's citizen: booked tomorrow's (pending), took
    last week's, and had a booking declined on the one in three days."""
    now = timezone.now()
    later = ride_at(ride, ride.departure_at + timedelta(days=2))
    Offer.objects.filter(pk=later.pk).update(origin_label="Canillo")
    last_week = ride_at(ride, now - timedelta(days=7))
    Offer.objects.filter(pk=last_week.pk).update(origin_label="Ordino")
    cancelled = ride_at(ride, now + timedelta(days=5))
    Offer.objects.filter(pk=cancelled.pk).update(origin_label="Soldeu", status="cancelled")
    pending = book(ride, in_alpha["citizen"])
    booking_at(
        pending, last_week, now - timedelta(days=7) + timedelta(minutes=5), status="accepted"
    )
    declined = booking_at(pending, later, later.departure_at + timedelta(minutes=5))
    booking_decide(declined, by=in_alpha["driver"], accept=False)
    return {"ride": ride, "later": later, "last_week": last_week, "pending": pending}


def test_each_group_holds_its_trips_in_the_order_a_person_expects(history, alpha):
    driver = alpha.client("driver")
    to_come = driver.get("/my-trips/").content.decode()
    assert tabs(to_come) == {"a-venir": 2, "passes": 1, "annules": 1}
    assert 'href="?vue=a-venir" aria-current="page"' in to_come
    assert "en attente de votre réponse" in to_come  # the driver's words
    assert cards(to_come) == [
        "Encamp → Andorra la Vella",  # tomorrow first
        "Canillo → Andorra la Vella",
    ]
    past = driver.get("/my-trips/?vue=passes").content.decode()
    assert cards(past) == ["Ordino → Andorra la Vella"]
    assert "Annuler ce trajet" not in past  # it has left
    assert cards(driver.get("/my-trips/?vue=annules").content.decode()) == [
        "Soldeu → Andorra la Vella"
    ]
    # The passenger: tomorrow's pending booking to come, last week's past, the declined one
    # with the cancelled.
    passenger = alpha.client("citizen")
    page = passenger.get("/my-trips/").content.decode()
    assert tabs(page) == {"a-venir": 1, "passes": 1, "annules": 1}
    assert "en attente du conducteur" in page and "Annuler ma réservation" in page
    cancelled = passenger.get("/my-trips/?vue=annules").content.decode()
    assert "refusée" in cancelled and "Annuler ma réservation" not in cancelled
    assert len(cards(cancelled)) == 1
    assert "Vous voyagez avec" in cancelled
    # An unknown group is the default one.
    assert tabs(passenger.get("/my-trips/?vue=nope").content.decode())["a-venir"] == 1


def test_past_trips_most_recent_first_and_paged_keeping_the_group(ride, in_alpha, alpha):
    now = timezone.now()
    for days in range(1, my_trips.PER_PAGE + 3):  # 12 past rides, 1 to 12 days ago
        offer = ride_at(ride, now - timedelta(days=days))
        Offer.objects.filter(pk=offer.pk).update(origin_label=f"Il y a {days} jours")
    driver = alpha.client("driver")
    first = driver.get("/my-trips/?vue=passes").content.decode()
    assert cards(first)[:2] == [
        "Il y a 1 jours → Andorra la Vella",
        "Il y a 2 jours → Andorra la Vella",
    ]
    assert len(cards(first)) == my_trips.PER_PAGE
    assert "Page 1 sur 2" in first
    assert 'href="?vue=passes&amp;page=2"' in first  # the pager keeps the group
    second = driver.get("/my-trips/?vue=passes&page=2").content.decode()
    assert cards(second) == [
        "Il y a 11 jours → Andorra la Vella",
        "Il y a 12 jours → Andorra la Vella",
    ]


def test_the_number_of_queries_does_not_grow_with_the_rides(ride, in_alpha, alpha):
    """Each card's bookings, passengers, driver and unread messages come with the page."""
    driver, passenger = in_alpha["driver"], in_alpha["citizen"]
    client = alpha.client("driver")
    other = alpha.client("citizen")

    def add(n: int) -> None:
        for _ in range(n):
            start = ride.departure_at + timedelta(days=Offer.objects.count())
            offer = ride_at(ride, start)
            booking = book(offer, passenger)
            Message.objects.create(
                conversation=conversation_of(booking), author=passenger, body="?"
            )
            mine = ride_at(ride, start + timedelta(hours=3))
            Offer.objects.filter(pk=mine.pk).update(driver=passenger)
            theirs = book(mine, driver)
            Message.objects.create(conversation=conversation_of(theirs), author=passenger, body="!")

    def queries(client) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get("/my-trips/").status_code == 200
        return len(seen)

    add(1)
    few = queries(client), queries(other)
    add(4)
    assert (queries(client), queries(other)) == few
    page = client.get("/my-trips/").content.decode()
    # Each conversation's unread message is marked on its card (all but `ride`'s, unbooked).
    assert page.count('unread-count">1 non lu</span>') == len(cards(page)) - 1 == 9


class Disclosures(HTMLParser):
    """Every field named `reason`, and whether it sits inside a <details>."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.reasons: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag == "details":
            self.depth += 1
        if dict(attrs).get("name") == "reason":
            self.reasons.append(self.depth > 0)

    def handle_endtag(self, tag):
        if tag == "details":
            self.depth -= 1


def test_the_reason_field_is_only_inside_the_confirm_disclosure(history, alpha):
    for role in ("driver", "citizen"):
        found = Disclosures()
        found.feed(alpha.client(role).get("/my-trips/").content.decode())
        assert found.reasons and all(found.reasons), role


def test_the_header_counts_what_waits_on_my_trips(ride, in_alpha, alpha):
    """The badge beside « My trips »: requests to answer on rides to come, plus unread
    messages about bookings; said in words (« à traiter »), and the page says what they are."""
    driver = in_alpha["driver"]
    pending = book(ride, in_alpha["citizen"])
    old = ride_at(ride, timezone.now() - timedelta(days=2))
    booking_at(pending, old, old.departure_at + timedelta(minutes=5))  # too late to answer
    Message.objects.create(
        conversation=conversation_of(pending), author=in_alpha["citizen"], body="Bonjour"
    )
    assert my_trips.to_handle(driver).requests == 1
    page = alpha.client("driver").get("/my-trips/").content.decode().replace("\xa0", " ")
    badge = re.search(r'id="unread-badge"[^>]*>(.*?)</span></span>', page, re.S)
    assert 'data-count="2"' in badge.group(0)
    assert re.sub(r"<[^>]+>|\s+", " ", badge.group(1)).split() == ["2", "à", "traiter"]
    assert "1 demande de réservation à laquelle répondre, dans « À venir »" in page
    assert "1 message non lu" in page
    # Answering the request and reading the message: nothing waits any more.
    booking_decide(pending, by=driver, accept=True)
    alpha.client("driver").get(f"/bookings/{pending.pk}/conversation/")
    page = alpha.client("driver").get("/my-trips/").content.decode()
    assert 'id="unread-badge" class="badge" hidden data-count="0"' in page
    assert "Ce qui vous attend" not in page


def test_a_cancelled_booking_shows_its_reason_with_the_cancelled(ride, in_alpha, alpha):
    booking = book(ride, in_alpha["citizen"])
    booking_cancel(booking, by=in_alpha["citizen"], reason="Plus besoin")
    page = alpha.client("driver").get("/my-trips/?vue=annules").content.decode()
    assert cards(page) == []  # the ride itself is still on
    passenger = alpha.client("citizen").get("/my-trips/?vue=annules").content.decode()
    assert "Motif : Plus besoin" in passenger.replace("\xa0", " ")


def test_a_done_ride_waits_for_its_confirmation_in_the_past(done, alpha):
    page = alpha.client("citizen").get("/my-trips/?vue=passes").content.decode()
    assert "Confirmer que le trajet a eu lieu" in page
    with schema_context(alpha.territory.schema_name):
        assert Booking.objects.get(pk=done.pk).status == "accepted"


def test_counts_are_three_queries(history, in_alpha):
    with CaptureQueriesContext(connection) as seen:
        found = my_trips.counts(in_alpha["citizen"])
    assert found == {"a-venir": 1, "passes": 1, "annules": 1} and len(seen) == 3
