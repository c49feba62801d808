"""Reads of « My trips »: a person's rides (as the driver) and bookings (as a passenger) in three
groups — to come, past, cancelled — each one list in time order (to come: soonest first; past
and cancelled: latest first), paged; and what waits for the person there (booking requests to
answer, unread messages), which the header counts. A fixed number of queries whatever the
number of rides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from .conversations import unread_by_booking, unread_counts
from .models import Booking, Offer, RegularRide

UPCOMING, PAST, CANCELLED = "a-venir", "passes", "annules"
GROUPS = (UPCOMING, PAST, CANCELLED)
PER_PAGE = 10

ACTIVE = Offer.Status.ACTIVE
HOLDING = Booking.HOLDS_SEATS


def _offer_groups(now: datetime) -> dict[str, Q]:
    return {
        UPCOMING: Q(status=ACTIVE, departure_at__gt=now),
        PAST: Q(status=ACTIVE, departure_at__lte=now),
        CANCELLED: ~Q(status=ACTIVE),
    }


def _booking_groups(now: datetime) -> dict[str, Q]:
    # A booking declined by the driver, or on a ride the driver cancelled, is over as well.
    live = Q(status__in=HOLDING, offer__status=ACTIVE)
    return {
        UPCOMING: live & Q(pickup_at__gt=now),
        PAST: live & Q(pickup_at__lte=now),
        CANCELLED: ~live,
    }


def _ride_groups(today) -> dict[str, Q]:
    return {
        UPCOMING: Q(status=ACTIVE, valid_until__gte=today),
        PAST: Q(status=ACTIVE, valid_until__lt=today),
        CANCELLED: ~Q(status=ACTIVE),
    }


def _driven(user) -> QuerySet[Offer]:
    # The departures of a weekly ride are listed under it, except those with bookings.
    booked = Booking.objects.filter(offer=OuterRef("pk"))
    return Offer.objects.filter(driver=user).filter(Q(regular_ride=None) | Exists(booked))


def _travelled(user) -> QuerySet[Booking]:
    return Booking.objects.filter(passenger=user)


def counts(user, now: datetime | None = None) -> dict[str, int]:
    """How many cards each group holds (rides, weekly rides and bookings), in three queries."""
    now = now or timezone.now()
    found = dict.fromkeys(GROUPS, 0)
    for queryset, groups in (
        (_driven(user), _offer_groups(now)),
        (_travelled(user), _booking_groups(now)),
        (RegularRide.objects.filter(driver=user), _ride_groups(timezone.localdate(now))),
    ):
        sums = queryset.aggregate(**{g: Count("pk", filter=q) for g, q in groups.items()})
        for group, n in sums.items():
            found[group] += n
    return found


@dataclass
class Entry:
    """One card of the list: a ride the person drives, or a booking of theirs."""

    offer: Offer | None = None
    booking: Booking | None = None


def _rows(user, group: str, now: datetime):
    """(kind, id, time) of every card of the group, sorted, as one UNION query."""

    def rows(queryset, kind: str, at: str):
        return queryset.annotate(
            kind=Value(kind, output_field=CharField()), ref=F("pk"), at=F(at)
        ).values_list("kind", "ref", "at")

    offers = rows(_driven(user).filter(_offer_groups(now)[group]), "offer", "departure_at")
    bookings = rows(_travelled(user).filter(_booking_groups(now)[group]), "booking", "pickup_at")
    order = ("at", "ref") if group == UPCOMING else ("-at", "-ref")
    return offers.union(bookings, all=True).order_by(*order)


def entries(user, group: str, number, now: datetime | None = None) -> Page:
    """The page `number` of the group: a Page whose items are `Entry`s, each ride with its
    bookings and their passengers, each booking with its ride and driver, each booking with
    its `unread` messages."""
    now = now or timezone.now()
    page = Paginator(_rows(user, group, now), PER_PAGE).get_page(number)
    rows = list(page.object_list)
    wanted = {kind: [pk for k, pk, _ in rows if k == kind] for kind in ("offer", "booking")}
    offers = (
        Offer.objects.prefetch_related(
            Prefetch("bookings", queryset=Booking.objects.select_related("passenger"))
        ).in_bulk(wanted["offer"])
        if wanted["offer"]
        else {}
    )
    bookings = (
        Booking.objects.select_related("offer__driver").in_bulk(wanted["booking"])
        if wanted["booking"]
        else {}
    )
    shown = [*bookings.values(), *(b for o in offers.values() for b in o.bookings.all())]
    unread = unread_by_booking(user, [b.pk for b in shown])
    for b in shown:
        b.unread = unread.get(b.pk, 0)
    page.object_list = [
        Entry(offer=offers[pk]) if kind == "offer" else Entry(booking=bookings[pk])
        for kind, pk, _ in rows
    ]
    return page


def regular_rides(user, group: str, now: datetime | None = None) -> list[RegularRide]:
    """The person's weekly rides of the group, each with its departures to come (`upcoming`)."""
    now = now or timezone.now()
    return list(
        RegularRide.objects.filter(driver=user)
        .filter(_ride_groups(timezone.localdate(now))[group])
        .prefetch_related(
            Prefetch(
                "occurrences",
                queryset=Offer.objects.filter(departure_at__gt=now),
                to_attr="upcoming",
            )
        )
    )


@dataclass(frozen=True)
class ToHandle:
    """What waits for the person on « My trips »."""

    requests: int  # booking requests on their rides to come, to accept or decline
    messages: int  # unread messages in the conversations of bookings
    all_messages: int  # unread messages in all their conversations (solidarity too)

    @property
    def total(self) -> int:
        return self.requests + self.messages


def requests_to_answer(user, now: datetime | None = None) -> QuerySet[Booking]:
    return Booking.objects.filter(
        offer__driver=user,
        offer__status=ACTIVE,
        offer__departure_at__gt=now or timezone.now(),
        status=Booking.Status.PENDING,
    )


def to_handle(user) -> ToHandle:
    """Two queries."""
    total, trips = unread_counts(user)
    return ToHandle(requests=requests_to_answer(user).count(), messages=trips, all_messages=total)
