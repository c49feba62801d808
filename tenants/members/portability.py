"""The right to take one's data and to leave: everything a person has in the archipel as one
JSON document, and the deletion of their account.

Deleting keeps the rows the territories' figures need (journeys) but nothing that identifies
the person: the `User` row loses e-mail, phone, names and password and is marked deleted
(conversations then show "deleted user"); in every territory their rides and bookings still to
come are cancelled (the other side is told), and their membership, alerts, notifications and
choices are removed."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context

from .selectors import memberships_everywhere

FORMAT = "archipel-personal-data/1"


def _point(p) -> dict | None:
    return {"lon": round(p.x, 6), "lat": round(p.y, 6)} if p else None


def _in_territory(user, membership) -> dict:
    from notifications.models import EmailChoice, Notification
    from solidarity.models import Volunteer
    from trips.models import Alert, Booking, Journey, Message, Offer, RegularRide

    return {
        "membership": {
            "roles": membership.roles,
            "joined_at": membership.joined_at,
            "consented_at": membership.consented_at,
        },
        "regular_rides": [
            {
                "id": r.pk,
                "schedule": {d: t.strftime("%H:%M") for d, t in r.schedule.items()},
                "valid_from": r.valid_from,
                "valid_until": r.valid_until,
                "status": r.status,
            }
            for r in RegularRide.objects.filter(driver_id=user.pk)
        ],
        "rides": [
            {
                "id": o.pk,
                "from": o.origin_label,
                "to": o.destination_label,
                "origin": _point(o.origin),
                "destination": _point(o.destination),
                "departure_at": o.departure_at,
                "seats": o.seats,
                "cost_per_km": str(o.cost_per_km),
                "comment": o.comment,
                "status": o.status,
                "regular_ride": o.regular_ride_id,
            }
            for o in Offer.objects.filter(driver_id=user.pk)
        ],
        "bookings": [
            {
                "id": b.pk,
                "ride": b.offer_id,
                "pickup": {"label": b.pickup_label, **_point(b.pickup)},
                "dropoff": {"label": b.dropoff_label, **_point(b.dropoff)},
                "pickup_at": b.pickup_at,
                "dropoff_at": b.dropoff_at,
                "seats": b.seats,
                "price": str(b.price),
                "status": b.status,
            }
            for b in Booking.objects.filter(passenger_id=user.pk)
        ],
        "journeys": [
            {
                "id": j.pk,
                "kind": j.kind,
                "as": "driver" if j.driver_id == user.pk else "passenger",
                "pickup_at": j.pickup_at,
                "dropoff_at": j.dropoff_at,
                "distance_m": j.distance_m,
                "seats": j.seats,
                "amount": str(j.amount),
            }
            for j in Journey.objects.filter(Q(driver_id=user.pk) | Q(passenger_id=user.pk))
        ],
        "messages": [
            {"conversation": m.conversation_id, "at": m.created_at, "text": m.body}
            for m in Message.objects.filter(author_id=user.pk)
        ],
        "alerts": [
            {
                "from": a.origin_label,
                "to": a.destination_label,
                "days": a.days,
                "earliest": a.earliest.strftime("%H:%M"),
                "latest": a.latest.strftime("%H:%M"),
                "until": a.expires_on,
                "deleted_at": a.cancelled_at,
            }
            for a in Alert.objects.filter(passenger_id=user.pk)
        ],
        "notifications": [
            {"at": n.created_at, "text": n.text, "read_at": n.read_at}
            for n in Notification.objects.filter(user_id=user.pk)
        ],
        "email_choices": dict(
            EmailChoice.objects.filter(user_id=user.pk).values_list("kind", "email")
        ),
        "volunteering": [
            {
                "structure": v.structure.name,
                "status": v.status,
                "home": v.home_label,
                "phone": v.phone,
            }
            for v in Volunteer.objects.filter(user_id=user.pk).select_related("structure")
        ],
    }


def personal_data(user) -> dict:
    """Everything the archipel holds about the person, in every territory they belong to."""
    return {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "profile": {
            "email": user.email,
            "phone": user.phone,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
        },
        "territories": [
            {"slug": t.slug, "name": t.name, **_in_territory(user, membership)}
            for t, membership in memberships_everywhere(user)
        ],
    }


def _leave_territory(user, membership) -> None:
    from notifications.models import EmailChoice, Notification
    from solidarity.models import Volunteer
    from trips import services
    from trips.models import Alert, Booking, Offer, ReadMark

    now = timezone.now()
    reason = "account deleted"
    for offer in Offer.objects.filter(driver_id=user.pk, status="active", departure_at__gt=now):
        services.offer_cancel(offer, by=user, reason=reason)
    holding = Booking.objects.filter(
        passenger_id=user.pk, status__in=Booking.HOLDS_SEATS, offer__departure_at__gt=now
    )
    for booking in holding:
        services.booking_cancel(booking, by=user, reason=reason)
    Volunteer.objects.filter(user_id=user.pk).update(
        status=Volunteer.Status.SUSPENDED, phone="", home_label=""
    )
    Alert.objects.filter(passenger_id=user.pk).delete()
    Notification.objects.filter(user_id=user.pk).delete()
    EmailChoice.objects.filter(user_id=user.pk).delete()
    ReadMark.objects.filter(user_id=user.pk).delete()
    membership.delete()


@transaction.atomic
def account_delete(user) -> None:
    """Delete the person's account everywhere (see the module's docstring)."""
    for territory, membership in list(memberships_everywhere(user)):
        with schema_context(territory.schema_name):
            _leave_territory(user, membership)
    User = get_user_model()
    User.objects.filter(pk=user.pk).update(
        email=None,
        phone="",
        first_name="",
        last_name="",
        is_active=False,
        is_staff=False,
        is_superuser=False,
        deleted_at=timezone.now(),
    )
    user.refresh_from_db()
    user.set_unusable_password()
    user.save(update_fields=["password"])
