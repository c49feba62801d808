"""Safety: a participant shares the trip with a trusted contact through a private link that
works without an account and expires an hour after arrival; phone numbers are verified by a
code sent by text message."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core import sms
from tests.factories import book
from trips.models import Booking
from trust.models import TripShare

pytestmark = pytest.mark.django_db


def test_a_passenger_shares_the_trip_and_the_link_expires_after_arrival(ride, in_alpha, alpha):
    with schema_context(alpha.territory.schema_name):
        booking = book(ride, in_alpha["citizen"])
    made = alpha.client("citizen").post(f"/rides/{ride.pk}/share/", {"booking": booking.pk})
    assert made.status_code == 200
    with schema_context(alpha.territory.schema_name):
        share = TripShare.objects.get()
        assert share.expires_at == booking.dropoff_at + timedelta(hours=1)
    assert f"/shared/{share.token}/" in made.content.decode()
    contact = Client(HTTP_HOST=alpha.host)  # no account
    page = contact.get(f"/shared/{share.token}/")
    text = page.content.decode()
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex, nofollow"
    assert in_alpha["driver"].display_name in text and "Encamp → Andorra la Vella" in text
    assert booking.pickup_label in text
    assert in_alpha["driver"].email not in text and in_alpha["citizen"].email not in text
    # Someone else cannot share this booking; an unknown token is a 404.
    other = alpha.client("volunteer").post(f"/rides/{ride.pk}/share/", {"booking": booking.pk})
    assert other.status_code == 404
    assert contact.get("/shared/nope/").status_code == 404
    # After arrival (+1 h) the link is dead; so is a revoked one.
    with schema_context(alpha.territory.schema_name):
        TripShare.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    gone = contact.get(f"/shared/{share.token}/")
    assert gone.status_code == 410 and booking.pickup_label not in gone.content.decode()


def test_the_driver_shares_and_revokes(ride, in_alpha, alpha, beta):
    driver = alpha.client("driver")
    assert driver.post(f"/rides/{ride.pk}/share/").status_code == 200
    with schema_context(alpha.territory.schema_name):
        share = TripShare.objects.get()
    assert Client(HTTP_HOST=alpha.host).get(f"/shared/{share.token}/").status_code == 200
    # Another territory knows nothing of it.
    assert Client(HTTP_HOST=beta.host).get(f"/shared/{share.token}/").status_code == 404
    assert alpha.client("citizen").post(f"/shared/{share.token}/revoke/").status_code == 404
    driver.post(f"/shared/{share.token}/revoke/")
    assert Client(HTTP_HOST=alpha.host).get(f"/shared/{share.token}/").status_code == 410
    with schema_context(alpha.territory.schema_name):
        Booking.objects.all().delete()


def test_phone_verified_by_a_code(in_alpha, alpha, settings):
    settings.SMS_BACKEND = "core.sms.MemoryBackend"
    sms.outbox.clear()
    client = alpha.client("volunteer")
    bad = client.post("/account/phone/", {"phone": "123"})
    assert bad.status_code == 400 and "numéro de téléphone mobile" in bad.content.decode()
    assert client.post("/account/phone/", {"phone": "06 12 34 56 78"}).status_code == 302
    [(phone, text)] = sms.outbox
    code = text.split(": ")[1][:6]
    assert phone == "+33612345678" and code.isdigit()
    wrong = client.post("/account/phone/", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and "Code erroné ou expiré" in wrong.content.decode()
    assert client.post("/account/phone/", {"code": code}).status_code == 302
    person = in_alpha["volunteer"].__class__.objects.get(pk=in_alpha["volunteer"].pk)
    assert person.phone == "+33612345678" and person.phone_verified_at
    profile = alpha.client("citizen").get(f"/people/{person.pk}/").content.decode()
    assert "+33612345678" not in profile and "vérifié" in profile
    # Three codes an hour at most.
    for _ in range(3):
        client.post("/account/phone/", {"phone": "0612345679"})
    limited = client.post("/account/phone/", {"phone": "0612345679"})
    assert limited.status_code == 400 and "Trop de codes" in limited.content.decode()
