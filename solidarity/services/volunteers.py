"""Volunteers: applying to drive for a structure, being accepted by an operator, the weekly
availability and the absences."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from matching.network import Place, node_point, territory_graph
from tenants.members.models import Membership, Role
from trips.errors import ValidationError

from ..models import Absence, Availability, Need, Period, Structure, Volunteer
from .checks import home_snap, needs_check, operator_require, solidarity_require


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
    solidarity_require()
    errors = {}
    if not 1 <= seats <= 8:
        errors["seats"] = _("From 1 to 8 seats.")
    if not 1 <= max_trip_km <= 1000:
        errors["max_trip_km"] = _("From 1 to 1,000 km.")
    needs_check(needs, structure, errors)
    graph = territory_graph()
    node = home_snap(graph, home, errors)
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
    operator_require(operator, volunteer.structure)
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
