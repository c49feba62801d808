"""Alerts (saved searches): a passenger is told when a ride is published that the matching
engine would have shown them for this trip, on one of the chosen weekdays, within the pickup
time window, until the alert expires.

Matching runs after the publishing transaction commits: the indexed prefilter keeps the
alerts whose two ends lie in the ride's reach and whose days and seats fit, then the engine
computes the exact detour and pickup time as for a search. With few alerts in the territory
this runs right away; beyond INLINE_MAX it is handed to the worker (both through the outbox,
notifications.outbox: a failure is retried, never lost)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core import blocks
from matching.network import Place, commune_at, node_point, snap, territory_graph
from notifications import outbox
from notifications.models import Kind
from notifications.services import notify

from .errors import Conflict, ValidationError
from .models import Alert, AlertMatch, Offer
from .notifications import ride_label
from .selectors import ride_serves

INLINE_MAX = 50  # active alerts in the territory above which matching goes to Celery
MAX_DAYS_AHEAD = 366


def active() -> Iterable[Alert]:
    return Alert.objects.filter(cancelled_at__isnull=True, expires_on__gte=timezone.localdate())


def alert_errors(
    *,
    days: Iterable[int] | None = None,
    earliest: time | None = None,
    latest: time | None = None,
    expires_on: date | None = None,
    seats: int | None = None,
) -> dict[str, str]:
    """What is wrong with an alert's days, times, end and seats, checking what is given (the
    form shows these with its fields' own errors, all at once)."""
    errors: dict[str, str] = {}
    if days is not None:
        days = list(days)
        if not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            errors["days"] = _("Choose at least one day of the week.")
    if earliest is not None and latest is not None and latest <= earliest:
        errors["latest"] = _("The latest pickup must come after the earliest.")
    today = timezone.localdate()
    if expires_on is not None and expires_on < today:
        errors["expires_on"] = _("The alert cannot end in the past.")
    elif expires_on is not None and (expires_on - today).days > MAX_DAYS_AHEAD:
        errors["expires_on"] = _("An alert lasts one year at most.")
    if seats is not None and not 1 <= seats <= 8:
        errors["seats"] = _("From 1 to 8 seats.")
    return errors


@transaction.atomic
def alert_create(
    *,
    passenger,
    origin: Place,
    destination: Place,
    days: Iterable[int],
    earliest: time,
    latest: time,
    expires_on: date,
    seats: int = 1,
) -> Alert:
    days = sorted(set(days))
    errors = alert_errors(
        days=days, earliest=earliest, latest=latest, expires_on=expires_on, seats=seats
    )
    graph = territory_graph()
    nodes = {}
    for field, place in (("origin", origin), ("destination", destination)):
        try:
            nodes[field] = snap(graph, place, field)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if len(nodes) == 2 and nodes["origin"] == nodes["destination"]:
        errors["destination"] = _("Origin and destination are the same place.")
    if errors:
        raise ValidationError(errors)
    if active().filter(passenger=passenger).count() >= Alert.MAX_ACTIVE:
        raise Conflict(
            _("You have %(max)d alerts already: delete one first.") % {"max": Alert.MAX_ACTIVE}
        )
    start, end = node_point(graph, nodes["origin"]), node_point(graph, nodes["destination"])
    return Alert.objects.create(
        passenger=passenger,
        origin_label=origin.label[:200] or _("Departure"),
        destination_label=destination.label[:200] or _("Arrival"),
        origin=start,
        destination=end,
        origin_area=commune_at(start),
        destination_area=commune_at(end),
        days=days,
        earliest=earliest,
        latest=latest,
        seats=seats,
        expires_on=expires_on,
    )


def alert_cancel(alert: Alert, *, by) -> Alert:
    if alert.passenger_id != by.pk:
        raise Conflict(_("Only the person who saved this alert can delete it."))
    if alert.cancelled_at is None:
        alert.cancelled_at = timezone.now()
        alert.save(update_fields=["cancelled_at"])
    return alert


def _window(alert: Alert, day: date) -> tuple[datetime, datetime]:
    return (
        timezone.make_aware(datetime.combine(day, alert.earliest)),
        timezone.make_aware(datetime.combine(day, alert.latest)),
    )


def candidates_for(offer: Offer):
    """Alerts that may be served by the ride (never drops one the engine would accept): both
    ends inside the ride's reach, the departure's weekday chosen, enough seats left, not the
    driver's own nor someone blocked either way, not expired on that day."""
    day = timezone.localtime(offer.departure_at).date()
    return (
        active()
        .filter(
            origin__coveredby=offer.reach,
            destination__coveredby=offer.reach,
            days__contains=[day.weekday()],
            expires_on__gte=day,
            seats__lte=offer.seats - offer.seats_taken,
        )
        .exclude(passenger_id=offer.driver_id)
        .exclude(passenger_id__in=blocks.hidden_from(offer.driver))
        .exclude(matches__offer=offer)
        .select_related("passenger")
    )


TEMPLATE = gettext_noop("A new ride matches your alert %(alert)s: %(ride)s, pickup at %(time)s")


def alerts_match_offers(offer_ids: Iterable[int]) -> int:
    """Run every active alert against the given rides; notify each passenger once per ride.
    Returns the number of notifications."""
    graph = territory_graph()
    routes: dict[tuple[int, int], object] = {}
    fired = 0
    offers = Offer.objects.filter(pk__in=list(offer_ids), status=Offer.Status.ACTIVE)
    for offer in offers:
        day = timezone.localtime(offer.departure_at).date()
        for alert in candidates_for(offer):
            p = graph.snap(alert.origin.x, alert.origin.y)[0][0]
            d = graph.snap(alert.destination.x, alert.destination.y)[0][0]
            if (p, d) not in routes:
                routes[(p, d)] = graph.route(int(p), int(d))
            if routes[(p, d)] is None:
                continue
            start, end = _window(alert, day)
            found = ride_serves(graph, offer, int(p), int(d), start, end, routes[(p, d)])
            if found is None:
                continue
            match, created = AlertMatch.objects.get_or_create(
                alert=alert, offer=offer, defaults={"pickup_at": found.pickup_at}
            )
            if not created:
                continue
            notify(
                alert.passenger,
                Kind.ALERT_MATCH,
                TEMPLATE,
                {
                    "alert": str(alert),
                    "ride": ride_label(offer),
                    "time": timezone.localtime(match.pickup_at).strftime("%H:%M"),
                },
                reverse("offer_detail", args=[offer.pk]),
            )
            fired += 1
    return fired


def alerts_after_publish(offer_ids: list[int]) -> None:
    """Match the new rides against the alerts once the publication is committed: an outbox
    row, tried at once after commit when the territory has few alerts, by the worker beyond."""
    outbox.enqueue(
        "trips.match_alerts", {"offers": offer_ids}, at_once=active().count() <= INLINE_MAX
    )


@outbox.handler("trips.match_alerts", gettext_lazy("Alerts for new rides"))
def alerts_deliver(payload: dict, key: str) -> None:
    alerts_match_offers(payload["offers"])


def alerts_page_rows(user) -> list[Alert]:
    return list(
        Alert.objects.filter(passenger=user, cancelled_at__isnull=True)
        .prefetch_related("matches__offer")
        .order_by("-created_at")
    )
