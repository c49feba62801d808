"""The demo archipel as the page benchmarks use it (bench/pages.py, bench/lighthouse.py): the
committed demo (`load_demo`), plus seeded rides for tomorrow in Andorra la Vella so that a
search has results, one booking of the demo citizen (« Mes trajets » is not empty), and the
pages of each role to measure. Django must be set up by the caller."""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.management import call_command
from django.db import transaction
from django.db.models import ProtectedError
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.models import User
from demo.seed import DEMO_PASSWORD, HISTORY_PLACES, demo_email, demo_host, load_demo
from matching.network import Place
from tenants.models import Territory
from trips.models import Booking, Offer
from trips.services.bookings import booking_request
from trips.services.rides import offer_publish

SLUG = "andorra-la-vella"
HOST = demo_host(SLUG)
BENCH_COMMENT = "bench: ride of the page benchmarks"
ESCALDES, ANDORRA_LA_VELLA = Place(*HISTORY_PLACES[2]), Place(*HISTORY_PLACES[3])
ENCAMP, CANILLO = Place(*HISTORY_PLACES[0]), Place(*HISTORY_PLACES[1])
SANT_JULIA = Place(*HISTORY_PLACES[4])


def tomorrow_at(hour: int, minute: int = 0):
    local = timezone.localtime() + timedelta(days=1)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _place(prefix: str, place: Place) -> dict:
    return {f"{prefix}_0": place.label, f"{prefix}_1": place.lon, f"{prefix}_2": place.lat}


# The search of the results page: Escaldes → Andorra la Vella tomorrow around 08:15.
SEARCH = {
    **_place("origin", ESCALDES),
    **_place("destination", ANDORRA_LA_VELLA),
    "date": tomorrow_at(8).date().isoformat(),
    "time": "08:15",
    "window": 60,
    "seats": 1,
}
# What a result's link carries to the ride page.
RIDE_QUERY = {**_place("pickup", ESCALDES), **_place("dropoff", ANDORRA_LA_VELLA), "seats": 1}


def prepare(rides: int, seed: int) -> dict:
    """The demo, and `rides` seeded rides tomorrow through Escaldes towards Andorra la Vella
    or Sant Julià (replacing those of an earlier run), each by another resident; the demo
    citizen books the first. Returns the first ride's id and the number of rides."""
    load_demo()
    call_command("collectstatic", interactive=False, verbosity=0)  # as `make run`
    rng = random.Random(seed)
    territory = Territory.objects.get(slug=SLUG)
    with schema_context(territory.schema_name):
        _forget_earlier_rides()
        residents = list(
            User.objects.filter(
                email__startswith="resident", email__endswith=f"@{SLUG}.example"
            ).order_by("email")
        )
        offers = []
        for n in range(rides):
            origin = rng.choice([ENCAMP, CANILLO])
            destination = rng.choice([ANDORRA_LA_VELLA, SANT_JULIA])
            offers.append(
                offer_publish(
                    driver=residents[n % len(residents)],
                    origin=origin,
                    destination=destination,
                    departure_at=tomorrow_at(7, 30) + timedelta(minutes=rng.randrange(90)),
                    seats=rng.randint(2, 4),
                    comment=BENCH_COMMENT,
                )
            )
        citizen = User.objects.get(email=demo_email("citizen", SLUG))
        first = offers[0]
        booking_request(
            offer_id=first.pk, passenger=citizen, pickup=ESCALDES, dropoff=ANDORRA_LA_VELLA
        )
    return {"ride": first.pk, "rides": rides}


def _forget_earlier_rides() -> None:
    """The rides of an earlier run go (or, when something else came to hold them, are
    cancelled: no search finds them)."""
    earlier = Offer.objects.filter(comment=BENCH_COMMENT)
    try:
        with transaction.atomic():
            Booking.objects.filter(offer__in=earlier).delete()
            earlier.delete()
    except ProtectedError:
        Booking.objects.filter(offer__in=earlier).update(status=Booking.Status.CANCELLED)
        earlier.update(status=Offer.Status.CANCELLED, comment="bench: an earlier run")


def signed_in(account: str | None) -> Client:
    """A browser on the territory's domain, signed in with the demo account (a real sign-in
    POST: the session is in the database, as for any visitor); anonymous when None."""
    client = Client(HTTP_HOST=HOST)
    if account:
        response = client.post(
            "/accounts/login/", {"login": demo_email(account, SLUG), "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, (account, response.status_code)
    return client
