"""What campaigns owe, computed on whole tables of journeys at once (numpy): the simulation runs
a year of journeys in one pass, and the live accrual uses the same conditions and amounts on
the journeys of the two people concerned (docs/incentives.md, "How amounts are computed").

Caps depend on time order; each is a clip of a running sum inside its group (person and
month, person and year, the whole campaign), applied finest first. Once a coarser cap is
reached it stays reached for the rest of its window, so clipping in that order gives exactly
what paying journey after journey would give."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import holidays
import numpy as np

from .rules import Rules

EPOCH = date(2000, 1, 1)
SHORT_M = 2000  # the registry's anomaly rules
MAX_A_DAY = 4
MIN_GAP_S = 30 * 60
CLASS_RANK = {"A": 0, "B": 1, "C": 2}

# Why a line is not paid, or paid less (the explanation's words are in `explain`).
REASONS = (
    "period",  # first: the summary leaves it out (the history before the period)
    "distance_min",
    "distance_max",
    "areas",
    "polygon",
    "weekday",
    "hours",
    "holiday",
    "proof",
    "short",
    "held",
    "cooldown",
    "partner",
    "nothing",
    "day_trips",
    "month_trips",
    "cap_journey",
    "cap_month",
    "cap_year",
    "budget",
)


def day_number(day: date) -> int:
    return (day - EPOCH).days


@dataclass
class Table:
    """Carpool journeys, one per row, in time order (`at`, then `id`)."""

    id: np.ndarray
    at: np.ndarray  # pickup, seconds since 1970 (UTC)
    end: np.ndarray  # drop-off, idem
    day: np.ndarray  # local day, days since 2000-01-01
    month: np.ndarray  # local year × 12 + month − 1
    year: np.ndarray
    weekday: np.ndarray  # 0 = Monday
    minute: np.ndarray  # local minute of the day
    distance_m: np.ndarray
    seats: np.ndarray
    proof: np.ndarray  # 0 = A, 1 = B, 2 = C
    driver: np.ndarray
    passenger: np.ndarray
    offer: np.ndarray
    origin: np.ndarray  # area id of the pickup's commune (0: none)
    destination: np.ndarray
    partner: np.ndarray  # 1: the passenger booked through a partner's app (a stand-in account)

    def __len__(self) -> int:
        return len(self.id)

    def where(self, mask: np.ndarray) -> Table:
        return Table(**{k: v[mask] for k, v in self.__dict__.items()})


@dataclass(frozen=True)
class Context:
    """What the rules need besides the journeys: the campaign's days, its areas as area ids,
    the journeys inside its polygon, the holidays."""

    first_day: int
    last_day: int
    origin_ids: np.ndarray | None = None
    destination_ids: np.ndarray | None = None
    polygon_origin: np.ndarray | None = None  # journey ids whose pickup is inside
    polygon_destination: np.ndarray | None = None
    holidays: np.ndarray | None = None  # day numbers


@functools.lru_cache(maxsize=256)
def holiday_days(country: str, first: date, last: date) -> np.ndarray:
    """Public holidays (the `holidays` library) of the country between two days; none for a
    country the library does not know."""
    years = range(first.year, last.year + 1)
    try:
        days = holidays.country_holidays(country or "FR", years=years)
    except NotImplementedError:
        return np.array([], dtype=np.int64)
    return np.array(sorted(day_number(d) for d in days if first <= d <= last), dtype=np.int64)


def _join(a: np.ndarray | None, b: np.ndarray | None, how: str) -> np.ndarray | None:
    if a is None:
        return b
    if b is None:
        return a
    return (a & b) if how == "and" else (a | b)


def failures(t: Table, r: Rules, ctx: Context) -> dict[str, np.ndarray]:
    """For each condition of the rules, where a journey fails it (True = not paid)."""
    fail: dict[str, np.ndarray] = {"period": (t.day < ctx.first_day) | (t.day > ctx.last_day)}
    if r.distance_min_m is not None:
        fail["distance_min"] = t.distance_m < r.distance_min_m
    if r.distance_max_m is not None:
        fail["distance_max"] = t.distance_m > r.distance_max_m
    inside_o = np.isin(t.origin, ctx.origin_ids) if r.origin_areas else None
    inside_d = np.isin(t.destination, ctx.destination_ids) if r.destination_areas else None
    inside = _join(inside_o, inside_d, r.areas_join)
    if inside is not None:
        fail["areas"] = ~inside
    if r.polygon:
        zone = _join(
            np.isin(t.id, ctx.polygon_origin),
            np.isin(t.id, ctx.polygon_destination),
            r.polygon_join,
        )
        fail["polygon"] = ~zone
    if r.weekdays:
        fail["weekday"] = ~np.isin(t.weekday, r.weekdays)
    if r.hours:
        within = np.zeros(len(t), dtype=bool)
        for low, high in r.hours:
            within |= (t.minute >= low) & (t.minute < high)
        fail["hours"] = ~within
    if r.no_holidays and ctx.holidays is not None:
        fail["holiday"] = np.isin(t.day, ctx.holidays)
    if r.min_class != "A":
        fail["proof"] = t.proof < CLASS_RANK[r.min_class]
    if r.registry_anomalies:
        fail["short"] = t.distance_m < SHORT_M
        fail["held"] = anomalies(t)
    return fail


def _firsts(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, its rank inside its group (1, 2, 3…, rows being in time order already)
    and the index of its group's first row."""
    order = np.argsort(group, kind="stable")
    g = group[order]
    starts = np.r_[True, g[1:] != g[:-1]]
    position = np.arange(len(g))
    first = np.maximum.accumulate(np.where(starts, position, 0))
    ranks, firsts = np.empty(len(g), dtype=np.int64), np.empty(len(g), dtype=np.int64)
    ranks[order] = position - first + 1
    firsts[order] = order[first]
    return ranks, firsts


def _ranks(group: np.ndarray) -> np.ndarray:
    return _firsts(group)[0]


def _key(*columns: np.ndarray) -> np.ndarray:
    """One int64 per combination of the columns (their values stay below 2^31)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        key = key * (1 << 31) + column.astype(np.int64)
    return key


def anomalies(t: Table) -> np.ndarray:
    """Journeys the registry's rules flag: a 5th or later journey of a person in one day, or a
    trip starting less than 30 minutes after the person's previous trip ended (a driver's
    journeys of one ride are one trip)."""
    n = len(t)
    flagged = np.zeros(n, dtype=bool)
    for person, trip in ((t.driver, t.offer), (t.passenger, -t.id)):
        flagged |= _ranks(_key(person, t.day)) > MAX_A_DAY
        trips, where = np.unique(np.stack([person, trip], axis=1), axis=0, return_inverse=True)
        where = where.ravel()
        start = np.full(len(trips), np.iinfo(np.int64).max)
        end = np.zeros(len(trips), dtype=np.int64)
        np.minimum.at(start, where, t.at)
        np.maximum.at(end, where, t.end)
        order = np.lexsort((start, trips[:, 0]))
        same = np.r_[False, trips[order][1:, 0] == trips[order][:-1, 0]]
        prev_end = np.r_[0, end[order][:-1]]
        close_sorted = same & (start[order] - prev_end < MIN_GAP_S)
        close = np.zeros(len(trips), dtype=bool)
        close[order] = close_sorted
        flagged |= close[where]
    return flagged


def journey_amounts(t: Table, r: Rules) -> np.ndarray:
    """What the amount blocks give each journey, in cents, before bonuses and caps."""
    mills = t.distance_m.astype(np.int64) * r.per_km
    for low, high, rate in r.bands:
        mills += (np.clip(t.distance_m, low, high) - low).astype(np.int64) * rate
    amount = (mills + 5000) // 10000
    amount += r.per_journey + r.per_seat * t.seats.astype(np.int64)
    return amount


@dataclass
class Lines:
    """One row per journey and person paid (driver, passenger), in time order."""

    journey: np.ndarray  # row of the table
    person: np.ndarray
    role: np.ndarray  # 0 = driver, 1 = passenger
    raw: np.ndarray  # cents, amounts and bonuses
    bonus: np.ndarray  # cents, the newcomers' bonuses in `raw`
    paid: np.ndarray  # cents, after the caps
    reason: np.ndarray  # index in REASONS of why it is not (fully) paid, −1: paid in full


def lines_owed(
    t: Table,
    r: Rules,
    ctx: Context,
    roles: tuple[int, ...],
    budget_cents: int | None,
    *,
    caps: bool = True,
    released: bool = False,
) -> Lines:
    """Every line the campaign would pay on the table, journeys taken in time order."""
    fail = failures(t, r, ctx)
    if released:  # a moderator released the held journeys
        fail.pop("held", None)
    reason = np.full(len(t), -1, dtype=np.int64)
    for name in reversed(REASONS):  # the first failing condition is the one said
        if name in fail:
            reason[fail[name]] = REASONS.index(name)
    qualifies = np.ones(len(t), dtype=bool)  # every condition but the period
    for name, failing in fail.items():
        if name != "period":
            qualifies &= ~failing
    if r.cooldown_minutes:
        pair = _key(t.driver, t.passenger)
        rows = np.flatnonzero(qualifies)
        order = rows[np.lexsort((t.at[rows], pair[rows]))]
        same = np.r_[False, pair[order][1:] == pair[order][:-1]]
        gap = t.at[order] - np.r_[0, t.at[order][:-1]]
        cool = order[same & (gap < r.cooldown_minutes * 60)]
        qualifies[cool] = False
        reason[cool] = np.where(reason[cool] < 0, REASONS.index("cooldown"), reason[cool])
    eligible = qualifies & ~fail["period"]
    base = np.where(eligible, journey_amounts(t, r), 0)
    parts = []
    for role in roles:
        person = t.driver if role == 0 else t.passenger
        bonus = _bonuses(t, r, qualifies, eligible, person) if r.milestones else np.zeros_like(base)
        raw, why = base + bonus, reason.copy()
        if role == 1:  # a partner's passenger is the partner's to pay (docs/incentives.md)
            stand_in = t.partner.astype(bool)
            raw, bonus = np.where(stand_in, 0, raw), np.where(stand_in, 0, bonus)
            why[stand_in & (why < 0)] = REASONS.index("partner")
        parts.append((np.arange(len(t)), person, np.full(len(t), role), raw, bonus, why))
    journey, person, role, raw, bonus, line_reason = (np.concatenate(c) for c in zip(*parts))
    order = np.lexsort((role, t.id[journey], t.at[journey]))
    journey, person, role, raw, bonus, line_reason = (
        a[order] for a in (journey, person, role, raw, bonus, line_reason)
    )
    line_reason = np.where((line_reason < 0) & (raw <= 0), REASONS.index("nothing"), line_reason)
    if not caps:
        return Lines(journey, person, role, raw, bonus, raw.copy(), line_reason)
    paid, line_reason = _caps(t, r, journey, person, raw, line_reason.copy(), budget_cents)
    return Lines(journey, person, role, raw, bonus, paid, line_reason)


def lines_before_caps(
    t: Table, r: Rules, ctx: Context, roles: tuple[int, ...], *, released: bool = False
) -> Lines:
    """The lines with their conditions, cooldown and bonuses, caps not applied (the live
    ledger applies its own)."""
    return lines_owed(t, r, ctx, roles, None, caps=False, released=released)


def _bonuses(t, r: Rules, qualifies, eligible, person) -> np.ndarray:
    """Newcomers' bonuses: the person's n-th qualifying journey (in the whole history loaded),
    within the days given of their first, paid when it falls in the campaign's period."""
    bonus = np.zeros(len(t), dtype=np.int64)
    rows = np.flatnonzero(qualifies)
    rank, first = _firsts(person[rows])
    first_at = t.at[rows][first]
    for m in r.milestones:
        hit = rank == m.trip
        if m.within_days:
            hit &= t.at[rows] - first_at <= m.within_days * 86400
        bonus[rows[hit]] += m.cents
    return np.where(eligible, bonus, 0)


def _group_clip(amount: np.ndarray, group: np.ndarray, cap: int) -> np.ndarray:
    """Each row keeps what is left of `cap` in its group after the rows before it."""
    order = np.argsort(group, kind="stable")
    a, g = amount[order], group[order]
    total = np.cumsum(a)
    starts = np.r_[True, g[1:] != g[:-1]]
    before_group = np.maximum.accumulate(np.where(starts, total - a, 0))
    running = total - before_group
    kept = np.minimum(running, cap) - np.minimum(running - a, cap)
    out = np.empty_like(amount)
    out[order] = kept
    return out


def _caps(t, r: Rules, journey, person, raw, reason, budget_cents: int):
    paid = raw.copy()
    counted = paid > 0
    for cap, column, name in (
        (r.cap_day_trips, t.day, "day_trips"),
        (r.cap_month_trips, t.month, "month_trips"),
    ):
        if cap:
            rank = np.zeros(len(paid), dtype=np.int64)
            rows = np.flatnonzero(counted)
            rank[rows] = _ranks(_key(person[rows], column[journey[rows]]))
            over = counted & (rank > cap)
            paid[over] = 0
            reason[over] = REASONS.index(name)
    if r.cap_journey:
        over = paid > r.cap_journey
        paid[over] = r.cap_journey
        reason[over & (reason < 0)] = REASONS.index("cap_journey")
    for cap, group, name in (
        (r.cap_month, _key(person, t.month[journey]), "cap_month"),
        (r.cap_year, _key(person, t.year[journey]), "cap_year"),
        (budget_cents, np.zeros(len(paid), dtype=np.int64), "budget"),
    ):
        if cap is not None:
            kept = _group_clip(paid, group, cap)
            reason[(kept < paid) & (reason < 0)] = REASONS.index(name)
            paid = kept
    return paid, reason


def summary(t: Table, lines: Lines, budget_cents: int) -> dict:
    """What a simulation shows: per month and in all, cost, people, share of the budget, cost
    per vehicle-km and per car trip avoided (paid journeys' passengers, as the observatory
    counts them)."""

    def figures(mask) -> dict:
        paid = lines.paid[mask]
        rows = np.unique(lines.journey[mask][paid > 0])
        vkm = float((t.distance_m[rows].astype(np.int64) * t.seats[rows]).sum()) / 1000
        trips = int(t.seats[rows].sum())
        cost = int(paid.sum())
        return {
            "cents": cost,
            "lines": int((paid > 0).sum()),
            "journeys": len(rows),
            "people": len(np.unique(lines.person[mask][paid > 0])),
            "budget_share": round(cost / budget_cents, 4) if budget_cents else None,
            "vehicle_km": round(vkm, 1),
            "cents_per_vkm": round(cost / vkm, 2) if vkm else None,
            "cents_per_car_trip": round(cost / trips, 1) if trips else None,
        }

    months = t.month[lines.journey]
    by_month = [
        {"month": f"{m // 12:04d}-{m % 12 + 1:02d}", **figures(months == m)}
        for m in np.unique(months[lines.paid > 0])
    ]
    not_paid = {
        REASONS[i]: int(n)
        for i, n in zip(*np.unique(lines.reason[lines.reason > 0], return_counts=True))
    }
    return {
        "total": figures(np.ones(len(lines.paid), dtype=bool)),
        "months": by_month,
        "reasons": not_paid,
        "journeys_seen": len(t),
    }


def month_key(day: date) -> int:
    return day.year * 12 + day.month - 1
