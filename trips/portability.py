"""This app's part of a person's data and of their leaving (tenants/members/signals.py)."""

from django.db.models import Q
from django.utils import timezone

from .models import Alert, Booking, Journey, Message, Offer, ReadMark, RegularRide
from .services.bookings import booking_cancel
from .services.rides import offer_cancel


def _point(p) -> dict | None:
    return {"lon": round(p.x, 6), "lat": round(p.y, 6)} if p else None


def personal_data(user, **_signal) -> dict:
    return {
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
    }


def member_leaving(user, **_signal) -> None:
    """Rides and bookings still to come are cancelled (the other side is told); alerts and
    read marks go."""
    now = timezone.now()
    reason = "account deleted"
    for offer in Offer.objects.filter(driver_id=user.pk, status="active", departure_at__gt=now):
        offer_cancel(offer, by=user, reason=reason)
    holding = Booking.objects.filter(
        passenger_id=user.pk, status__in=Booking.HOLDS_SEATS, offer__departure_at__gt=now
    )
    for booking in holding:
        booking_cancel(booking, by=user, reason=reason)
    Alert.objects.filter(passenger_id=user.pk).delete()
    ReadMark.objects.filter(user_id=user.pk).delete()
