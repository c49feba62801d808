"""Publishing a one-off ride and changing it afterwards: the terms a driver offers, the route on
the road network, cancelling, moderators' withdrawal, changes that keep route and time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.gis.geos import LineString
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from matching.network import (
    Place,
    node_point,
    reach_box,
    reach_metres,
    snap,
    territory_graph,
)
from themes.selectors import publication_last_day, settings_get

from .. import alerts, events, notifications
from ..errors import Conflict, ValidationError
from ..models import Booking, Offer


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
                "max": formats.localize(territory.cost_per_km_max)
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


def beyond_horizon(day) -> str | None:
    """The message refusing a departure on `day`, if it is past the territory's horizon."""
    last = publication_last_day()
    if day <= last:
        return None
    return _("Rides are published at most %(days)d days ahead: the last day is %(last)s.") % {
        "days": settings_get().publication_horizon_days,
        "last": formats.date_format(last, "SHORT_DATE_FORMAT"),
    }


def departure_errors(departure_at: datetime) -> dict[str, str]:
    """What is wrong with a one-off ride's departure (the form shows it with the other fields'
    errors, before publishing)."""
    if departure_at <= timezone.now():
        return {"departure_at": _("The departure must be in the future.")}
    if message := beyond_horizon(timezone.localdate(departure_at)):
        return {"departure_at": message}
    return {}


def ensure_may_act(user) -> None:
    """Receivers of `events.acting` may refuse (trust: a person suspended or banned here
    neither publishes nor books)."""
    events.acting.send(sender=Offer, user=user)


def offer_publish(
    *, driver, origin: Place, destination: Place, departure_at: datetime, **terms
) -> Offer:
    """Publish a one-off ride; `terms` are the fields of `RideTerms`."""
    ensure_may_act(driver)
    ride_terms = RideTerms(**terms)
    errors = ride_terms.errors() | departure_errors(departure_at)
    if errors:
        raise ValidationError(errors)
    offer = departure_offer(ride_fields(driver, origin, destination, ride_terms), departure_at)
    offer.save()
    alerts.alerts_after_publish([offer.pk])
    return offer


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
