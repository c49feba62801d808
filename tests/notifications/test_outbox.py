"""The outbox: a side effect that cannot leave (here the mail server is unreachable: a real
SMTP connection to a closed port) never fails the committed change; it waits, is retried with
its idempotency key, is given up after MAX_ATTEMPTS and shown to the territory's admin, who can
send it again — in their own territory only."""

import json

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from core import mailspool
from notifications import outbox
from notifications.models import Delivery
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, tomorrow_at
from tests.servers import closed_port
from trips.models import Booking
from trips.services.rides import offer_publish

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def place(p):
    return {"lon": p.lon, "lat": p.lat, "label": p.label}


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2


def booking_asked(alpha, in_alpha, capture):
    ride = offer_publish(driver=in_alpha["driver"], origin=ENCAMP, destination=ANDORRA_LA_VELLA,
                         departure_at=tomorrow_at(9))  # fmt: skip
    body = {"offer": ride.pk, "pickup": place(ESCALDES), "dropoff": place(ANDORRA_LA_VELLA)}
    with capture(execute=True):
        return alpha.client("citizen").post(
            "/api/v1/bookings/", json.dumps(body), content_type="application/json"
        )


def test_a_booking_answers_201_while_the_mail_server_is_down_and_its_mail_follows_once(
    alpha, in_alpha, mail_server_down, settings, django_capture_on_commit_callbacks
):
    response = booking_asked(alpha, in_alpha, django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.content  # the answer reflects the commit
    assert Booking.objects.filter(pk=response.json()["id"]).exists()
    [row] = Delivery.objects.filter(kind="email")  # the driver's "a passenger asks" e-mail
    assert row.status == Delivery.Status.PENDING and row.attempts == 1
    assert "ConnectionRefused" in row.last_error and row.payload["to"] == alpha.email("driver")
    assert row.next_attempt_at > timezone.now()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    mail.outbox.clear()
    outbox.deliver_due(now=row.next_attempt_at)
    outbox.deliver_due(now=row.next_attempt_at)  # a second sweep sends nothing twice
    row.refresh_from_db()
    assert row.status == Delivery.Status.SENT
    assert [m.to for m in mail.outbox] == [[alpha.email("driver")]]
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<{row.key}@")


def test_given_up_rows_are_shown_to_the_admin_who_sends_them_again(
    alpha, beta, in_alpha, mail_server_down, settings, django_capture_on_commit_callbacks
):
    booking_asked(alpha, in_alpha, django_capture_on_commit_callbacks)
    row = Delivery.objects.get(kind="email")
    for _attempt in range(outbox.MAX_ATTEMPTS - 1):
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        outbox.deliver_due()
    row.refresh_from_db()
    assert row.status == Delivery.Status.DEAD and row.attempts == outbox.MAX_ATTEMPTS

    assert alpha.client("citizen").get("/manage/deliveries/").status_code == 403
    admin = alpha.client("admin")
    page = admin.get("/manage/deliveries/").content.decode()
    assert "Messages sortants" in page and "abandonné" in page and "ConnectionRefused" in page
    assert alpha.email("driver") in page

    # Another territory's admin sees none of it and cannot send it again.
    other = beta.client("admin")
    assert alpha.email("driver") not in other.get("/manage/deliveries/").content.decode()
    assert other.post("/manage/deliveries/", {"retry": row.pk}).status_code in (302, 404)
    assert other.post("/manage/deliveries/", {"retry": "x"}).status_code == 404
    with schema_context(alpha.territory.schema_name):
        row.refresh_from_db()
    assert row.status == Delivery.Status.DEAD

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post("/manage/deliveries/", {"retry": row.pk}).status_code == 302
    with schema_context(alpha.territory.schema_name):
        row.refresh_from_db()
    assert row.status == Delivery.Status.SENT and len(mail.outbox) == 1


def test_a_rolled_back_change_tells_nobody(in_alpha, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue("email", {"to": "x@example.org", "subject": "s", "body": "b"})
            raise RuntimeError
    assert not Delivery.objects.exists() and not mail.outbox


class LostBeforeCommit(Exception):
    """The delivering process dies, or loses its database, between the e-mail and COMMIT."""


def test_an_email_handed_over_again_after_a_lost_commit_is_one_file_of_its_message_id(
    in_alpha, settings, tmp_path
):
    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = "core.mailspool.EmailBackend", tmp_path
    row = outbox.enqueue("email", {"to": "x@example.org", "subject": "Départ", "body": "Demain"},
                         at_once=False)  # fmt: skip
    with pytest.raises(LostBeforeCommit), transaction.atomic():
        assert outbox.delivery_attempt(row.pk) == Delivery.Status.SENT  # written, then lost
        raise LostBeforeCommit
    row.refresh_from_db()
    assert row.status == Delivery.Status.PENDING  # not recorded: delivered again, same key
    assert outbox.delivery_attempt(row.pk) == Delivery.Status.SENT
    [kept] = [path for path in tmp_path.iterdir()]  # no second file, no temporary one left
    assert kept.name == f"{row.key}@{in_alpha.territory.primary_host}.log"
    text = kept.read_text()
    assert text.count("Message-ID:") == 1 and "Subject: =?utf-8?q?D=C3=A9part?=" in text


def test_the_mail_directory_keeps_every_message_id_inside_it(tmp_path):
    backend = mailspool.EmailBackend(file_path=str(tmp_path))
    headers = {"Message-ID": "<../../../etc/passwd@example.org>"}
    message = EmailMessage("s", "b", "a@example.org", ["x@example.org"], headers=headers)
    other = EmailMessage("s", "b", "a@example.org", ["x@example.org"])  # its own Message-ID
    assert backend.send_messages([message, other, message]) == 3
    names = sorted(path.name for path in tmp_path.iterdir())
    assert len(names) == 2 and ".._.._.._etc_passwd@example.org.log" in names
    assert all("/" not in name for name in names)
