"""Regular rides: a weekly schedule published for a period, each departure an `Offer` that
passengers book like a one-off ride."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.network import Place

from .. import alerts
from ..errors import Conflict, ValidationError
from ..models import Offer, RegularRide
from .rides import (
    RideTerms,
    beyond_horizon,
    departure_offer,
    ensure_may_act,
    offer_cancel,
    ride_fields,
)

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


def schedule_errors(
    departure_times: Sequence[time | None], valid_from: date | None, valid_until: date | None
) -> dict[str, str]:
    """What is wrong with a weekly schedule and its period, checking what is given (the form
    shows these with the other fields' errors, before publishing)."""
    errors: dict[str, str] = {}
    if len(departure_times) > 7:
        errors["schedule"] = _("A week has seven days.")
    elif not any(departure_times):
        errors["schedule"] = _("Choose at least one day of the week.")
    if valid_from is not None:
        if valid_from < timezone.localdate():
            errors["valid_from"] = _("The period cannot start in the past.")
        elif message := beyond_horizon(valid_from):
            errors["valid_from"] = message
    if valid_until is None:
        return errors
    if valid_from is not None and valid_until < valid_from:
        errors["valid_until"] = _("The period must end after it starts.")
    elif valid_from is not None and (valid_until - valid_from).days >= MAX_SCHEDULE_DAYS:
        errors["valid_until"] = _("A regular ride is published for one year at most.")
    elif message := beyond_horizon(valid_until):
        errors["valid_until"] = message
    return errors


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
    ensure_may_act(driver)
    ride_terms = RideTerms(**terms)
    errors = ride_terms.errors() | schedule_errors(departure_times, valid_from, valid_until)
    times = list(departure_times) + [None] * (7 - len(departure_times))
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
    alerts.alerts_after_publish([offer.pk for offer in created])
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
