"""A campaign's rules: blocks read from its JSON (`Campaign.rules`), checked, and each said in
plain French (docs/incentives.md lists them). Amounts are kept in cents, rates in tenths of a
cent per kilometre, so that every computation is exact.

Keys (all optional; a campaign needs at least one amount):
- amounts: `per_journey` €, `per_km` €/km, `bands` [[from km, to km, €/km], …], `per_seat` €,
  `milestones` [{"trip": n, "amount": €, "within_days": d}, …] (newcomers' bonuses);
- conditions: `distance_min_km`, `distance_max_km`, `origin_areas`, `destination_areas` (codes
  of communes or EPCI), `areas_join` ("and"/"or"), `polygon` (GeoJSON), `polygon_join`,
  `weekdays` [0 = Monday … 6], `hours` [["07:00", "09:30"], …], `no_holidays`, `min_class`,
  `registry_anomalies`, `cooldown_minutes` (same driver and passenger);
- caps: `cap_journey` €, `cap_day_trips`, `cap_month_trips`, `cap_month` €, `cap_year` €."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.utils.dates import WEEKDAYS
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

CLASSES = ("A", "B", "C")
DAYS = 7
MAX_EUROS = Decimal("10000")


class RulesError(ValueError):
    """Every problem found, by key."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Milestone:
    trip: int
    cents: int
    within_days: int | None = None


@dataclass(frozen=True)
class Rules:
    per_journey: int = 0  # cents
    per_km: int = 0  # tenths of a cent per km
    bands: tuple[tuple[int, int, int], ...] = ()  # (from m, to m, tenths of a cent per km)
    per_seat: int = 0  # cents
    milestones: tuple[Milestone, ...] = ()
    distance_min_m: int | None = None
    distance_max_m: int | None = None
    origin_areas: tuple[str, ...] = ()
    destination_areas: tuple[str, ...] = ()
    areas_join: str = "and"
    polygon: str | None = None  # GeoJSON
    polygon_join: str = "and"
    weekdays: tuple[int, ...] = ()
    hours: tuple[tuple[int, int], ...] = ()  # minutes of the day [from, to)
    no_holidays: bool = False
    min_class: str = "A"
    registry_anomalies: bool = False
    cooldown_minutes: int = 0
    cap_journey: int | None = None  # cents
    cap_day_trips: int | None = None
    cap_month_trips: int | None = None
    cap_month: int | None = None  # cents
    cap_year: int | None = None  # cents
    source: dict = field(default_factory=dict, compare=False)


def cents(value) -> int:
    return int((Decimal(value) * 100).to_integral_value(ROUND_HALF_UP))


def euros(cents_: int) -> str:
    """« 1,80 € » in French."""
    return f"{number_format(Decimal(cents_) / 100, decimal_pos=2, use_l10n=True)}\u00a0€"


def rate_text(tenths: int) -> str:
    value = Decimal(tenths) / 1000
    places = 3 if tenths % 10 else 2
    return f"{number_format(value, decimal_pos=places, use_l10n=True)}\u00a0€/km"


class _Reader:
    def __init__(self, data: dict):
        self.data = data or {}
        self.errors: dict[str, str] = {}

    def given(self, key: str) -> bool:
        return self.data.get(key) not in (None, "", [], False)

    def money(self, key: str, scale: int = 100) -> int | None:
        if not self.given(key):
            return None
        try:
            value = Decimal(str(self.data[key]).replace(",", "."))
        except InvalidOperation:
            self.errors[key] = _("Give an amount in euros, e.g. 0,10.")
            return None
        if value < 0:
            self.errors[key] = _("An amount cannot be negative.")
        elif value > MAX_EUROS:
            self.errors[key] = _("At most %(max)s € here.") % {"max": MAX_EUROS}
        elif value * scale != (value * scale).to_integral_value():
            self.errors[key] = _("Too many decimals for this amount.")
        else:
            return int(value * scale)
        return None

    def whole(self, key: str, lowest: int = 0, highest: int = 100_000) -> int | None:
        if not self.given(key):
            return None
        value = self.data[key]
        if isinstance(value, bool) or not str(value).isdigit():
            self.errors[key] = _("Give a whole number.")
            return None
        value = int(value)
        if not lowest <= value <= highest:
            self.errors[key] = _("Between %(low)d and %(high)d.") % {"low": lowest, "high": highest}
            return None
        return value


def _minutes(text: str) -> int:
    moment = time.fromisoformat(str(text))
    return moment.hour * 60 + moment.minute


def rules_read(data: dict, *, known_areas: set[str] | None = None) -> Rules:
    """The rules of `data`, or RulesError naming every problem. `known_areas`: the codes a
    campaign of this territory may name (its communes and their EPCI)."""
    r = _Reader(data)
    found: dict = {"source": dict(data or {})}
    for key in ("per_journey", "per_seat", "cap_journey", "cap_month", "cap_year"):
        value = r.money(key)
        if value is not None:
            found[key] = value
    rate = r.money("per_km", scale=1000)
    if rate is not None:
        found["per_km"] = rate
    for key in ("cap_journey", "cap_month", "cap_year"):
        if found.get(key) == 0:
            r.errors[key] = _("A cap of zero pays nothing: leave it empty for no cap.")
    found.update(_bands(r))
    found.update(_milestones(r))
    for key in ("distance_min_km", "distance_max_km"):
        value = r.whole(key, 0, 1000)
        if value is not None:
            found[key.replace("_km", "_m")] = value * 1000
    low, high = found.get("distance_min_m"), found.get("distance_max_m")
    if low is not None and high is not None and high <= low:
        r.errors["distance_max_km"] = _("The maximum distance must be above the minimum.")
    found.update(_areas(r, known_areas))
    found.update(_when(r))
    if r.given("min_class"):
        if r.data["min_class"] not in CLASSES:
            r.errors["min_class"] = _("A proof class is A, B or C.")
        else:
            found["min_class"] = r.data["min_class"]
    found["registry_anomalies"] = bool(r.data.get("registry_anomalies"))
    cooldown = r.whole("cooldown_minutes", 1, 7 * 24 * 60)
    if cooldown:
        found["cooldown_minutes"] = cooldown
    for key in ("cap_day_trips", "cap_month_trips"):
        value = r.whole(key, 1, 1000)
        if value is not None:
            found[key] = value
    if not r.errors and not any(
        found.get(k) for k in ("per_journey", "per_km", "bands", "per_seat", "milestones")
    ):
        r.errors["per_km"] = _("Give at least one amount: per journey, per km, per seat or bonus.")
    if r.errors:
        raise RulesError(r.errors)
    return Rules(**found)


def _bands(r: _Reader) -> dict:
    if not r.given("bands"):
        return {}
    bands = []
    try:
        for low, high, rate in r.data["bands"]:
            low_m, high_m = round(float(low) * 1000), round(float(high) * 1000)
            tenths = Decimal(str(rate).replace(",", ".")) * 1000
            if tenths < 0 or low_m < 0 or tenths != tenths.to_integral_value():
                raise ValueError
            if high_m <= low_m:
                r.errors["bands"] = _("A band ends after it starts (%(low)s–%(high)s km).") % {
                    "low": low,
                    "high": high,
                }
                return {}
            bands.append((low_m, high_m, int(tenths)))
    except (TypeError, ValueError, InvalidOperation):
        r.errors["bands"] = _("Each band is “from km, to km, €/km”, e.g. 0-20: 0,10.")
        return {}
    bands.sort()
    for (_l1, h1, _r1), (l2, _h2, _r2) in zip(bands, bands[1:]):
        if l2 < h1:
            r.errors["bands"] = _("Bands overlap at %(km)s km.") % {"km": l2 / 1000}
            return {}
    return {"bands": tuple(bands)}


def _milestones(r: _Reader) -> dict:
    if not r.given("milestones"):
        return {}
    found = []
    try:
        for item in r.data["milestones"]:
            trip, amount = int(item["trip"]), cents(str(item["amount"]).replace(",", "."))
            within = item.get("within_days")
            within = int(within) if within not in (None, "") else None
            if trip < 1 or amount <= 0 or (within is not None and within < 1):
                raise ValueError
            found.append(Milestone(trip, amount, within))
    except (TypeError, ValueError, KeyError, InvalidOperation):
        r.errors["milestones"] = _("Each bonus is “n-th trip: amount”, optionally “within d days”.")
        return {}
    trips = [m.trip for m in found]
    if len(set(trips)) != len(trips):
        r.errors["milestones"] = _("Two bonuses for the same trip.")
        return {}
    return {"milestones": tuple(sorted(found, key=lambda m: m.trip))}


def _areas(r: _Reader, known: set[str] | None) -> dict:
    found: dict = {}
    for key in ("origin_areas", "destination_areas"):
        codes = tuple(dict.fromkeys(str(c).strip().upper() for c in r.data.get(key) or ()))
        unknown = [c for c in codes if known is not None and c not in known]
        if unknown:
            r.errors[key] = _("Not in the territory: %(codes)s.") % {"codes": ", ".join(unknown)}
        elif codes:
            found[key] = codes
    for key in ("areas_join", "polygon_join"):
        if r.given(key):
            if r.data[key] not in ("and", "or"):
                r.errors[key] = _("Choose “and” or “or”.")
            else:
                found[key] = r.data[key]
    if r.given("polygon"):
        text = r.data["polygon"]
        text = text if isinstance(text, str) else json.dumps(text)
        try:
            shape = GEOSGeometry(text, srid=4326)
            if shape.geom_type not in ("Polygon", "MultiPolygon") or not shape.valid:
                raise ValueError
        except (GEOSException, ValueError, TypeError):
            r.errors["polygon"] = _("Give a valid GeoJSON polygon (longitude, latitude).")
        else:
            found["polygon"] = shape.json
    return found


def _when(r: _Reader) -> dict:
    found: dict = {}
    if r.given("weekdays"):
        days = r.data["weekdays"]
        if not all(str(d).isdigit() and 0 <= int(d) < DAYS for d in days):
            r.errors["weekdays"] = _("Weekdays are 0 (Monday) to 6 (Sunday).")
        else:
            found["weekdays"] = tuple(sorted({int(d) for d in days}))
    if r.given("hours"):
        try:
            hours = tuple(sorted((_minutes(a), _minutes(b)) for a, b in r.data["hours"]))
            if any(b <= a for a, b in hours):
                r.errors["hours"] = _("An hour range ends after it starts.")
            else:
                found["hours"] = hours
        except (TypeError, ValueError):
            r.errors["hours"] = _("Give hour ranges as 07:00-09:30.")
    found["no_holidays"] = bool(r.data.get("no_holidays"))
    return found


def km_text(metres: int) -> str:
    return number_format(Decimal(metres) / 1000, decimal_pos=0 if metres % 1000 == 0 else 1)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}\u00a0h\u00a0{minutes % 60:02d}"


def describe(rules: Rules, names: dict[str, str] | None = None) -> list[str]:
    """Each block as a sentence in plain French (names: area codes → names)."""
    names = names or {}
    said: list[str] = []
    if rules.per_journey:
        said.append(_("%(amount)s per journey.") % {"amount": euros(rules.per_journey)})
    if rules.per_km:
        said.append(_("%(rate)s of the journey's distance.") % {"rate": rate_text(rules.per_km)})
    for low, high, rate in rules.bands:
        said.append(
            _("From %(low)s to %(high)s km: %(rate)s.")
            % {"low": km_text(low), "high": km_text(high), "rate": rate_text(rate)}
        )
    if rules.per_seat:
        said.append(_("%(amount)s per passenger seat.") % {"amount": euros(rules.per_seat)})
    for m in rules.milestones:
        if m.trip == 1:
            text = _("Newcomers: %(amount)s after their first trip") % {"amount": euros(m.cents)}
        else:
            text = _("Newcomers: %(amount)s at their trip no. %(n)d") % {
                "amount": euros(m.cents),
                "n": m.trip,
            }
        if m.within_days:
            text += " " + ngettext(
                "within %(d)d day of the first", "within %(d)d days of the first", m.within_days
            ) % {"d": m.within_days}
        said.append(text + _(" (once per person)."))
    low, high = rules.distance_min_m, rules.distance_max_m
    if low is not None and high is not None:
        said.append(
            _("Journeys of %(low)s to %(high)s km.") % {"low": km_text(low), "high": km_text(high)}
        )
    elif low is not None:
        said.append(_("Journeys of at least %(low)s km.") % {"low": km_text(low)})
    elif high is not None:
        said.append(_("Journeys of at most %(high)s km.") % {"high": km_text(high)})
    said.extend(_describe_areas(rules, names))
    if rules.weekdays:
        days = ", ".join(str(WEEKDAYS[d]).lower() for d in rules.weekdays)
        said.append(_("On these days only: %(days)s.") % {"days": days})
    if rules.hours:
        ranges = ", ".join(
            _("%(from)s to %(to)s") % {"from": _hhmm(a), "to": _hhmm(b)} for a, b in rules.hours
        )
        said.append(_("Pickup between %(ranges)s.") % {"ranges": ranges})
    if rules.no_holidays:
        said.append(_("Not on public holidays."))
    if rules.min_class != "A":
        said.append(_("Proof class %(c)s or better.") % {"c": rules.min_class})
    if rules.registry_anomalies:
        said.append(
            _(
                "The registry's anomaly rules: journeys under 2 km are not paid; more than 4 "
                "a day or less than 30 minutes apart are held for a moderator."
            )
        )
    if rules.cooldown_minutes:
        said.append(
            _("The same driver and passenger are paid again only %(m)s after their last journey.")
            % {"m": _duration(rules.cooldown_minutes)}
        )
    said.extend(_describe_caps(rules))
    return said


def _duration(minutes: int) -> str:
    if minutes % 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def _describe_areas(rules: Rules, names: dict[str, str]) -> list[str]:
    def listed(codes):
        return ", ".join(names.get(c, c) for c in codes)

    origin, destination = rules.origin_areas, rules.destination_areas
    said = []
    if origin and destination:
        if origin == destination and rules.areas_join == "and":
            said.append(_("Starting and ending in %(areas)s.") % {"areas": listed(origin)})
        else:
            both = rules.areas_join == "and"
            joined = pgettext("areas", "and") if both else pgettext("areas", "or")
            said.append(
                _("Starting in %(o)s %(join)s ending in %(d)s.")
                % {"o": listed(origin), "join": joined, "d": listed(destination)}
            )
    elif origin:
        said.append(_("Starting in %(areas)s.") % {"areas": listed(origin)})
    elif destination:
        said.append(_("Ending in %(areas)s.") % {"areas": listed(destination)})
    if rules.polygon:
        if rules.polygon_join == "and":
            said.append(_("Pickup and drop-off inside the drawn zone."))
        else:
            said.append(_("Pickup or drop-off inside the drawn zone."))
    return said


def _describe_caps(rules: Rules) -> list[str]:
    said = []
    if rules.cap_journey:
        said.append(_("At most %(amount)s per journey.") % {"amount": euros(rules.cap_journey)})
    if rules.cap_day_trips:
        said.append(
            ngettext(
                "At most %(n)d paid trip per person a day.",
                "At most %(n)d paid trips per person a day.",
                rules.cap_day_trips,
            )
            % {"n": rules.cap_day_trips}
        )
    if rules.cap_month_trips:
        said.append(
            ngettext(
                "At most %(n)d paid trip per person a month.",
                "At most %(n)d paid trips per person a month.",
                rules.cap_month_trips,
            )
            % {"n": rules.cap_month_trips}
        )
    if rules.cap_month:
        said.append(
            _("At most %(amount)s per person a month.") % {"amount": euros(rules.cap_month)}
        )
    if rules.cap_year:
        said.append(_("At most %(amount)s per person a year.") % {"amount": euros(rules.cap_year)})
    return said
