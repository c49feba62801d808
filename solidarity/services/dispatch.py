"""Dispatch: the operator proposes a request to volunteers the ranking keeps, the first who
accepts is assigned (the others are released), the operator confirms, and the volunteer
records the trip they drove, which becomes a journey with its mileage indemnity."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from matching.network import commune_at, territory_graph
from themes.selectors import settings_get
from trips.errors import ValidationError
from trips.models import Journey

from .. import outbox
from ..models import Proposal, Request, Volunteer
from ..ranking import volunteers_rank
from .checks import operator_require, request_expect, request_lock
from .requests import diary_write, request_step


@transaction.atomic
def request_propose(request: Request, volunteers: list[Volunteer], *, operator) -> list[Proposal]:
    """Offer the request to one or several volunteers among those the ranking keeps."""
    request = request_lock(request)
    operator_require(operator, request.structure)
    request_expect(request, Request.Status.NEW, Request.Status.PROPOSED)
    if not volunteers:
        raise ValidationError({"volunteers": _("Choose at least one volunteer.")})
    ranked = {r.volunteer.pk: r for r in volunteers_rank(territory_graph(), request)}
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
    diary_write(request, operator, "proposed", names)
    for proposal in proposals:
        outbox.to_volunteer(proposal.volunteer, request, "proposed")
    return proposals


def _volunteer_proposal(proposal: Proposal, user) -> Proposal:
    proposal = Proposal.objects.select_for_update().select_related("volunteer").get(pk=proposal.pk)
    if proposal.volunteer.user_id != user.pk:
        raise PermissionDenied(_("This proposal is not yours."))
    return proposal


@transaction.atomic
def proposal_accept(proposal: Proposal, *, volunteer_user) -> Request:
    """The volunteer takes the trip: the other volunteers are released and told."""
    proposal = _volunteer_proposal(proposal, volunteer_user)
    request = request_lock(proposal.request)
    request_expect(request, Request.Status.PROPOSED)
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
    diary_write(request, volunteer_user, "accepted")
    outbox.to_operators(request, "accepted")
    return request


@transaction.atomic
def proposal_decline(proposal: Proposal, *, volunteer_user, reason: str = "") -> Proposal:
    proposal = _volunteer_proposal(proposal, volunteer_user)
    request = request_lock(proposal.request)
    if proposal.status != Proposal.Status.PROPOSED:
        raise Conflict(_("This proposal is no longer open."))
    proposal.status, proposal.decided_at = Proposal.Status.DECLINED, timezone.now()
    proposal.decline_reason = reason[:300]
    proposal.save(update_fields=["status", "decided_at", "decline_reason"])
    diary_write(request, volunteer_user, "declined", reason)
    outbox.to_operators(request, "declined")
    return proposal


@transaction.atomic
def assignment_confirm(request: Request, *, operator) -> Request:
    request = request_step(
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
def assignment_record(request: Request, *, volunteer_user, km: Decimal, minutes: int) -> Request:
    """The volunteer records the trip they drove; it becomes a (solidarity) journey."""
    request = request_lock(request)
    if request.volunteer is None or request.volunteer.user_id != volunteer_user.pk:
        raise PermissionDenied(_("This trip is not assigned to you."))
    request_expect(request, Request.Status.CONFIRMED)
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
    diary_write(request, volunteer_user, "done", f"{request.actual_km} km, {minutes} min")
    outbox.to_operators(request, "done")
    return request
