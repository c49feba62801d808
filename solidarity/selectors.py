"""Reads for the solidarity pages, in the territory's schema: the operators' board and lists
(scoped to the structures they operate), what a request's page shows, the volunteer's phone
page, and a beneficiary's export."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from matching.network import Place, territory_graph
from tenants.members.models import Membership, Role
from trips.selectors import offers_matching

from .models import Beneficiary, Proposal, Purpose, Request, Structure, Volunteer
from .ranking import volunteers_rank

# Requests still waiting for a volunteer this close to their pickup come first on the board.
URGENT = timedelta(hours=48)
OPEN = ["new", "proposed", "accepted", "confirmed"]


# --- structures ---------------------------------------------------------------------------------
def structures_operated(user) -> list[Structure]:
    return list(Structure.objects.filter(operators=user))


def structures_editable(user, *, is_admin: bool) -> list[Structure]:
    """Territory admins edit every structure, operators the structures they operate."""
    return list(Structure.objects.all()) if is_admin else structures_operated(user)


def structures_detailed(structures: list[Structure]) -> QuerySet[Structure]:
    return (
        Structure.objects.filter(pk__in=[s.pk for s in structures])
        .prefetch_related("operators", "purposes", "needs")
        .order_by("name")
    )


def operator_candidates() -> list:
    """The members with the operator role, whom an admin may name operators of a structure."""
    members = Membership.objects.filter(roles__contains=[Role.OPERATOR]).select_related("user")
    return [m.user for m in members]


def purposes_of(structures: list[Structure]) -> QuerySet[Purpose]:
    return Purpose.objects.filter(structure__in=structures)


# --- the board and the requests -----------------------------------------------------------------
def requests_board(
    structures: list[Structure],
    *,
    structure_id: int | None,
    purpose_id: int | None,
    status: str,
    soon: datetime,
) -> QuerySet[Request]:
    """Requests by state and date: unmet first, then those still waiting for a volunteer that
    start before `soon`. `status` is one state, "open" (not yet driven) or anything else for
    all."""
    requests = Request.objects.filter(structure__in=structures).select_related(
        "beneficiary", "purpose", "volunteer__user", "structure"
    )
    if structure_id is not None:
        requests = requests.filter(structure_id=structure_id)
    if purpose_id is not None:
        requests = requests.filter(purpose_id=purpose_id)
    if status == "open":
        requests = requests.filter(status__in=OPEN)
    elif status in Request.Status.values:
        requests = requests.filter(status=status)
    return requests.annotate(
        urgency=Case(
            When(status="unmet", then=Value(0)),
            When(Q(status__in=["new", "proposed"]) & Q(window_start__lte=soon), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("urgency", "window_start")


def requests_of_beneficiary(person: Beneficiary) -> QuerySet[Request]:
    return person.requests.select_related("purpose")


def requests_assigned() -> QuerySet[Request]:
    """Requests with a volunteer: those whose conversation exists."""
    return Request.objects.select_related("structure", "volunteer__user").filter(
        volunteer__isnull=False
    )


def request_details(trip: Request) -> dict:
    """What a request's page shows besides the request: while it waits for a volunteer, the
    structure's volunteers ranked for it and the carpool offers that fit; its proposals and
    its diary."""
    waiting = trip.status in ("new", "proposed")
    return {
        "ranked": volunteers_rank(territory_graph(), trip) if waiting else [],
        "proposals": trip.proposals.select_related("volunteer__user"),
        "carpools": _carpools(trip) if waiting else [],
        "diary": _diary(trip),
    }


def _diary(trip: Request) -> list:
    """The request's diary, each entry with `changed`: whether it changed the request's state
    (a decline or a second proposal leave it as it was; the page then says only the action)."""
    entries, before = list(trip.diary.select_related("actor")), None
    for entry in entries:
        entry.changed, before = entry.status != before, entry.status
    return entries


def _carpools(trip: Request) -> list:
    return offers_matching(
        pickup=Place(trip.pickup.x, trip.pickup.y),
        dropoff=Place(trip.destination.x, trip.destination.y),
        window_start=trip.window_start,
        window_end=trip.window_end,
        limit=5,
    )


# --- beneficiaries ------------------------------------------------------------------------------
def beneficiaries_search(structures: list[Structure], query: str) -> QuerySet[Beneficiary]:
    """The people still on record, by last name, first name or phone."""
    people = Beneficiary.objects.filter(
        structure__in=structures, erased_at__isnull=True
    ).select_related("structure")
    if not query:
        return people
    return people.filter(
        Q(last_name__icontains=query) | Q(first_name__icontains=query) | Q(phone__icontains=query)
    )


def beneficiary_of_user(user) -> Beneficiary | None:
    """The record of a person who can ask online with their own account."""
    return (
        Beneficiary.objects.filter(user=user, erased_at__isnull=True)
        .select_related("structure")
        .first()
    )


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


# --- volunteers ---------------------------------------------------------------------------------
def volunteers_of(structures: list[Structure]) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(structure__in=structures).select_related("user", "structure")


def volunteers_chosen(structure: Structure, ids: list[int]) -> list[Volunteer]:
    """The volunteers an operator ticked, among those of the request's structure."""
    return list(Volunteer.objects.filter(pk__in=ids, structure=structure))


def volunteers_of_user(user) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(user=user).select_related("structure")


def volunteer_of_user(user) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).first()


def proposals_waiting(user) -> QuerySet[Proposal]:
    """The proposals a volunteer has still to answer, soonest first."""
    return (
        Proposal.objects.filter(volunteer__user=user, status=Proposal.Status.PROPOSED)
        .select_related("request__purpose", "request__structure")
        .order_by("request__window_start")
    )


def trips_of_volunteer(user) -> QuerySet[Request]:
    """The trips a volunteer drives or drove, latest first."""
    return (
        Request.objects.filter(volunteer__user=user)
        .exclude(status__in=["cancelled", "unmet"])
        .select_related("beneficiary", "purpose")
        .order_by("-window_start")[:50]
    )
