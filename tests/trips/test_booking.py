"""Booking a seat: requests, decisions, cancellations, never overbooked, and the journey."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, book, tomorrow_at
from trips.errors import Conflict
from trips.models import Booking, Journey, Offer
from trips.pricing import share
from trips.services.bookings import booking_cancel, booking_decide, booking_request
from trips.services.journeys import booking_confirm
from trips.services.rides import offer_cancel, offer_publish


def test_price_is_the_public_rate_per_km_rounded_to_ten_cents():
    assert share(1451.9, Decimal("0.08")) == Decimal("0.10")
    assert share(12_345, Decimal("0.08")) == Decimal("1.00")
    assert share(12_345, Decimal("0.08"), seats=2) == Decimal("2.00")
    assert share(18_750, Decimal("0.10")) == Decimal("1.90")  # 1.875 → half up


def test_request_accept_then_seats_are_held(ride, in_alpha):
    booking = book(ride, in_alpha["citizen"], seats=2)
    assert booking.status == Booking.Status.PENDING
    ride.refresh_from_db()
    assert ride.seats_left == 1
    assert booking.price == share(booking.distance_m, ride.cost_per_km, 2)
    booking = booking_decide(booking, by=in_alpha["driver"], accept=True)
    assert booking.status == Booking.Status.ACCEPTED


def test_decline_and_cancel_release_seats(ride, in_alpha):
    first = book(ride, in_alpha["citizen"], seats=2)
    booking_decide(first, by=in_alpha["driver"], accept=False)
    second = book(ride, in_alpha["data"], seats=3)
    ride.refresh_from_db()
    assert ride.seats_left == 0
    booking_cancel(second, by=in_alpha["data"], reason="Changement de programme")
    ride.refresh_from_db()
    assert ride.seats_left == 3
    with pytest.raises(Conflict):
        booking_cancel(second, by=in_alpha["data"])  # already cancelled


def test_instant_booking_is_accepted_at_once(in_alpha):
    ride = offer_publish(
        driver=in_alpha["driver"],
        origin=ENCAMP,
        destination=ANDORRA_LA_VELLA,
        departure_at=tomorrow_at(8),
        instant_booking=True,
    )
    assert book(ride, in_alpha["citizen"]).status == Booking.Status.ACCEPTED


@pytest.mark.parametrize("who", ["passenger", "stranger"])
def test_only_the_driver_decides(ride, in_alpha, who):
    booking = book(ride, in_alpha["citizen"])
    actor = in_alpha["citizen"] if who == "passenger" else in_alpha["data"]
    with pytest.raises(Conflict):
        booking_decide(booking, by=actor, accept=True)


def test_refusals(ride, in_alpha):
    with pytest.raises(Conflict, match="propre trajet"):
        book(ride, in_alpha["driver"])
    with pytest.raises(Conflict, match="places"):
        book(ride, in_alpha["citizen"], seats=4)
    with pytest.raises(Conflict, match="détour"):
        book(ride, in_alpha["citizen"], pickup=ANDORRA_LA_VELLA, dropoff=ENCAMP)
    offer_cancel(ride, by=in_alpha["driver"], reason="Voiture en panne")
    with pytest.raises(Conflict, match="annulé"):
        book(ride, in_alpha["citizen"])
    assert not Booking.objects.exists()


def test_driver_cancelling_the_ride_cancels_its_bookings(ride, in_alpha):
    booking = book(ride, in_alpha["citizen"])
    offer_cancel(ride, by=in_alpha["driver"], reason="Malade")
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.cancel_reason) == (
        Booking.Status.CANCELLED,
        "driver",
        "Malade",
    )


def test_same_day_return_is_allowed_but_overlapping_bookings_are_not(ride, in_alpha):
    book(ride, in_alpha["citizen"])
    back = offer_publish(
        driver=in_alpha["data"],
        origin=ANDORRA_LA_VELLA,
        destination=ENCAMP,
        departure_at=tomorrow_at(18),
    )
    book(back, in_alpha["citizen"], pickup=ANDORRA_LA_VELLA, dropoff=ESCALDES)
    same_time = offer_publish(
        driver=in_alpha["operator"],
        origin=ENCAMP,
        destination=ANDORRA_LA_VELLA,
        departure_at=tomorrow_at(8),
    )
    with pytest.raises(Conflict, match="déjà une réservation"):
        book(same_time, in_alpha["citizen"])
    same_time.refresh_from_db()
    assert same_time.seats_left == 3  # nothing half-saved


def test_both_confirm_after_the_ride_and_a_journey_exists_with_its_communes(ride, in_alpha):
    booking = booking_decide(book(ride, in_alpha["citizen"]), by=in_alpha["driver"], accept=True)
    with pytest.raises(Conflict, match="une fois effectué"):
        booking_confirm(booking, by=in_alpha["driver"])
    past = timezone.now() - timedelta(hours=2)
    Offer.objects.filter(pk=ride.pk).update(departure_at=past)
    Booking.objects.filter(pk=booking.pk).update(
        pickup_at=past + timedelta(minutes=5), dropoff_at=past + timedelta(minutes=8)
    )
    booking_confirm(booking, by=in_alpha["driver"])
    assert not Journey.objects.exists()
    booking_confirm(booking, by=in_alpha["citizen"])
    journey = Journey.objects.get()
    assert (journey.driver, journey.passenger) == (in_alpha["driver"], in_alpha["citizen"])
    assert (journey.pickup_commune, journey.dropoff_commune) == ("AD-08", "AD-07")
    assert journey.amount == booking.price and journey.distance_m == booking.distance_m
    assert journey.duration_s == 180


def test_concurrent_requests_for_the_last_seat_end_with_exactly_one_booking(
    archipel, django_db_blocker, in_alpha
):
    """Real concurrent transactions, each on its own connection, committed."""
    alpha = archipel["alpha"]
    schema = alpha.territory.schema_name
    people = [alpha[role] for role in ("citizen", "data", "operator", "volunteer")]
    results: list[str] = []
    with django_db_blocker.unblock():
        offer_id = _committed_ride(alpha, schema)
        barrier = threading.Barrier(len(people))

        def attempt(person):
            try:
                with schema_context(schema):
                    barrier.wait()
                    booking_request(
                        offer_id=offer_id,
                        passenger=person,
                        pickup=ESCALDES,
                        dropoff=ANDORRA_LA_VELLA,
                    )
                results.append("booked")
            except Conflict:
                results.append("conflict")
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        try:
            with schema_context(schema):
                assert sorted(results) == ["booked", "conflict", "conflict", "conflict"]
                assert Booking.objects.filter(offer_id=offer_id).count() == 1
                assert Offer.objects.get(pk=offer_id).seats_left == 0
        finally:
            _delete_committed_ride(alpha, schema, offer_id)


def _committed_ride(alpha, schema) -> int:
    from django.db import connections

    other = connections.create_connection("default")  # outside the test's transaction
    try:
        with other.cursor() as cursor:
            cursor.execute(f"SET search_path = {schema}, public")
        with schema_context(schema):
            ride = offer_publish(
                driver=alpha["driver"],
                origin=ENCAMP,
                destination=ANDORRA_LA_VELLA,
                departure_at=tomorrow_at(9),
                seats=1,
            )
        columns = [f.column for f in Offer._meta.concrete_fields if f.column != "id"]
        values = [getattr(ride, f.attname) for f in Offer._meta.concrete_fields if f.column != "id"]
        adapted = [v.ewkt if hasattr(v, "ewkt") else v for v in values]
        placeholders = ["ST_GeomFromEWKT(%s)" if hasattr(v, "ewkt") else "%s" for v in values]
        with other.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO trips_offer ({', '.join(columns)}) VALUES ({', '.join(placeholders)})"
                " RETURNING id",
                adapted,
            )
            return cursor.fetchone()[0]
    finally:
        other.close()


def _delete_committed_ride(alpha, schema, offer_id) -> None:
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(f"SET search_path = {schema}, public")
            cursor.execute("DELETE FROM trips_booking WHERE offer_id = %s", [offer_id])
            cursor.execute("DELETE FROM trips_offer WHERE id = %s", [offer_id])
    finally:
        other.close()


def test_the_other_side_is_told_by_email_after_commit(
    ride, in_alpha, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        booking = book(ride, in_alpha["citizen"])
    assert mail.outbox[-1].to == [in_alpha.email("driver")]
    assert "Nouvelle demande de réservation" in mail.outbox[-1].subject
    assert f"http://alpha.localhost/rides/{ride.pk}/" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        booking_decide(booking, by=in_alpha["driver"], accept=True)
    assert (
        mail.outbox[-1].to == [in_alpha.email("citizen")] and "acceptée" in mail.outbox[-1].subject
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking, by=in_alpha["citizen"], reason="Grève")
    assert mail.outbox[-1].to == [in_alpha.email("driver")] and "Grève" in mail.outbox[-1].body
    sent = len(mail.outbox)
    with pytest.raises(Conflict), django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking, by=in_alpha["citizen"])
    assert len(mail.outbox) == sent  # a refused change notifies no one


def test_driver_changes_a_ride_and_booked_passengers_are_told(
    ride, in_alpha, alpha, beta, django_capture_on_commit_callbacks
):
    from notifications.models import Kind, Notification

    booking = book(ride, in_alpha["citizen"], seats=2)
    driver = alpha.client("driver")
    path = f"/api/v1/offers/{ride.pk}/"
    too_few = driver.patch(path, {"seats": 1}, content_type="application/json")
    assert too_few.status_code == 400 and "seats" in too_few.json()["fields"]
    assert (
        alpha.client("citizen")
        .patch(path, {"seats": 4}, content_type="application/json")
        .status_code
        == 409
    )
    assert (
        beta.client("driver").patch(path, {"seats": 4}, content_type="application/json").status_code
        == 404
    )
    assert (
        alpha.client("citizen").post(f"/rides/{ride.pk}/change/", {"seats": 4}).status_code == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        changed = driver.patch(
            path, {"comment": "Rendez-vous devant la poste"}, content_type="application/json"
        )
    assert changed.status_code == 200 and changed.json()["seats_left"] == 1
    [note] = Notification.objects.filter(user=in_alpha["citizen"], kind=Kind.RIDE_CHANGED)
    assert note.link == f"/rides/{ride.pk}/"
    page = driver.post(
        f"/rides/{ride.pk}/change/", {"seats": 4, "comment": "Rendez-vous devant la poste"}
    )
    assert page.status_code == 302
    ride.refresh_from_db()
    assert ride.seats == 4 and ride.seats_taken == 2 and booking.pk
    # Seats only: passengers are told too; nothing changed: nobody is.
    assert Notification.objects.filter(kind=Kind.RIDE_CHANGED).count() == 2
    driver.post(f"/rides/{ride.pk}/change/", {"seats": 4, "comment": "Rendez-vous devant la poste"})
    assert Notification.objects.filter(kind=Kind.RIDE_CHANGED).count() == 2
