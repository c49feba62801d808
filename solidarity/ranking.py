"""Ranking volunteers for a solidarity request: hard filters, then the real driving the trip
costs each volunteer on the road network (all of them at once, with one-to-all searches), then
fairness. Every volunteer gets a one-line explanation, kept or not."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import NamedTuple

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matching.engine import RoadGraph

from .models import Absence, Availability, Request, Volunteer

# Fairness: each trip a volunteer drove in the last RECENT_DAYS (or has confirmed ahead)
# weighs like this many extra kilometres of driving.
RECENT_DAYS = 30
FAIRNESS_KM_PER_TRIP = 10.0


@dataclass
class Ranked:
    volunteer: Volunteer
    kept: bool
    reason: str  # why excluded, or what the rank rests on
    driving_m: float = float("inf")
    driving_s: float = float("inf")
    recent_trips: int = 0
    score: float = float("inf")


def _days(request: Request) -> list[date]:
    start = timezone.localtime(request.window_start).date()
    end = timezone.localtime(request.window_end).date()
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def availability_check(request: Request):
    """A test of (slots, absences) for this request: some slot (weekday, start, end) of a day
    in the window overlaps the window, on a day the volunteer is not away (first, last); for
    a pick-up again, the return time falls in a slot too."""
    start = timezone.localtime(request.window_start)
    end = timezone.localtime(request.window_end)
    spans = [
        (
            day,
            start.time() if day == start.date() else time.min,
            end.time() if day == end.date() else time.max,
        )
        for day in _days(request)
    ]
    again = request.return_kind == Request.Return.AGAIN and request.return_at
    back = timezone.localtime(request.return_at) if again else None

    def covered(slots, absences, day: date, lo, hi) -> bool:
        weekday = day.weekday()
        return not any(first <= day <= last for first, last in absences) and any(
            w == weekday and s <= hi and e >= lo for w, s, e in slots
        )

    def available(slots: list[tuple], absences: list[tuple]) -> bool:
        if not any(covered(slots, absences, *span) for span in spans):
            return False
        return back is None or covered(slots, absences, back.date(), back.time(), back.time())

    return available


class Driving(NamedTuple):
    """Per volunteer: seconds and metres of the driving, and whether those metres are only the
    straight-line bound that already exceeds what was asked (`driving(…, within_m=…)`)."""

    seconds: np.ndarray
    metres: np.ndarray
    at_least: np.ndarray


def driving(graph: RoadGraph, request: Request, homes: np.ndarray, within_m=np.inf) -> Driving:
    """Seconds and metres each volunteer drives for the request, from and back to their home:
    home → pickup → destination → home, or with the return: … → destination → pickup → home
    (waiting) or … → destination → home → destination → pickup → home (picked up again).

    Every leg is one many-to-one or one-to-many search for all volunteers together: to the
    pickup, and from the destination, from the pickup or to the destination as the return
    needs (two searches, four when the person is picked up again), each with its metres along
    the fastest paths. The pickup → destination leg is the request's own route, computed when
    it was created. The paths of a volunteer whose legs as the crow flies already add up to
    more than `within_m` (their own maximum) are not unpacked: their metres are that bound,
    flagged `at_least`."""
    p, d = request.pickup_node, request.destination_node
    n = len(homes)
    fixed_s, fixed_m = float(request.duration_s), float(request.distance_m)
    legs = [(graph.to_target(p, homes), p)]  # home → pickup
    if request.return_kind in (Request.Return.NONE, Request.Return.AGAIN):
        legs.append((graph.from_source(d, homes), d))  # destination → home
    if request.return_kind == Request.Return.AGAIN:
        legs.append((graph.to_target(d, homes), d))  # home → destination, later
    if request.return_kind != Request.Return.NONE:
        back = graph.route(d, p)  # destination → pickup (home of the person)
        fixed_s += back.duration_s if back else np.inf
        fixed_m += back.distance_m if back else np.inf
        legs.append((graph.from_source(p, homes), p))  # pickup → home
    # Straight lines are never longer than roads: a lower bound of every volunteer's metres.
    least = fixed_m + sum(graph.straight_m(homes, np.full(n, end)) for _leg, end in legs)
    at_least = least > np.broadcast_to(np.asarray(within_m, dtype=float), (n,))
    seconds, metres = np.full(n, fixed_s), np.full(n, fixed_m)
    for leg, _end in legs:
        leg_s, leg_m = leg.exact(~at_least)
        seconds += leg_s
        metres += leg_m
    metres[at_least] = least[at_least]
    return Driving(seconds, metres, at_least)


@dataclass
class _Facts:
    """What the hard filters look at, as plain rows of the volunteers of one request."""

    handled: dict[int, set[int]]  # volunteer → the needs they handle
    slots: dict[int, list[tuple]]  # volunteer → (weekday, start, end) on the request's days
    away: dict[int, list[tuple]]  # volunteer → (first, last) absences around the window
    busy: set[int]  # volunteers already assigned at that time


def _volunteers(request: Request) -> list[Volunteer]:
    """The structure's volunteers, each with the trips they drove lately or have ahead."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    return list(
        Volunteer.objects.filter(structure=request.structure)
        .select_related("user")
        .annotate(
            recent=Count(
                "assignments",
                filter=Q(assignments__status__in=Request.OCCUPIES)
                & Q(assignments__window_start__gte=since),
            )
        )
    )


def _facts(request: Request) -> _Facts:
    """The facts of the structure's volunteers (those `_volunteers` reads), selected by their
    structure in each query rather than by a list of hundreds of ids to send and parse."""
    # Plain rows, only those that can matter for this request: cheap at hundreds of people.
    ours = {"volunteer__structure_id": request.structure_id}
    handled: dict[int, set[int]] = defaultdict(set)
    for volunteer_id, need_id in Volunteer.needs.through.objects.filter(**ours).values_list(
        "volunteer_id", "need_id"
    ):
        handled[volunteer_id].add(need_id)
    days = _days(request)
    weekdays = {day.weekday() for day in days}
    if request.return_at:
        weekdays.add(timezone.localtime(request.return_at).weekday())
    slots: dict[int, list[tuple]] = defaultdict(list)
    for volunteer_id, *slot in Availability.objects.filter(
        **ours, weekday__in=weekdays
    ).values_list("volunteer_id", "weekday", "start", "end"):
        slots[volunteer_id].append(tuple(slot))
    away: dict[int, list[tuple]] = defaultdict(list)
    for volunteer_id, *absence in Absence.objects.filter(
        **ours, last_day__gte=days[0], first_day__lte=days[-1] + timedelta(days=1)
    ).values_list("volunteer_id", "first_day", "last_day"):
        away[volunteer_id].append(tuple(absence))
    busy = set(
        Request.objects.filter(**ours, status__in=Request.OCCUPIES, busy__overlap=request.busy)
        .exclude(pk=request.pk)
        .values_list("volunteer_id", flat=True)
    )
    return _Facts(handled, slots, away, busy)


def _exclusion(v: Volunteer, needs: list, facts: _Facts, available) -> str:
    """Why a volunteer cannot take the request, or "" when no hard filter excludes them."""
    need_ids = {n.pk for n in needs}
    if v.status != Volunteer.Status.ACCEPTED:
        return _("not an accepted volunteer yet")
    if not need_ids <= facts.handled[v.pk]:
        missing = [n.name for n in needs if n.pk not in facts.handled[v.pk]]
        return _("does not handle: %(needs)s") % {"needs": ", ".join(missing)}
    if any(n.requires_accessible_vehicle for n in needs) and not v.accessible_vehicle:
        return _("vehicle not wheelchair-accessible")
    if not available(facts.slots[v.pk], facts.away[v.pk]):
        return _("not available then (slots or absence)")
    if v.pk in facts.busy:
        return _("already assigned at that time")
    return ""


def _score(graph: RoadGraph, request: Request, kept: list[Ranked]) -> None:
    """The real driving of the volunteers the filters kept, their own maximum, and fairness."""
    homes = np.array([r.volunteer.home_node for r in kept], dtype=np.int64)
    most = np.array([r.volunteer.max_trip_km * 1000 for r in kept], dtype=float)
    found = driving(graph, request, homes, within_m=most)
    for r, s, m, bound in zip(
        kept, found.seconds.tolist(), found.metres.tolist(), found.at_least.tolist(), strict=True
    ):
        r.driving_s, r.driving_m = s, m
        if not np.isfinite(s) or not np.isfinite(m):
            r.kept, r.reason = False, _("no road from their home")
        elif bound or m > r.volunteer.max_trip_km * 1000:
            r.kept = False
            beyond = (
                _("at least %(km)s km of driving, more than their %(max)d km")
                if bound
                else _("%(km)s km of driving, more than their %(max)d km")
            )
            r.reason = beyond % {
                "km": number_format(round(m / 1000, 1), 1),
                "max": r.volunteer.max_trip_km,
            }
        else:
            r.score = m / 1000 + FAIRNESS_KM_PER_TRIP * r.recent_trips
            r.reason = rank_reason(m / 1000, r.recent_trips, r.score)


def rank_reason(km: float, trips: int, score: float) -> str:
    """What a kept volunteer's place rests on: the driving, and the recent trips that fairness
    counts as extra kilometres (so a farther volunteer may come first)."""
    driving = _("%(km)s km of driving from their home and back") % {
        "km": number_format(round(km, 1), 1)
    }
    if not trips:
        return driving + _(", no trip in the last %(days)d days") % {"days": RECENT_DAYS}
    recent = ngettext(
        "%(trips)d trip in the last %(days)d days, counted %(per)s km for fairness",
        "%(trips)d trips in the last %(days)d days, counted %(per)s km each for fairness",
        trips,
    ) % {"trips": trips, "days": RECENT_DAYS, "per": number_format(FAIRNESS_KM_PER_TRIP, 0)}
    ranked = _("%(score)s km in the ranking") % {"score": number_format(round(score, 1), 1)}
    return _("%(driving)s, %(recent)s: %(ranked)s") % {
        "driving": driving,
        "recent": recent,
        "ranked": ranked,
    }


def volunteers_rank(graph: RoadGraph, request: Request) -> list[Ranked]:
    """Every volunteer of the request's structure, kept ones first (best first), then the
    excluded ones with their reason."""
    needs = list(request.needs.all())
    volunteers = _volunteers(request)
    facts = _facts(request)
    available = availability_check(request)
    ranked: list[Ranked] = []
    for v in volunteers:
        reason = _exclusion(v, needs, facts, available)
        ranked.append(Ranked(v, kept=not reason, reason=reason, recent_trips=v.recent))
    kept = [r for r in ranked if r.kept]
    if kept:
        _score(graph, request, kept)
    ranked.sort(key=lambda r: (not r.kept, r.score, r.volunteer.pk))
    return ranked
