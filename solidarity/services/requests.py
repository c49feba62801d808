"""A solidarity request from its creation (by an operator, or by the person online) to its
end: closed after the trip, cancelled, or unmet. Proposals and the assignment in between are
`dispatch`. Every change is written to the request's diary."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from matching.models import PlaceName
from matching.network import Place, node_point, snap, territory_graph
from tenants.models import Area
from themes.selectors import settings_get
from trips.errors import ValidationError

from .. import outbox
from ..models import Beneficiary, DiaryEntry, Need, Proposal, Purpose, Request, Structure
from .checks import (
    needs_check,
    operator_require,
    request_expect,
    request_lock,
    solidarity_require,
)

# The time a volunteer is taken around a trip (docs/solidarity.md): from an hour before the
# earliest pickup to an hour after the last drive back.
BUSY_MARGIN = timedelta(hours=1)


def busy_range(
    window_start: datetime, window_end: datetime, duration_s: float, return_kind, return_at
):
    """When the assigned volunteer is taken: an hour before the earliest pickup to an hour
    after the last possible drive ends (with the return leg when there is one)."""
    last = window_end + timedelta(seconds=duration_s)
    if return_kind == Request.Return.WAIT:
        last += timedelta(seconds=duration_s) + timedelta(hours=2)  # the appointment + back
    elif return_kind == Request.Return.AGAIN and return_at:
        last = max(last, return_at + timedelta(seconds=duration_s))
    return (window_start - BUSY_MARGIN, last + BUSY_MARGIN)


def diary_write(request: Request, actor, action: str, note: str = "") -> None:
    DiaryEntry.objects.create(
        request=request, actor=actor, action=action, status=request.status, note=note[:500]
    )


def _asker_check(operator, beneficiary: Beneficiary) -> bool:
    """Whether the person asks themself online; otherwise an operator of their structure asks
    for them. Nobody asks for an erased or ineligible person."""
    solidarity_require()
    online = beneficiary.user_id is not None and beneficiary.user_id == operator.pk
    if not online:
        operator_require(operator, beneficiary.structure)
    if beneficiary.erased_at:
        raise Conflict(_("This person's record was erased."))
    if not beneficiary.eligible:
        raise Conflict(
            _("This person is not eligible: %(why)s.") % {"why": beneficiary.eligibility_detail}
        )
    return online


def _fields_check(
    structure: Structure,
    purpose: Purpose,
    needs: list[Need],
    window_start: datetime,
    window_end: datetime,
    return_kind: str,
    return_at: datetime | None,
) -> None:
    errors: dict[str, str] = {}
    if purpose.structure_id != structure.pk:
        errors["purpose"] = _("This purpose belongs to another structure.")
    needs_check(needs, structure, errors)
    errors |= timing_errors(window_start, window_end, return_kind, return_at)
    if errors:
        raise ValidationError(errors)


def timing_errors(
    window_start: datetime, window_end: datetime, return_kind: str, return_at: datetime | None
) -> dict[str, str]:
    """What is wrong with a request's times and return (the form shows these with its other
    fields' errors, all at once)."""
    errors: dict[str, str] = {}
    if window_start <= timezone.now():
        errors["window_start"] = _("The pickup must be in the future.")
    if window_end < window_start:
        errors["window_end"] = _("The window must end after it starts.")
    if return_kind not in Request.Return.values:
        errors["return_kind"] = _("Unknown kind of return.")
    elif return_kind == Request.Return.AGAIN and (return_at is None or return_at <= window_end):
        errors["return_at"] = _("Give a return pickup time after the outward trip.")
    return errors


def _road(graph, pickup: Place, destination: Place):
    """The road nodes of the pickup and the destination, and the route between them, within
    the territory's limit."""
    p, d = snap(graph, pickup, "pickup"), snap(graph, destination, "destination")
    route = graph.route(p, d) if p != d else None
    if route is None:
        raise ValidationError({"destination": _("No road leads from the pickup to this place.")})
    limit_km = settings_get().solidarity_max_trip_km
    if route.distance_m > limit_km * 1000:
        raise ValidationError(
            {
                "destination": _(
                    "This trip is %(km).0f km long; solidarity trips are limited to %(max)d km "
                    "in this territory."
                )
                % {"km": route.distance_m / 1000, "max": limit_km}
            }
        )
    return p, d, route


@transaction.atomic
def request_create(
    *,
    operator,
    beneficiary: Beneficiary,
    purpose: Purpose,
    destination: Place,
    window_start: datetime,
    window_end: datetime,
    pickup: Place | None = None,
    return_kind: str = Request.Return.NONE,
    return_at: datetime | None = None,
    needs: list[Need] | tuple | None = None,
    notes: str = "",
) -> Request:
    online = _asker_check(operator, beneficiary)
    structure = beneficiary.structure
    needs = list(beneficiary.needs.all()) if needs is None else list(needs)
    _fields_check(structure, purpose, needs, window_start, window_end, return_kind, return_at)
    graph = territory_graph()
    if pickup is None:
        pickup = Place(beneficiary.home.x, beneficiary.home.y, beneficiary.home_label)
    p, d, route = _road(graph, pickup, destination)
    request = Request.objects.create(
        structure=structure,
        beneficiary=beneficiary,
        purpose=purpose,
        pickup_label=pickup.label[:200] or _("Pickup"),
        pickup=node_point(graph, p),
        pickup_node=p,
        pickup_area=_area_name(node_point(graph, p), graph.name),
        destination_label=destination.label[:200] or _("Destination"),
        destination=node_point(graph, d),
        destination_node=d,
        distance_m=round(route.distance_m),
        duration_s=round(route.duration_s),
        window_start=window_start,
        window_end=window_end,
        return_kind=return_kind,
        return_at=return_at if return_kind == Request.Return.AGAIN else None,
        busy=busy_range(window_start, window_end, route.duration_s, return_kind, return_at),
        notes=notes[:2000],
        created_by=operator,
    )
    request.needs.set(needs)
    diary_write(request, operator, "created online" if online else "created")
    if online:
        outbox.to_operators(request, "requested")
    return request


NEAR_PLACE_M = 5_000
# Kinds of the place index (matching/gazetteer.py); "place": an index built before the kinds.
TOWNS = ("city", "town", "village", "hamlet", "place")


def _area_name(point: Point, graph_name: str) -> str:
    """The commune of a point, or the nearest town or village when no commune boundary is
    known there: precise enough to decide, never an address."""
    area = Area.objects.filter(geometry__intersects=point).only("name").first()
    if area:
        return area.name
    degrees = NEAR_PLACE_M / (111_195 * max(0.01, math.cos(math.radians(point.y))))
    town = (
        PlaceName.objects.filter(graph=graph_name, kind__in=TOWNS, point__dwithin=(point, degrees))
        .annotate(distance=Distance("point", point))
        .order_by("distance")
        .values_list("name", flat=True)
        .first()
    )
    return town or ""


def request_step(request: Request, operator, expected: str, status: str, action: str):
    """An operator moves a request from `expected` to `status`, written to the diary."""
    request = request_lock(request)
    operator_require(operator, request.structure)
    request_expect(request, expected)
    request.status = status
    request.save(update_fields=["status"])
    diary_write(request, operator, action)
    return request


@transaction.atomic
def request_close(request: Request, *, operator) -> Request:
    return request_step(request, operator, Request.Status.DONE, Request.Status.CLOSED, "closed")


def _request_end(request: Request, operator, reason: str, status: str, *expected: str):
    """Close a request with its reason; the proposals still open are released and returned."""
    request = request_lock(request)
    operator_require(operator, request.structure)
    request_expect(request, *expected)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    request.status, request.status_reason = status, reason.strip()[:300]
    request.save(update_fields=["status", "status_reason"])
    released = list(
        request.proposals.filter(status=Proposal.Status.PROPOSED).select_related("volunteer__user")
    )
    Proposal.objects.filter(pk__in=[p.pk for p in released]).update(
        status=Proposal.Status.RELEASED, decided_at=timezone.now()
    )
    return request, released


@transaction.atomic
def request_cancel(request: Request, *, operator, reason: str) -> Request:
    request, released = _request_end(
        request,
        operator,
        reason,
        Request.Status.CANCELLED,
        "new",
        "proposed",
        "accepted",
        "confirmed",
    )
    for proposal in released:
        outbox.to_volunteer(proposal.volunteer, request, "cancelled")
    if request.volunteer:
        outbox.to_volunteer(request.volunteer, request, "cancelled")
    diary_write(request, operator, "cancelled", reason)
    return request


@transaction.atomic
def request_mark_unmet(request: Request, *, operator, reason: str) -> Request:
    """No solution was found: the request is closed as unmet, with its reason (counted in the
    territory's figures)."""
    request, _released = _request_end(
        request, operator, reason, Request.Status.UNMET, "new", "proposed"
    )
    diary_write(request, operator, "unmet", reason)
    return request
