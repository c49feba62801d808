"""Regular (weekly) trips for partners, shared by both standards.

A driver's weekly ride is published as one occurrence (`Offer`) per departure; a partner's
regular search asks for a time of day on some weekdays over a period. The search is the
site's engine run once over the whole period on the occurrences of weekly rides only; each
occurrence is kept when its pickup falls on a wanted weekday within the wanted time (± the
partner's margin and the ride's own margin), and the survivors are grouped per weekly ride.
Times of day are UTC, as both standards state for their timestamps."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError

from trips.selectors import Match, offers_matching

from .errors import BadRequest
from .parsing import MAX_DAYS_AHEAD, integer, search_query

WEEKDAY_CODES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A regular search looks at eight weeks of departures at most (from its start).
MAX_PERIOD = timedelta(weeks=8)
MAX_OCCURRENCES = 2000
DAY_S = 86_400
PARTIAL_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(\.\d+)?$")


@dataclass(frozen=True)
class Slot:
    """A wanted pickup time on one weekday: seconds after midnight (UTC), ± delta."""

    seconds: int
    delta: int


@dataclass
class RegularTrip:
    """One weekly ride serving the request: its occurrences that fit, per weekday."""

    ride_id: int
    days: dict[int, list[Match]] = field(default_factory=lambda: defaultdict(list))

    @property
    def first(self) -> Match:
        return min((m for ms in self.days.values() for m in ms), key=lambda m: m.pickup_at)

    @property
    def detour_s(self) -> float:
        return min(m.detour_s for ms in self.days.values() for m in ms)


def time_of_day(raw: str, name: str) -> int:
    found = PARTIAL_TIME.match(raw or "")
    if not found:
        raise BadRequest(f"{name} must be a time of day such as 07:30:00.")
    hours, minutes, seconds = (int(found.group(n)) for n in (1, 2, 3))
    return hours * 3600 + minutes * 60 + min(seconds, 59)


def clock(seconds: float) -> str:
    seconds = int(seconds) % DAY_S
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def seconds_of_day(at: datetime) -> int:
    at = at.astimezone(UTC)
    return at.hour * 3600 + at.minute * 60 + at.second


def _moment(seconds: int, name: str) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise BadRequest(f"{name} is out of range.") from None


def period(q, start_name: str, end_name: str) -> tuple[datetime, datetime]:
    """The period searched: from its start (not before now) to its end, eight weeks at most."""
    now = datetime.now(tz=UTC)
    start = integer(q, start_name, required=False)
    end = integer(q, end_name, required=False)
    start_at = now if start is None else max(now, _moment(start, start_name))
    if start_at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise BadRequest(f"{start_name} must be within the next year.")
    end_at = start_at + MAX_PERIOD if end is None else _moment(end, end_name)
    if end_at < start_at:
        raise BadRequest(f"{end_name} must come after {start_name} and after now.")
    return start_at, min(end_at, start_at + MAX_PERIOD)


def regular_query(q, start_name: str, end_name: str) -> dict:
    """The shared parameters (places, count, radii) with the window set to the period."""
    start, end = period(q, start_name, end_name)
    query = search_query(q, start)
    query["window_start"], query["window_end"] = start, end
    return query


def regular_trips(query: dict, slots: dict[int, list[Slot]]) -> list[RegularTrip]:
    """The weekly rides serving the request on the wanted slots, least detour first."""
    if not query["count"] or not slots:
        return []
    try:
        matches = offers_matching(
            pickup=query["pickup"],
            dropoff=query["dropoff"],
            window_start=query["window_start"],
            window_end=query["window_end"],
            limit=MAX_OCCURRENCES,
            regular=True,
        )
    except ValidationError:  # a place off this territory's road network
        return []
    trips: dict[int, RegularTrip] = {}
    for match in sorted(matches, key=lambda m: m.pickup_at):
        weekday = _slot_day(match, slots)
        if weekday is None:
            continue
        ride = match.offer.regular_ride_id
        trips.setdefault(ride, RegularTrip(ride)).days[weekday].append(match)
    ranked = sorted(trips.values(), key=lambda t: (t.detour_s, t.ride_id))
    return ranked[: query["count"]]


def _slot_day(match: Match, slots: dict[int, list[Slot]]) -> int | None:
    """The wanted weekday whose slot this pickup fits (± the partner's and the ride's
    margins), looking across midnight: a Monday 23:55 slot takes a Tuesday 00:05 pickup."""
    at, weekday = seconds_of_day(match.pickup_at), match.pickup_at.astimezone(UTC).weekday()
    margin = match.offer.margin_minutes * 60
    for shift, day in ((0, weekday), (DAY_S, (weekday - 1) % 7), (-DAY_S, (weekday + 1) % 7)):
        for slot in slots.get(day, ()):
            if abs(at + shift - slot.seconds) <= slot.delta + margin:
                return day
    return None


def standard_slots(q) -> dict[int, list[Slot]]:
    """Standard covoiturage: one time of day (departureTimeOfDay) on departureWeekdays."""
    seconds = time_of_day(q.get("departureTimeOfDay", ""), "departureTimeOfDay")
    delta = integer(q, "timeDelta", required=False, default=900, low=0, high=43_200)
    raw = q.get("departureWeekdays") or ",".join(WEEKDAY_CODES)
    days = [code.strip().upper() for code in raw.split(",") if code.strip()]
    if not days or any(code not in WEEKDAY_CODES for code in days):
        raise BadRequest("departureWeekdays must list days among " + ",".join(WEEKDAY_CODES) + ".")
    return {WEEKDAY_CODES.index(code): [Slot(seconds, delta)] for code in days}


def rdex_slots(q) -> dict[int, list[Slot]]:
    """RDEX+: `regularSchedule`, WeekSchedule objects given as a JSON array in the query
    (the spec leaves the encoding open; two objects may give two times on one day); without
    it, every day at any time."""
    delta = integer(q, "timeDelta", required=False, default=900, low=0, high=43_200)
    raw = q.get("regularSchedule")
    if not raw:
        return {day: [Slot(DAY_S // 2, DAY_S // 2)] for day in range(7)}
    try:
        schedules = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest("regularSchedule must be a JSON array of WeekSchedule objects.") from None
    if isinstance(schedules, dict):
        schedules = [schedules]
    if not isinstance(schedules, list) or not all(isinstance(s, dict) for s in schedules):
        raise BadRequest("regularSchedule must be a JSON array of WeekSchedule objects.")
    slots = {}
    for schedule in schedules:
        for day, name in enumerate(DAY_NAMES):
            at = schedule.get(f"{name}Time")
            if at is None:
                continue
            if not isinstance(at, str):
                raise BadRequest(f"{name}Time must be a time of day such as 07:30:00.")
            own = schedule.get(f"{name}TimeDelta", delta)
            if isinstance(own, bool) or not isinstance(own, int) or not 0 <= own <= 43_200:
                raise BadRequest(f"{name}TimeDelta must be a number of seconds up to 43200.")
            slots.setdefault(day, []).append(Slot(time_of_day(at, f"{name}Time"), own))
    if not slots:
        raise BadRequest("regularSchedule gives no time on any day.")
    return slots
