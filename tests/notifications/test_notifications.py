"""Notifications: a feed per person and territory (page, bell, API), pushed live to open
pages, e-mailed per the person's choices; departure reminders; e-mails for conversation
messages when the other side has no page open (batched)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core import presence
from notifications.models import Delivery, Kind, Notification
from notifications.outbox import deliver_due
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, book, tomorrow_at
from trips import conversations, reminders
from trips.services.bookings import booking_decide
from trips.services.rides import offer_publish

pytestmark = pytest.mark.django_db


def notes_of(user):
    return list(Notification.objects.filter(user=user))


def test_booking_changes_reach_the_feed_and_the_bell(
    ride, in_alpha, alpha, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(ride, in_alpha["citizen"])
    [note] = notes_of(in_alpha["driver"])
    assert note.kind == Kind.BOOKING_REQUESTED and note.link == f"/rides/{ride.pk}/"
    driver = alpha.client("driver")
    header = driver.get("/my-trips/").content.decode()
    assert 'id="notification-badge" class="badge" data-count="1"' in header
    page = driver.get("/notifications/").content.decode()
    assert "Nouvelle demande de réservation pour votre trajet Encamp" in page
    assert "1 nouvelle notification, désormais marquée comme lue." in page  # said in words
    assert "désormais marquée" not in driver.get("/notifications/").content.decode()
    assert (
        'id="notification-badge" class="badge" hidden data-count="0"'
        in driver.get("/my-trips/").content.decode()
    )  # opening the page read them
    with django_capture_on_commit_callbacks(execute=True):
        booking_decide(booking, by=in_alpha["driver"], accept=True)
    assert [n.kind for n in notes_of(in_alpha["citizen"])] == [Kind.BOOKING_ACCEPTED]
    assert notes_of(in_alpha["driver"]) == [note]


def test_email_follows_the_persons_choice_per_kind(
    ride, in_alpha, alpha, django_capture_on_commit_callbacks
):
    citizen = alpha.client("citizen")
    kept = [k for k in Kind.values if k != Kind.BOOKING_ACCEPTED]
    assert citizen.post("/notifications/", {"by_email": kept}).status_code == 302
    assert citizen.post("/notifications/", {"by_email": ["nonsense"]}).status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = book(ride, in_alpha["citizen"])
        booking_decide(first, by=in_alpha["driver"], accept=True)
    assert [m.to for m in mail.outbox] == [[in_alpha.email("driver")]]  # the request only
    assert [n.kind for n in notes_of(in_alpha["citizen"])] == [Kind.BOOKING_ACCEPTED]
    second_ride = offer_publish(
        driver=in_alpha["driver"],
        origin=ENCAMP,
        destination=ANDORRA_LA_VELLA,
        departure_at=tomorrow_at(17),
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = book(second_ride, in_alpha["citizen"])
        booking_decide(second, by=in_alpha["driver"], accept=False)
    assert mail.outbox[-1].to == [in_alpha.email("citizen")]
    assert "refusée" in mail.outbox[-1].subject


def test_api_feed_is_personal_and_stays_in_its_territory(
    ride, in_alpha, alpha, beta, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(ride, in_alpha["citizen"])
    driver = alpha.client("driver")
    feed = driver.get("/api/v1/notifications/").json()
    assert feed["unread"] == 1 and feed["results"][0]["kind"] == "booking_requested"
    mine = feed["results"][0]["id"]
    assert alpha.client("citizen").get("/api/v1/notifications/").json()["results"] == []
    # Another person's ids are ignored; a member of Beta reads nothing of Alpha's.
    read = alpha.client("citizen").post(
        "/api/v1/notifications/read/", {"ids": [mine]}, content_type="application/json"
    )
    assert read.status_code == 200 and driver.get("/api/v1/notifications/").json()["unread"] == 1
    assert beta.client("driver").get("/api/v1/notifications/").json()["results"] == []
    other_host = beta.client("driver")
    other_host.defaults["HTTP_HOST"] = alpha.host
    assert other_host.get("/api/v1/notifications/").status_code in (401, 403)
    bad = driver.post(
        "/api/v1/notifications/read/", {"ids": ["x"]}, content_type="application/json"
    )
    assert bad.status_code == 400 and "ids" in bad.json()["fields"]
    done = driver.post("/api/v1/notifications/read/", {}, content_type="application/json")
    assert done.json()["unread"] == 0


def test_departure_reminder_reaches_passenger_and_driver_once(ride, in_alpha):
    booking = book(ride, in_alpha["citizen"])
    booking_decide(booking, by=in_alpha["driver"], accept=True)
    Notification.objects.all().delete()
    assert (
        reminders.reminders_send_due(now=booking.pickup_at - timedelta(hours=3)) == 0
    )  # too early
    assert reminders.reminders_send_due(now=booking.pickup_at - timedelta(hours=1)) == 2
    assert reminders.reminders_send_due(now=booking.pickup_at - timedelta(minutes=30)) == 0
    kinds = {n.user_id: n.kind for n in Notification.objects.all()}
    assert kinds == {
        in_alpha["citizen"].pk: Kind.DEPARTURE_REMINDER,
        in_alpha["driver"].pk: Kind.DEPARTURE_REMINDER,
    }


def test_messages_are_emailed_to_someone_away_at_most_once_per_quarter_hour(
    ride, in_alpha, django_capture_on_commit_callbacks
):
    booking = book(ride, in_alpha["citizen"], pickup=ESCALDES, dropoff=ANDORRA_LA_VELLA)
    talk = conversations.conversation_of(booking)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        conversations.message_post(talk, in_alpha["citizen"], "Premier message")
    assert [m.to for m in mail.outbox] == [[in_alpha.email("driver")]]
    assert "Premier message" in mail.outbox[0].body
    assert f"/bookings/{booking.pk}/conversation/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        conversations.message_post(talk, in_alpha["citizen"], "Deuxième")
        conversations.message_post(talk, in_alpha["citizen"], "Troisième")
    assert len(mail.outbox) == 1  # the quiet period holds the others for one digest…
    [digest] = Delivery.objects.filter(kind="trips.message_digest")  # … deferred once
    assert digest.next_attempt_at > timezone.now() + timedelta(minutes=14)
    deliver_due()
    digest.refresh_from_db()
    assert digest.status == Delivery.Status.PENDING  # not due yet
    with django_capture_on_commit_callbacks(execute=True):
        deliver_due(now=digest.next_attempt_at)
    digest.refresh_from_db()
    assert digest.status == Delivery.Status.SENT
    assert "3 messages non lus" in mail.outbox[-1].subject
    conversations.conversation_mark_read(talk, in_alpha["driver"])
    assert not conversations.digest_send(talk.pk, in_alpha["driver"].pk)  # read meanwhile


def test_no_message_email_while_a_page_is_open(ride, in_alpha, django_capture_on_commit_callbacks):
    booking = book(ride, in_alpha["citizen"], pickup=ESCALDES, dropoff=ANDORRA_LA_VELLA)
    talk = conversations.conversation_of(booking)
    schema = in_alpha.territory.schema_name
    presence.arrive(schema, in_alpha["driver"].pk, "test-channel")
    try:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            conversations.message_post(talk, in_alpha["citizen"], "Bonjour")
        assert mail.outbox == []
    finally:
        presence.leave(schema, in_alpha["driver"].pk, "test-channel")
    assert not presence.is_online(schema, in_alpha["driver"].pk)
