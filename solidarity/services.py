"""Writes for solidarity transport, in the territory's schema. Field problems raise
ValidationError (400), state and permission problems Conflict (409) or PermissionDenied (403).
Every change of a request is written to its diary in the same transaction."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict
from matching.models import PlaceName
from matching.network import Place, commune_at, node_point, snap, territory_graph
from tenants.members.models import Membership, Role
from tenants.models import Area
from themes.services import settings_get
from trips.errors import ValidationError
from trips.models import Journey

from . import outbox
from .models import (
    Absence,
    Availability,
    Beneficiary,
    DiaryEntry,
    Need,
    Period,
    Proposal,
    Purpose,
    Request,
    Structure,
    Volunteer,
)
from .ranking import rank

# Listed social criteria an operator may attest (décret 2019-850: people with low resources).
SOCIAL_CRITERIA = {
    "rsa": gettext_lazy("Revenu de solidarité active (RSA)"),
    "aspa": gettext_lazy("Allocation de solidarité aux personnes âgées (ASPA)"),
    "aah": gettext_lazy("Allocation aux adultes handicapés (AAH)"),
    "ass": gettext_lazy("Allocation de solidarité spécifique (ASS)"),
    "css": gettext_lazy("Complémentaire santé solidaire (CSS)"),
}

# The time a volunteer is taken around a trip (docs/solidarity.md): from an hour before the
# earliest pickup to an hour after the last drive back.
BUSY_MARGIN = timedelta(hours=1)


# --- who may act ------------------------------------------------------------------------------
def structures_operated(user) -> list[Structure]:
    return list(Structure.objects.filter(operators=user))


def ensure_operator(user, structure: Structure) -> None:
    if not structure.operators.filter(pk=user.pk).exists():
        raise PermissionDenied(
            _("You are not an operator of %(structure)s.") % {"structure": structure.name}
        )


def ensure_enabled() -> None:
    if not settings_get().solidarity_enabled:
        raise Conflict(_("Solidarity transport is not switched on in this territory."))


def _check_needs(needs, structure: Structure, errors: dict) -> None:
    if any(n.structure_id != structure.pk for n in needs):
        errors["needs"] = _("These needs belong to another structure.")


def _home_node(graph, home: Place, errors: dict) -> int:
    """The road node of a home, raising every field error gathered so far with its own."""
    try:
        node = snap(graph, home, "home")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return node


# --- structures ---------------------------------------------------------------------------------
def structure_create(*, name: str, phone: str = "") -> Structure:
    if Structure.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A structure already has this name.")})
    return Structure.objects.create(name=name, phone=phone.strip()[:30])


def purpose_add(structure: Structure, name: str) -> Purpose:
    if structure.purposes.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("This purpose already exists.")})
    return Purpose.objects.create(structure=structure, name=name[:80])


def need_add(structure: Structure, name: str, accessible: bool = False) -> Need:
    if structure.needs.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("This need already exists.")})
    return Need.objects.create(
        structure=structure, name=name[:80], requires_accessible_vehicle=accessible
    )


# --- beneficiaries ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    basis: str
    detail: str


def eligibility(home: Point, social_criterion: str = "") -> Eligibility:
    """The territory's rule applied to a home: the French frame by default (home commune
    under the population threshold, or a listed social criterion), or everyone registered."""
    current = settings_get()
    if current.solidarity_rule == "anyone":
        return Eligibility(True, Beneficiary.Basis.TERRITORY, _("Territory rule: everyone"))
    area = Area.objects.filter(geometry__intersects=home).only("name", "population").first()
    threshold = current.solidarity_population_threshold
    if area and area.population is not None and area.population < threshold:
        return Eligibility(
            True,
            Beneficiary.Basis.COMMUNE,
            _("%(area)s: %(population)d inhabitants, under %(threshold)d")
            % {"area": area.name, "population": area.population, "threshold": threshold},
        )
    if social_criterion in SOCIAL_CRITERIA:
        return Eligibility(True, Beneficiary.Basis.SOCIAL, str(SOCIAL_CRITERIA[social_criterion]))
    if area is None or area.population is None:
        why = _("population of the home commune unknown and no social criterion")
    else:
        why = _("%(area)s: %(population)d inhabitants, not under %(threshold)d") % {
            "area": area.name,
            "population": area.population,
            "threshold": threshold,
        }
    return Eligibility(False, Beneficiary.Basis.NONE, why)


@transaction.atomic
def beneficiary_register(
    *,
    operator,
    structure: Structure,
    first_name: str,
    last_name: str,
    home: Place,
    phone: str = "",
    needs: list[Need] | tuple = (),
    notes: str = "",
    social_criterion: str = "",
    email: str = "",
) -> Beneficiary:
    """Register a person; `email` links their account (a member of this territory) when they
    can also ask online."""
    ensure_enabled()
    ensure_operator(operator, structure)
    errors = {}
    if not first_name.strip():
        errors["first_name"] = _("This field is required.")
    if not last_name.strip():
        errors["last_name"] = _("This field is required.")
    if social_criterion and social_criterion not in SOCIAL_CRITERIA:
        errors["social_criterion"] = _("Unknown social criterion.")
    _check_needs(needs, structure, errors)
    account = None
    if email:
        member = Membership.objects.filter(user__email__iexact=email).select_related("user")
        account = member.first().user if member.exists() else None
        if account is None:
            errors["email"] = _("No member of this territory has this e-mail address.")
    graph = territory_graph()
    node = _home_node(graph, home, errors)
    point = node_point(graph, node)
    decision = eligibility(point, social_criterion)
    beneficiary = Beneficiary.objects.create(
        structure=structure,
        first_name=first_name.strip()[:80],
        last_name=last_name.strip()[:80],
        phone=phone.strip()[:30],
        home_label=home.label[:200] or _("Home"),
        home=point,
        home_area=commune_at(point),
        notes=notes[:2000],
        eligible=decision.eligible,
        eligibility_basis=decision.basis,
        eligibility_detail=decision.detail[:300],
        social_criterion=social_criterion if decision.basis == Beneficiary.Basis.SOCIAL else "",
        decided_by=operator,
        user=account,
    )
    beneficiary.needs.set(needs)
    return beneficiary


def beneficiary_export(beneficiary: Beneficiary) -> dict:
    """Everything kept about a person, for a request of access (RGPD art. 15)."""
    return {
        "first_name": beneficiary.first_name,
        "last_name": beneficiary.last_name,
        "phone": beneficiary.phone,
        "home": beneficiary.home_label,
        "needs": [n.name for n in beneficiary.needs.all()],
        "notes": beneficiary.notes,
        "eligibility": {
            "eligible": beneficiary.eligible,
            "basis": beneficiary.eligibility_basis,
            "detail": beneficiary.eligibility_detail,
        },
        "registered_at": beneficiary.created_at.isoformat(),
        "requests": [
            {
                "purpose": r.purpose.name,
                "from": r.pickup_label,
                "to": r.destination_label,
                "window": [r.window_start.isoformat(), r.window_end.isoformat()],
                "status": r.status,
                "diary": [
                    {"at": e.at.isoformat(), "action": e.action, "note": e.note}
                    for e in r.diary.all()
                ],
            }
            for r in beneficiary.requests.select_related("purpose")
        ],
    }


def _coarse(point: Point | None) -> Point | None:
    """About a kilometre of precision: enough for figures by commune, not an address."""
    return Point(round(point.x, 2), round(point.y, 2), srid=4326) if point else None


@transaction.atomic
def beneficiary_erase(beneficiary: Beneficiary, *, operator) -> Beneficiary:
    """Erase a person on request (RGPD art. 17): their identity, contact, notes and exact
    places go; their trips stay, anonymous, for the territory's figures."""
    ensure_operator(operator, beneficiary.structure)
    if beneficiary.requests.filter(
        status__in=["new", "proposed", "accepted", "confirmed"]
    ).exists():
        raise Conflict(_("Cancel this person's open requests first."))
    erased = _("Erased")
    beneficiary.first_name, beneficiary.last_name = erased, str(beneficiary.pk)
    beneficiary.phone = beneficiary.notes = beneficiary.social_criterion = ""
    beneficiary.home_label = "—"
    beneficiary.home = None
    beneficiary.user = None
    beneficiary.erased_at = timezone.now()
    beneficiary.save()
    beneficiary.needs.clear()
    for request in beneficiary.requests.all():
        request.pickup_label = request.destination_label = "—"
        request.pickup, request.destination = _coarse(request.pickup), _coarse(request.destination)
        request.notes = ""
        request.save(
            update_fields=["pickup_label", "destination_label", "pickup", "destination", "notes"]
        )
        request.diary.update(note="")
    for journey in Journey.objects.filter(solidarity_request__beneficiary=beneficiary):
        journey.pickup, journey.dropoff = _coarse(journey.pickup), _coarse(journey.dropoff)
        journey.save(update_fields=["pickup", "dropoff"])
    return beneficiary


# --- volunteers ---------------------------------------------------------------------------------
@transaction.atomic
def volunteer_apply(
    *,
    user,
    structure: Structure,
    home: Place,
    seats: int = 3,
    accessible_vehicle: bool = False,
    max_trip_km: int = 60,
    needs: list[Need] | tuple = (),
    phone: str = "",
) -> Volunteer:
    """A person offers to drive for a structure; they are a candidate until an operator
    accepts them."""
    ensure_enabled()
    errors = {}
    if not 1 <= seats <= 8:
        errors["seats"] = _("From 1 to 8 seats.")
    if not 1 <= max_trip_km <= 1000:
        errors["max_trip_km"] = _("From 1 to 1,000 km.")
    _check_needs(needs, structure, errors)
    graph = territory_graph()
    node = _home_node(graph, home, errors)
    if Volunteer.objects.filter(user=user, structure=structure).exists():
        raise Conflict(_("You already volunteer for this structure."))
    volunteer = Volunteer.objects.create(
        user=user,
        structure=structure,
        phone=phone.strip()[:30],
        seats=seats,
        accessible_vehicle=accessible_vehicle,
        home_label=home.label[:200] or _("Home"),
        home=node_point(graph, node),
        home_node=node,
        max_trip_km=max_trip_km,
    )
    volunteer.needs.set(needs)
    return volunteer


@transaction.atomic
def volunteer_accept(volunteer: Volunteer, *, operator) -> Volunteer:
    ensure_operator(operator, volunteer.structure)
    if volunteer.status == Volunteer.Status.ACCEPTED:
        raise Conflict(_("This volunteer is already accepted."))
    volunteer.status = Volunteer.Status.ACCEPTED
    volunteer.accepted_at = timezone.now()
    volunteer.save(update_fields=["status", "accepted_at"])
    membership = Membership.objects.filter(user=volunteer.user).first()
    if membership and Role.VOLUNTEER not in membership.roles:
        membership.roles = sorted({*membership.roles, Role.VOLUNTEER})
        membership.save(update_fields=["roles"])
    return volunteer


@transaction.atomic
def availability_set(volunteer: Volunteer, slots: list[tuple]) -> None:
    """Replace the weekly slots: (weekday, period, start, end) each, start before end."""
    errors = []
    for weekday, period, start, end in slots:
        if not 0 <= weekday <= 6 or period not in Period.values:
            errors.append(_("Unknown day or part of the day."))
        elif not start < end:
            errors.append(_("A time range must end after it starts."))
    if len({(w, p) for w, p, _s, _e in slots}) != len(slots):
        errors.append(_("Each part of a day appears once."))
    if errors:
        raise ValidationError({"availability": errors[0]})
    volunteer.availability.all().delete()
    Availability.objects.bulk_create(
        Availability(volunteer=volunteer, weekday=w, period=p, start=s, end=e)
        for w, p, s, e in slots
    )


def absence_add(volunteer: Volunteer, first_day, last_day) -> Absence:
    if last_day < first_day:
        raise ValidationError({"last_day": _("The absence must end after it starts.")})
    return Absence.objects.create(volunteer=volunteer, first_day=first_day, last_day=last_day)


# --- requests -----------------------------------------------------------------------------------
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


def _diary(request: Request, actor, action: str, note: str = "") -> None:
    DiaryEntry.objects.create(
        request=request, actor=actor, action=action, status=request.status, note=note[:500]
    )


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
    ensure_enabled()
    structure = beneficiary.structure
    online = beneficiary.user_id is not None and beneficiary.user_id == operator.pk
    if not online:  # the person asks themself online, or an operator of their structure
        ensure_operator(operator, structure)
    if beneficiary.erased_at:
        raise Conflict(_("This person's record was erased."))
    if not beneficiary.eligible:
        raise Conflict(
            _("This person is not eligible: %(why)s.") % {"why": beneficiary.eligibility_detail}
        )
    needs = list(beneficiary.needs.all()) if needs is None else list(needs)
    errors: dict[str, str] = {}
    if purpose.structure_id != structure.pk:
        errors["purpose"] = _("This purpose belongs to another structure.")
    _check_needs(needs, structure, errors)
    if window_start <= timezone.now():
        errors["window_start"] = _("The pickup must be in the future.")
    if window_end < window_start:
        errors["window_end"] = _("The window must end after it starts.")
    if return_kind not in Request.Return.values:
        errors["return_kind"] = _("Unknown kind of return.")
    elif return_kind == Request.Return.AGAIN and (return_at is None or return_at <= window_end):
        errors["return_at"] = _("Give a return pickup time after the outward trip.")
    if errors:
        raise ValidationError(errors)
    graph = territory_graph()
    if pickup is None:
        pickup = Place(beneficiary.home.x, beneficiary.home.y, beneficiary.home_label)
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
    _diary(request, operator, "created online" if online else "created")
    if online:
        outbox.to_operators(request, "requested")
    return request


NEAR_PLACE_M = 5_000


def _area_name(point: Point, graph_name: str) -> str:
    """The commune of a point, or the nearest town or village when no commune boundary is
    known there: precise enough to decide, never an address."""
    area = Area.objects.filter(geometry__intersects=point).only("name").first()
    if area:
        return area.name
    degrees = NEAR_PLACE_M / (111_195 * max(0.01, math.cos(math.radians(point.y))))
    town = (
        PlaceName.objects.filter(graph=graph_name, kind="place", point__dwithin=(point, degrees))
        .annotate(distance=Distance("point", point))
        .order_by("distance")
        .values_list("name", flat=True)
        .first()
    )
    return town or ""


def _locked(request: Request) -> Request:
    return (
        Request.objects.select_for_update()
        .select_related("structure", "beneficiary")
        .get(pk=request.pk)
    )


def _expect(request: Request, *states: str) -> None:
    if request.status not in states:
        raise Conflict(
            _("This request is %(status)s: this action is not possible now.")
            % {"status": request.get_status_display()}
        )


@transaction.atomic
def propose(request: Request, volunteers: list[Volunteer], *, operator) -> list[Proposal]:
    """Offer the request to one or several volunteers among those the ranking keeps."""
    request = _locked(request)
    ensure_operator(operator, request.structure)
    _expect(request, Request.Status.NEW, Request.Status.PROPOSED)
    if not volunteers:
        raise ValidationError({"volunteers": _("Choose at least one volunteer.")})
    ranked = {r.volunteer.pk: r for r in rank(territory_graph(), request)}
    proposals = []
    for volunteer in volunteers:
        r = ranked.get(volunteer.pk)
        if r is None:
            raise Conflict(
                _("%(name)s is not a volunteer of this structure.") % {"name": volunteer}
            )
        if not r.kept:
            raise Conflict(
                _("%(name)s cannot take this trip: %(why)s.") % {"name": volunteer, "why": r.reason}
            )
        proposal, created = Proposal.objects.get_or_create(
            request=request,
            volunteer=volunteer,
            defaults={
                "driving_m": round(r.driving_m),
                "driving_s": round(r.driving_s),
                "reason": r.reason[:300],
            },
        )
        if not created and proposal.status != Proposal.Status.PROPOSED:
            proposal.status = Proposal.Status.PROPOSED
            proposal.decided_at = None
            proposal.save(update_fields=["status", "decided_at"])
        proposals.append(proposal)
    request.status = Request.Status.PROPOSED
    request.save(update_fields=["status"])
    names = ", ".join(str(v) for v in volunteers)
    _diary(request, operator, "proposed", names)
    for proposal in proposals:
        outbox.to_volunteer(proposal.volunteer, request, "proposed")
    return proposals


def _volunteer_proposal(proposal: Proposal, user) -> Proposal:
    proposal = Proposal.objects.select_for_update().select_related("volunteer").get(pk=proposal.pk)
    if proposal.volunteer.user_id != user.pk:
        raise PermissionDenied(_("This proposal is not yours."))
    return proposal


@transaction.atomic
def accept(proposal: Proposal, *, volunteer_user) -> Request:
    """The volunteer takes the trip: the other volunteers are released and told."""
    proposal = _volunteer_proposal(proposal, volunteer_user)
    request = _locked(proposal.request)
    _expect(request, Request.Status.PROPOSED)
    if proposal.status != Proposal.Status.PROPOSED:
        raise Conflict(_("This proposal is no longer open."))
    request.volunteer = proposal.volunteer
    request.status = Request.Status.ACCEPTED
    try:
        with transaction.atomic():
            request.save(update_fields=["volunteer", "status"])
    except IntegrityError as exc:
        raise Conflict(_("You already have a trip at that time.")) from exc
    now = timezone.now()
    proposal.status, proposal.decided_at = Proposal.Status.ACCEPTED, now
    proposal.save(update_fields=["status", "decided_at"])
    others = request.proposals.filter(status=Proposal.Status.PROPOSED).exclude(pk=proposal.pk)
    for other in others.select_related("volunteer__user"):
        other.status, other.decided_at = Proposal.Status.RELEASED, now
        other.save(update_fields=["status", "decided_at"])
        outbox.to_volunteer(other.volunteer, request, "released")
    _diary(request, volunteer_user, "accepted")
    outbox.to_operators(request, "accepted")
    return request


@transaction.atomic
def decline(proposal: Proposal, *, volunteer_user, reason: str = "") -> Proposal:
    proposal = _volunteer_proposal(proposal, volunteer_user)
    request = _locked(proposal.request)
    if proposal.status != Proposal.Status.PROPOSED:
        raise Conflict(_("This proposal is no longer open."))
    proposal.status, proposal.decided_at = Proposal.Status.DECLINED, timezone.now()
    proposal.decline_reason = reason[:300]
    proposal.save(update_fields=["status", "decided_at", "decline_reason"])
    _diary(request, volunteer_user, "declined", reason)
    outbox.to_operators(request, "declined")
    return proposal


def _operator_step(request: Request, operator, expected: str, status: str, action: str):
    """An operator moves a request from `expected` to `status`, written to the diary."""
    request = _locked(request)
    ensure_operator(operator, request.structure)
    _expect(request, expected)
    request.status = status
    request.save(update_fields=["status"])
    _diary(request, operator, action)
    return request


@transaction.atomic
def confirm(request: Request, *, operator) -> Request:
    request = _operator_step(
        request, operator, Request.Status.ACCEPTED, Request.Status.CONFIRMED, "confirmed"
    )
    outbox.to_volunteer(request.volunteer, request, "confirmed")
    return request


def indemnity(km: Decimal) -> Decimal:
    """The volunteer's mileage indemnity: the territory's rate, never above the legal cap,
    rounded to the cent (half up)."""
    current = settings_get()
    rate = min(current.solidarity_cost_per_km, current.solidarity_cost_per_km_cap)
    return (Decimal(km) * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def record_done(request: Request, *, volunteer_user, km: Decimal, minutes: int) -> Request:
    """The volunteer records the trip they drove; it becomes a (solidarity) journey."""
    request = _locked(request)
    if request.volunteer is None or request.volunteer.user_id != volunteer_user.pk:
        raise PermissionDenied(_("This trip is not assigned to you."))
    _expect(request, Request.Status.CONFIRMED)
    errors = {}
    if not Decimal("0") < Decimal(km) <= Decimal("2000"):
        errors["km"] = _("Give the kilometres driven (more than 0).")
    if not 0 < minutes <= 24 * 60:
        errors["minutes"] = _("Give the time spent, in minutes (at most a day).")
    if request.window_start > timezone.now():
        errors["km"] = _("The trip can be recorded once it has taken place.")
    if errors:
        raise ValidationError(errors)
    request.actual_km = Decimal(km).quantize(Decimal("0.1"))
    request.actual_minutes = minutes
    request.indemnity = indemnity(request.actual_km)
    request.status = Request.Status.DONE
    request.save(update_fields=["actual_km", "actual_minutes", "indemnity", "status"])
    now = timezone.now()
    journey = Journey.objects.create(
        kind=Journey.Kind.SOLIDARITY,
        driver=volunteer_user,
        passenger=request.beneficiary.user,
        pickup_at=request.window_start,
        dropoff_at=request.window_start + timedelta(seconds=max(1, request.duration_s)),
        pickup=request.pickup,
        dropoff=request.destination,
        distance_m=request.distance_m,
        duration_s=request.duration_s,
        seats=1,
        amount=request.indemnity,
        pickup_commune=commune_at(request.pickup),
        dropoff_commune=commune_at(request.destination),
        driver_confirmed_at=now,
    )
    request.journey = journey
    request.save(update_fields=["journey"])
    _diary(request, volunteer_user, "done", f"{request.actual_km} km, {minutes} min")
    outbox.to_operators(request, "done")
    return request


@transaction.atomic
def close(request: Request, *, operator) -> Request:
    return _operator_step(request, operator, Request.Status.DONE, Request.Status.CLOSED, "closed")


def _end_with_reason(request: Request, operator, reason: str, status: str, *expected: str):
    """Close a request with its reason; the proposals still open are released and returned."""
    request = _locked(request)
    ensure_operator(operator, request.structure)
    _expect(request, *expected)
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
def cancel(request: Request, *, operator, reason: str) -> Request:
    request, released = _end_with_reason(
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
    _diary(request, operator, "cancelled", reason)
    return request


@transaction.atomic
def mark_unmet(request: Request, *, operator, reason: str) -> Request:
    """No solution was found: the request is closed as unmet, with its reason (counted in the
    territory's figures)."""
    request, _released = _end_with_reason(
        request, operator, reason, Request.Status.UNMET, "new", "proposed"
    )
    _diary(request, operator, "unmet", reason)
    return request
