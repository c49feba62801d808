"""The app's side of the cluster's product load, run with the cluster's settings in its own
process (`python tests/cluster/app_side.py COMMAND RUN`, from topology.app_side): it seeds the
people, rides and sessions the load uses, enqueues the outbox rows a worker is killed over,
and reads back what was stored. It prints one JSON document.

Everything it creates is named after the run (e-mail addresses `load-RUN-…`), so a run never
counts another's rows."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

import django  # noqa: E402

django.setup()

from celery import signature  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from core.middleware import SESSION_TERRITORY_KEY  # noqa: E402
from core.services import user_ensure_verified  # noqa: E402
from demo.seed import HISTORY_PLACES  # noqa: E402
from matching.network import Place  # noqa: E402
from notifications import outbox  # noqa: E402
from tenants.members.models import Role  # noqa: E402
from tenants.members.services import membership_join  # noqa: E402
from tenants.models import Territory  # noqa: E402
from trips.conversations import conversation_of  # noqa: E402
from trips.models import Booking, Journey, Message, Offer  # noqa: E402
from trips.pricing import share  # noqa: E402
from trips.services.rides import RideTerms, departure_offer, offer_publish, ride_fields  # noqa: E402

TERRITORY = "andorra-la-vella"
DRIVERS, PASSENGERS, RIDES_PER_DRIVER, SEATS = 4, 10, 2, 2
ACTIVE = [Booking.Status.PENDING, Booking.Status.ACCEPTED]


def email_of(run: str, role: str, n: int) -> str:
    return f"load-{run}-{role}{n}@cluster.archipel.test"


def person(run: str, role: str, n: int):
    user = user_ensure_verified(email_of(run, role, n), password=run, first_name=f"{role}{n}")
    membership_join(user, roles=[Role.CITIZEN])
    return user


def session_of(user) -> str:
    """A signed-in session, as the sign-in page leaves it (bound to this territory)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SESSION_TERRITORY_KEY] = connection.schema_name
    session.create()
    return session.session_key


def place(n: int) -> dict:
    lon, lat, label = HISTORY_PLACES[n % len(HISTORY_PLACES)]
    return {"lon": lon, "lat": lat, "label": label}


def seed(run: str) -> dict:
    """Drivers with future rides (instant booking, few seats: the load competes for them),
    passengers, and one ride per passenger that took place yesterday, accepted and not yet
    confirmed (the load's confirmations make its journey; its conversation takes messages)."""
    drivers = [person(run, "driver", n) for n in range(DRIVERS)]
    passengers = [person(run, "passenger", n) for n in range(PASSENGERS)]
    tomorrow = timezone.localdate() + timedelta(days=1)
    rides = []
    for d, driver in enumerate(drivers):
        for r in range(RIDES_PER_DRIVER):
            a, b = place(d + r), place(d + r + 2)
            departure = timezone.make_aware(datetime.combine(tomorrow, time(7 + 2 * r, 5 * d)))
            offer = offer_publish(
                driver=driver, origin=Place(**a), destination=Place(**b), departure_at=departure,
                seats=SEATS, instant_booking=True,
            )  # fmt: skip
            rides.append({"id": offer.pk, "pickup": a, "dropoff": b})
    past = []
    yesterday = timezone.now() - timedelta(days=1)
    for p, passenger in enumerate(passengers):
        driver = drivers[p % DRIVERS]
        a, b = place(p), place(p + 3)
        fields = ride_fields(driver, Place(**a), Place(**b), RideTerms())
        offer = departure_offer(fields, yesterday + timedelta(minutes=p), seats_taken=1)
        offer.save()
        booking = Booking.objects.create(
            offer=offer, passenger=passenger, seats=1, status=Booking.Status.ACCEPTED,
            decided_at=yesterday - timedelta(days=1), pickup_label=offer.origin_label,
            dropoff_label=offer.destination_label, pickup=offer.origin,
            dropoff=offer.destination, pickup_at=offer.departure_at,
            dropoff_at=offer.departure_at + timedelta(seconds=offer.duration_s),
            distance_m=offer.distance_m, detour_s=0,
            price=share(offer.distance_m, offer.cost_per_km),
        )  # fmt: skip
        talk = conversation_of(booking)
        past.append({"booking": booking.pk, "conversation": talk.pk, "passenger": p,
                     "driver": p % DRIVERS})  # fmt: skip
    return {
        "drivers": [session_of(user) for user in drivers],
        "passengers": [session_of(user) for user in passengers],
        "rides": rides,
        "past": past,
    }


def stored(run: str) -> dict:
    """What the database holds of the run, read on the leader."""
    people = {"email__startswith": f"load-{run}-"}
    offers = Offer.objects.filter(**{f"driver__{k}": v for k, v in people.items()})
    bookings = Booking.objects.filter(offer__in=offers)
    active = bookings.filter(status__in=ACTIVE)
    seats = dict(active.values_list("offer").annotate(Sum("seats")))
    pairs = active.values("offer", "passenger").annotate(n=Count("pk")).filter(n__gt=1)
    return {
        "offers": [
            {
                "id": o.pk,
                "seats": o.seats,
                "seats_taken": o.seats_taken,
                "booked": seats.get(o.pk, 0),
            }
            for o in offers
        ],  # fmt: skip
        "bookings": list(bookings.values_list("pk", flat=True)),
        "duplicated": len(pairs),
        "messages": list(
            Message.objects.filter(**{f"author__{k}": v for k, v in people.items()}).values_list(
                "body", flat=True
            )
        ),
        "journeys": list(
            Journey.objects.filter(booking__in=bookings).values_list("booking", flat=True)
        ),
    }


def outbox_rows(run: str, count: str) -> dict:
    """`count` e-mails due now, left to the worker's sweep (deferred rows), then the sweep
    asked for at once: one task delivering them one after the other."""
    keys = [
        str(outbox.enqueue(
            "email", {"to": email_of(run, "outbox", n), "subject": f"Load {run} {n}",
                      "body": "Cluster test."},
            not_before=timezone.now(),
        ).key)
        for n in range(int(count))
    ]  # fmt: skip
    signature("notifications.sweep_outbox").apply_async()
    return {"keys": keys}


def main(command: str, run: str, *args: str) -> None:
    with tenant_context(Territory.objects.get(slug=TERRITORY)):
        out = {"seed": seed, "stored": stored, "outbox": outbox_rows}[command](run, *args)
    out["host"] = Territory.objects.get(slug=TERRITORY).primary_host
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main(*sys.argv[1:])
