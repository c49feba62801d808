"""The right to leave: a person downloads everything the archipel holds about them, and can
delete their account — journeys stay for the figures without anything identifying them,
rides and bookings to come are cancelled, conversations show "deleted user"."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.services import user_ensure_verified
from notifications.models import Kind, Notification
from tenants.members.models import Membership
from tenants.members.services import membership_join
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, PASSWORD, book, tomorrow_at
from trips import alerts, conversations
from trips.models import Booking, Journey, Offer
from trips.services.bookings import booking_decide
from trips.services.journeys import booking_confirm
from trips.services.rides import offer_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(alpha, beta):
    """Lou, a member of Alpha and Beta, with a journey done, a booking and a ride to come, a
    message and an alert in Alpha."""
    lou = user_ensure_verified(
        "lou@leaving.test", password=PASSWORD, first_name="Lou", last_name="Martin"
    )
    lou.phone = "+33611223344"
    lou.save()
    with schema_context(beta.territory.schema_name):
        membership_join(lou)
    with schema_context(alpha.territory.schema_name):
        membership_join(lou)
        driver = alpha["driver"]
        past_ride = offer_publish(
            driver=driver, origin=ENCAMP, destination=ANDORRA_LA_VELLA, departure_at=tomorrow_at(6)
        )
        done = booking_decide(book(past_ride, lou), by=driver, accept=True)
        past = timezone.now() - timedelta(hours=3)
        Offer.objects.filter(pk=past_ride.pk).update(departure_at=past)
        Booking.objects.filter(pk=done.pk).update(
            pickup_at=past + timedelta(minutes=10), dropoff_at=past + timedelta(minutes=20)
        )
        done.refresh_from_db()
        booking_confirm(done, by=driver)
        booking_confirm(done, by=lou)
        ride = offer_publish(
            driver=driver, origin=ENCAMP, destination=ANDORRA_LA_VELLA, departure_at=tomorrow_at(9)
        )
        coming = book(ride, lou)
        conversations.message_post(conversations.conversation_of(coming), lou, "Merci, à demain !")
        own = offer_publish(
            driver=lou, origin=ENCAMP, destination=ANDORRA_LA_VELLA, departure_at=tomorrow_at(17)
        )
        book(own, alpha["citizen"])
        alerts.alert_create(
            passenger=lou,
            origin=ESCALDES,
            destination=ANDORRA_LA_VELLA,
            days=[0],
            earliest=tomorrow_at(7).time(),
            latest=tomorrow_at(8).time(),
            expires_on=timezone.localdate() + timedelta(days=10),
        )
    return {"user": lou, "coming": coming, "own": own}


def signed_in(cast, email):
    client = Client(HTTP_HOST=cast.host)
    assert (
        client.post("/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 302
    )
    return client


def test_download_holds_everything_of_the_person_and_nothing_of_others(leaver, alpha):
    response = signed_in(alpha, "lou@leaving.test").get("/account/data/export.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == "lou@leaving.test" and data["profile"]["phone"]
    by_slug = {t["slug"]: t for t in data["territories"]}
    assert set(by_slug) == {"alpha", "beta"}
    here = by_slug["alpha"]
    assert len(here["bookings"]) == 2 and len(here["rides"]) == 1
    assert [j["as"] for j in here["journeys"]] == ["passenger"]
    assert [m["text"] for m in here["messages"]] == ["Merci, à demain !"]
    assert len(here["alerts"]) == 1
    assert alpha.email("driver") not in response.content.decode()  # others' data stays out
    assert by_slug["beta"]["bookings"] == []


def test_deleting_the_account_everywhere(leaver, alpha, beta, django_capture_on_commit_callbacks):
    lou = leaver["user"]
    client = signed_in(alpha, "lou@leaving.test")
    wrong = client.post("/account/data/", {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400
    lou.refresh_from_db()
    assert lou.email == "lou@leaving.test" and lou.deleted_at is None  # nothing changed
    with django_capture_on_commit_callbacks(execute=True):
        gone = client.post("/account/data/", {"password": PASSWORD, "confirm": "on"})
    assert gone.status_code == 302
    lou.refresh_from_db()
    assert (lou.email, lou.phone, lou.first_name, lou.last_name) == (None, "", "", "")
    assert lou.deleted_at and not lou.is_active and not lou.has_usable_password()
    assert lou.display_name == "utilisateur supprimé"
    assert (
        Client(HTTP_HOST=alpha.host)
        .post("/accounts/login/", {"login": "lou@leaving.test", "password": PASSWORD})
        .status_code
        == 200
    )  # refused
    with schema_context(alpha.territory.schema_name):
        assert not Membership.objects.filter(user=lou).exists()
        journey = Journey.objects.get(passenger=lou)  # kept for the figures, pseudonymous
        assert journey.passenger.identity_key is None
        assert Booking.objects.get(pk=leaver["coming"].pk).status == "cancelled"
        assert Offer.objects.get(pk=leaver["own"].pk).status == "cancelled"
        told = Notification.objects.filter(user=alpha["citizen"], kind=Kind.RIDE_CANCELLED)
        assert told.exists()  # the passenger of Lou's ride
    with schema_context(beta.territory.schema_name):
        assert not Membership.objects.filter(user=lou).exists()
    page = (
        alpha.client("driver")
        .get(f"/bookings/{leaver['coming'].pk}/conversation/")
        .content.decode()
    )
    assert "utilisateur supprimé" in page and "Merci, à demain" in page
