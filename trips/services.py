"""Writes for rides and bookings. Run inside the territory's schema (request or
`schema_context`). Field problems raise ValidationError (400), state problems Conflict (409)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.gis.geos import LineString, Point
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import blocks
from matching.network import (
    METRES_PER_DEGREE,
    Place,
    commune_at,
    node_point,
    reach_box,
    reach_metres,
    snap,
    territory_graph,
    valid_coordinates,
)
from themes.services import settings_get

from . import events, notifications
from .errors import Conflict, ValidationError
from .models import Booking, Confirmation, Journey, Offer, RegularRide, SearchLog
from .pricing import share


def active_window(departure_at: datetime, margin_minutes: int, duration_s: float, ratio) -> tuple:
    margin = timedelta(minutes=margin_minutes)
    longest = timedelta(seconds=math.ceil(duration_s * (1 + float(ratio))) + 1)
    return (departure_at - margin, departure_at + margin + longest)


@dataclass(frozen=True)
class RideTerms:
    """What a driver offers on every departure of a ride."""

    seats: int = 3
    margin_minutes: int = 15
    cost_per_km: Decimal | None = None  # None: the territory's default
    max_detour_ratio: Decimal = Decimal("0.25")
    instant_booking: bool = False
    comment: str = ""
    car: str = ""  # model and colour, to be recognised

    def errors(self) -> dict[str, str]:
        territory = settings_get()
        errors: dict[str, str] = {}
        if not 1 <= self.seats <= 8:
            errors["seats"] = _("From 1 to 8 seats.")
        if not 0 <= self.margin_minutes <= 120:
            errors["margin_minutes"] = _("The margin is from 0 to 120 minutes.")
        if not Decimal("0") <= self.max_detour_ratio <= Decimal("1"):
            errors["max_detour_ratio"] = _("The accepted detour is from 0 to 100 %.")
        if not Decimal("0") <= self.cost(territory) <= territory.cost_per_km_max:
            errors["cost_per_km"] = _("The cost per km must be between 0 and %(max)s €.") % {
                "max": territory.cost_per_km_max
            }
        return errors

    def cost(self, territory=None) -> Decimal:
        if self.cost_per_km is not None:
            return self.cost_per_km
        return (territory or settings_get()).cost_per_km_default


def ride_fields(driver, origin: Place, destination: Place, terms: RideTerms) -> dict:
    """The fields shared by every departure of a ride, with its route on the road network."""
    graph = territory_graph()
    a = snap(graph, origin, "origin")
    b = snap(graph, destination, "destination")
    if a == b:
        raise ValidationError({"destination": _("Origin and destination are the same place.")})
    route = graph.route(a, b)
    if route is None:
        raise ValidationError({"destination": _("No road leads from the origin to this place.")})
    start, end = node_point(graph, a), node_point(graph, b)
    ratio = terms.max_detour_ratio
    return {
        "driver": driver,
        "origin_label": origin.label[:200] or _("Departure"),
        "destination_label": destination.label[:200] or _("Arrival"),
        "origin": start,
        "destination": end,
        "graph_name": graph.name,
        "origin_node": a,
        "destination_node": b,
        "route": LineString(route.coords, srid=4326),
        "distance_m": round(route.distance_m),
        "duration_s": round(route.duration_s),
        "reach": reach_box(start, end, reach_metres(route.distance_m, float(ratio))),
        "margin_minutes": terms.margin_minutes,
        "seats": terms.seats,
        "cost_per_km": terms.cost(),
        "max_detour_ratio": ratio,
        "instant_booking": terms.instant_booking,
        "comment": terms.comment[:1000],
        "car": terms.car.strip()[:100],
    }


def departure_offer(fields: dict, departure_at: datetime, **extra) -> Offer:
    window = active_window(
        departure_at, fields["margin_minutes"], fields["duration_s"], fields["max_detour_ratio"]
    )
    return Offer(**fields, departure_at=departure_at, active_window=window, **extra)


def _alerts_after_publish(offer_ids: list[int]) -> None:
    from .alerts import after_publish  # alerts build on these services

    after_publish(offer_ids)


def _may_act(user) -> None:
    """Receivers of `events.acting` may refuse (trust: a person suspended or banned here
    neither publishes nor books)."""
    events.acting.send(sender=Offer, user=user)


def offer_publish(
    *, driver, origin: Place, destination: Place, departure_at: datetime, **terms
) -> Offer:
    """Publish a one-off ride; `terms` are the fields of `RideTerms`."""
    _may_act(driver)
    ride_terms = RideTerms(**terms)
    errors = ride_terms.errors()
    if departure_at <= timezone.now():
        errors["departure_at"] = _("The departure must be in the future.")
    if errors:
        raise ValidationError(errors)
    offer = departure_offer(ride_fields(driver, origin, destination, ride_terms), departure_at)
    offer.save()
    _alerts_after_publish([offer.pk])
    return offer


MAX_SCHEDULE_DAYS = 366


def schedule_departures(
    times: Sequence[time | None], valid_from: date, valid_until: date
) -> list[datetime]:
    """Every departure of a weekly schedule within the period, in local time (DST-aware)."""
    days = (valid_until - valid_from).days + 1
    return [
        timezone.make_aware(datetime.combine(day, times[day.weekday()]))
        for day in (valid_from + timedelta(days=n) for n in range(max(0, days)))
        if times[day.weekday()] is not None
    ]


@transaction.atomic
def regular_ride_publish(
    *,
    driver,
    origin: Place,
    destination: Place,
    departure_times: Sequence[time | None],
    valid_from: date,
    valid_until: date,
    **terms,
) -> RegularRide:
    """Publish a weekly schedule: `departure_times[d]` is the time on weekday d (0 = Monday)
    or None. Every future departure in the period becomes an occurrence (an `Offer`)."""
    _may_act(driver)
    ride_terms = RideTerms(**terms)
    errors = ride_terms.errors()
    times = list(departure_times) + [None] * (7 - len(departure_times))
    today = timezone.localdate()
    if len(departure_times) > 7:
        errors["schedule"] = _("A week has seven days.")
    elif not any(times):
        errors["schedule"] = _("Choose at least one day of the week.")
    if valid_from < today:
        errors["valid_from"] = _("The period cannot start in the past.")
    if valid_until < valid_from:
        errors["valid_until"] = _("The period must end after it starts.")
    elif (valid_until - valid_from).days >= MAX_SCHEDULE_DAYS:
        errors["valid_until"] = _("A regular ride is published for one year at most.")
    departures = []
    if not errors:
        now = timezone.now()
        departures = [d for d in schedule_departures(times, valid_from, valid_until) if d > now]
        if not departures:
            errors["valid_until"] = _("No chosen day falls within this period.")
    if errors:
        raise ValidationError(errors)
    fields = ride_fields(driver, origin, destination, ride_terms)
    ride = RegularRide.objects.create(
        driver=driver, departure_times=times, valid_from=valid_from, valid_until=valid_until
    )
    created = Offer.objects.bulk_create(
        departure_offer(fields, at, regular_ride=ride) for at in departures
    )
    _alerts_after_publish([offer.pk for offer in created])
    return ride


@transaction.atomic
def regular_ride_cancel(ride: RegularRide, *, by, reason: str = "") -> RegularRide:
    """Cancel every departure still to come (passengers booked on them are told)."""
    ride = RegularRide.objects.select_for_update().get(pk=ride.pk)
    if ride.driver_id != by.pk:
        raise Conflict(_("Only the driver can cancel this ride."))
    if ride.status == RegularRide.Status.CANCELLED:
        raise Conflict(_("This ride is already cancelled."))
    ride.status = RegularRide.Status.CANCELLED
    ride.save(update_fields=["status"])
    upcoming = ride.occurrences.filter(status=Offer.Status.ACTIVE, departure_at__gt=timezone.now())
    for offer in upcoming:
        offer_cancel(offer, by=by, reason=reason)
    return ride


@transaction.atomic
def offer_cancel(offer: Offer, *, by, reason: str = "") -> Offer:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.driver_id != by.pk:
        raise Conflict(_("Only the driver can cancel this ride."))
    if offer.status == Offer.Status.CANCELLED:
        raise Conflict(_("This ride is already cancelled."))
    return _offer_end(offer, reason)


@transaction.atomic
def offer_withdraw(offer: Offer, *, reason: str) -> bool:
    """The territory's moderators take a ride off the site. A ride still to come is cancelled
    as if by its driver (its passengers are told); one that has left keeps its bookings, so
    that the journeys that took place can still be confirmed. True if it was withdrawn."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.ACTIVE or offer.departure_at <= timezone.now():
        return False
    _offer_end(offer, reason)
    return True


def _offer_end(offer: Offer, reason: str) -> Offer:
    offer.status = Offer.Status.CANCELLED
    offer.seats_taken = 0
    offer.save(update_fields=["status", "seats_taken"])
    affected = list(
        offer.bookings.filter(status__in=Booking.HOLDS_SEATS).select_related("passenger")
    )
    for booking in affected:
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_by = "driver"
        booking.cancel_reason = reason[:500]
        booking.save(update_fields=["status", "cancelled_by", "cancel_reason"])
        notifications.booking_changed(booking, "ride_cancelled", booking.passenger)
    return offer


@transaction.atomic
def offer_update(
    offer: Offer,
    *,
    by,
    seats: int | None = None,
    comment: str | None = None,
    instant_booking: bool | None = None,
) -> Offer:
    """The driver changes what does not move the route or the time: seats (never below those
    booked), the comment, instant booking. Passengers holding seats are told when the comment
    (meeting point, luggage…) or the seats change."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.driver_id != by.pk:
        raise Conflict(_("Only the driver can change this ride."))
    if offer.status != Offer.Status.ACTIVE or offer.departure_at <= timezone.now():
        raise Conflict(_("This ride can no longer be changed."))
    errors = {}
    if seats is not None and not 1 <= seats <= 8:
        errors["seats"] = _("From 1 to 8 seats.")
    elif seats is not None and seats < offer.seats_taken:
        errors["seats"] = _("%(n)d seats are already booked.") % {"n": offer.seats_taken}
    if comment is not None and len(comment) > 1000:
        errors["comment"] = _("1000 characters at most.")
    if errors:
        raise ValidationError(errors)
    changed = []
    for field, value in (("seats", seats), ("comment", comment)):
        if value is not None and value != getattr(offer, field):
            setattr(offer, field, value)
            changed.append(field)
    if instant_booking is not None:
        offer.instant_booking = instant_booking
    offer.save(update_fields=["seats", "comment", "instant_booking"])
    if changed:
        holding = offer.bookings.filter(status__in=Booking.HOLDS_SEATS).select_related("passenger")
        for booking in holding:
            notifications.booking_changed(booking, "ride_changed", booking.passenger)
    return offer


@transaction.atomic
def booking_request(
    *, offer_id: int, passenger, pickup: Place, dropoff: Place, seats: int = 1
) -> Booking:
    """Ask for `seats` seats (booked at once where the driver allows instant booking).

    The ride's row is locked while seats are counted, so concurrent requests for the last seat
    end with exactly one success; the database also refuses overbooking and overlapping
    bookings of one person."""
    from .selectors import match_one

    if not 1 <= seats <= 8:
        raise ValidationError({"seats": _("From 1 to 8 seats.")})
    offer = Offer.objects.select_for_update().filter(pk=offer_id).first()
    if offer is None:
        raise ValidationError({"offer": _("This ride does not exist.")})
    if offer.driver_id == passenger.pk:
        raise Conflict(_("You cannot book your own ride."))
    _may_act(passenger)
    blocks.ensure_not_blocked(passenger, offer.driver_id)
    if offer.status != Offer.Status.ACTIVE:
        raise Conflict(_("This ride has been cancelled."))
    if offer.departure_at <= timezone.now():
        raise Conflict(_("This ride has already left."))
    if offer.seats_left < seats:
        raise Conflict(
            _("Not enough seats left on this ride (%(left)d).") % {"left": offer.seats_left},
            "seats",
        )
    match = match_one(offer, pickup, dropoff)
    if match is None:
        raise Conflict(
            _("This ride cannot pick you up and drop you off within the driver's detour.")
        )
    instant = offer.instant_booking
    booking = Booking(
        offer=offer,
        passenger=passenger,
        seats=seats,
        status=Booking.Status.ACCEPTED if instant else Booking.Status.PENDING,
        decided_at=timezone.now() if instant else None,
        pickup_label=pickup.label[:200] or _("Pickup"),
        dropoff_label=dropoff.label[:200] or _("Drop-off"),
        pickup=match.pickup,
        dropoff=match.dropoff,
        pickup_at=match.pickup_at,
        dropoff_at=match.dropoff_at,
        distance_m=round(match.passenger_m),
        detour_s=max(0, round(match.detour_s)),
        price=share(match.passenger_m, offer.cost_per_km, seats),
    )
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        raise Conflict(_("You already have a booking at that time.")) from exc
    offer.seats_taken += seats
    offer.save(update_fields=["seats_taken"])
    if instant:
        notifications.booking_changed(booking, "accepted", passenger)
    else:
        notifications.booking_changed(booking, "requested", offer.driver)
    return booking


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("offer").get(pk=booking.pk)


@transaction.atomic
def booking_decide(booking: Booking, *, by, accept: bool) -> Booking:
    booking = _locked(booking)
    if booking.offer.driver_id != by.pk:
        raise Conflict(_("Only the driver decides on a booking."))
    if booking.status != Booking.Status.PENDING:
        raise Conflict(_("This booking has already been decided."))
    booking.status = Booking.Status.ACCEPTED if accept else Booking.Status.DECLINED
    booking.decided_at = timezone.now()
    booking.save(update_fields=["status", "decided_at"])
    if not accept:
        _release_seats(booking)
    notifications.booking_changed(booking, "accepted" if accept else "declined", booking.passenger)
    return booking


def _release_seats(booking: Booking) -> None:
    offer = Offer.objects.select_for_update().get(pk=booking.offer_id)
    offer.seats_taken = max(0, offer.seats_taken - booking.seats)
    offer.save(update_fields=["seats_taken"])


@transaction.atomic
def booking_cancel(booking: Booking, *, by, reason: str = "") -> Booking:
    booking = _locked(booking)
    side = (
        "passenger"
        if booking.passenger_id == by.pk
        else "driver"
        if booking.offer.driver_id == by.pk
        else None
    )
    if side is None:
        raise Conflict(_("Only the passenger or the driver can cancel this booking."))
    if not booking.holds_seats:
        raise Conflict(_("This booking is no longer active."))
    if booking.offer.departure_at <= timezone.now():
        raise Conflict(_("The ride has already left."))
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_by = side
    booking.cancel_reason = reason[:500]
    booking.save(update_fields=["status", "cancelled_by", "cancel_reason"])
    _release_seats(booking)
    other = booking.offer.driver if side == "passenger" else booking.passenger
    notifications.booking_changed(booking, "cancelled", other)
    return booking


@dataclass(frozen=True)
class Report:
    """What a browser may send with a confirmation: when and where the pickup and the drop-off
    took place. Every part is optional."""

    pickup_at: datetime | None = None
    dropoff_at: datetime | None = None
    pickup: Place | None = None
    dropoff: Place | None = None


REPORT_EARLIEST = timedelta(hours=6)  # before the booked pickup
REPORT_CLOCK_SKEW = timedelta(minutes=5)  # a browser's clock may run a little ahead
REPORT_MAX_OFFSET_M = 20_000  # from the booked point: further is another trip


def _report_errors(booking: Booking, report: Report) -> dict[str, str]:
    errors: dict[str, str] = {}
    earliest = booking.pickup_at - REPORT_EARLIEST
    latest = timezone.now() + REPORT_CLOCK_SKEW
    for name in ("pickup_at", "dropoff_at"):
        at = getattr(report, name)
        if at is not None and not earliest <= at <= latest:
            errors[name] = _("This time does not fit the ride (booked pickup at %(time)s).") % {
                "time": timezone.localtime(booking.pickup_at).strftime("%H:%M")
            }
    if report.pickup_at and report.dropoff_at and report.dropoff_at <= report.pickup_at:
        errors["dropoff_at"] = _("The drop-off comes after the pickup.")
    for name, booked in (("pickup", booking.pickup), ("dropoff", booking.dropoff)):
        place = getattr(report, name)
        if place is None:
            continue
        if not valid_coordinates(place):
            errors[name] = _("Invalid coordinates.")
        elif _metres(booked, place) > REPORT_MAX_OFFSET_M:
            errors[name] = _("This position is far from the booked place.")
    return errors


def _metres(a: Point, b: Place) -> float:
    """Straight-line distance, accurate enough at a few kilometres."""
    dx = (b.lon - a.x) * math.cos(math.radians(a.y))
    return math.hypot(dx, b.lat - a.y) * METRES_PER_DEGREE


def _point(place: Place | None) -> Point | None:
    return Point(place.lon, place.lat, srid=4326) if place else None


@transaction.atomic
def booking_confirm(booking: Booking, *, by, report: Report | None = None) -> Booking:
    """Driver and passenger each confirm the ride took place, optionally with the times and
    positions their browser reported; both confirmations → a journey. Confirming again
    changes nothing."""
    booking = _locked(booking)
    if booking.status != Booking.Status.ACCEPTED:
        raise Conflict(_("Only an accepted booking can be confirmed."))
    if booking.pickup_at > timezone.now():
        raise Conflict(_("The ride can be confirmed once it has taken place."))
    if by.pk == booking.offer.driver_id:
        side = Confirmation.Side.DRIVER
    elif by.pk == booking.passenger_id:
        side = Confirmation.Side.PASSENGER
    else:
        raise Conflict(_("Only the passenger or the driver can confirm this ride."))
    report = report or Report()
    errors = _report_errors(booking, report)
    if errors:
        raise ValidationError(errors)
    confirmation, created = Confirmation.objects.get_or_create(
        booking=booking,
        side=side,
        defaults={
            "pickup_at": report.pickup_at,
            "dropoff_at": report.dropoff_at,
            "pickup": _point(report.pickup),
            "dropoff": _point(report.dropoff),
        },
    )
    if created:
        setattr(booking, f"{side}_confirmed_at", confirmation.confirmed_at)
        booking.save(update_fields=[f"{side}_confirmed_at"])
    if booking.driver_confirmed_at and booking.passenger_confirmed_at:
        _journey_create(booking)
    return booking


def _journey_create(booking: Booking) -> Journey:
    journey, _created = Journey.objects.get_or_create(
        booking=booking,
        defaults={
            "driver_id": booking.offer.driver_id,
            "passenger_id": booking.passenger_id,
            "pickup_at": booking.pickup_at,
            "dropoff_at": booking.dropoff_at,
            "pickup": booking.pickup,
            "dropoff": booking.dropoff,
            "distance_m": booking.distance_m,
            "duration_s": round((booking.dropoff_at - booking.pickup_at) / timedelta(seconds=1)),
            "seats": booking.seats,
            "amount": booking.price,
            "pickup_commune": commune_at(booking.pickup),
            "dropoff_commune": commune_at(booking.dropoff),
            "driver_confirmed_at": booking.driver_confirmed_at,
            "passenger_confirmed_at": booking.passenger_confirmed_at,
        },
    )
    return journey


def search_logged(pickup: Place, dropoff: Place, matches: list) -> None:
    """Record a search for the territory's figures: areas and result count, nobody's
    identity."""
    from matching.network import commune_at

    SearchLog.objects.create(
        origin_area=commune_at(Point(pickup.lon, pickup.lat, srid=4326)),
        destination_area=commune_at(Point(dropoff.lon, dropoff.lat, srid=4326)),
        results=min(len(matches), 32_767),
    )
