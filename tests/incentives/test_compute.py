"""Every block and cap of a campaign, alone and combined, against amounts computed by hand, on
the engine's tables (docs/incentives.md); the database's part is in test_simulation.py."""

from datetime import date, datetime, timedelta

import numpy as np
import pytest

from incentives.compute import Context, Table, day_number, lines_owed, month_key
from incentives.rules import RulesError, describe, rules_read

MONDAY = date(2026, 3, 2)


def table(*journeys) -> Table:
    """Journeys as (day offset from a Monday, "HH:MM", km, driver, passenger) plus options."""
    rows = []
    for i, j in enumerate(journeys, start=1):
        day = MONDAY + timedelta(days=j.get("day", 0))
        hour, minute = map(int, j.get("time", "08:00").split(":"))
        moment = datetime(day.year, day.month, day.day, hour, minute)
        seconds = int((moment - datetime(1970, 1, 1)).total_seconds())
        rows.append(
            {
                "id": i,
                "at": seconds,
                "end": seconds + j.get("minutes", 20) * 60,
                "day": day_number(day),
                "month": month_key(day),
                "year": day.year,
                "weekday": day.weekday(),
                "minute": hour * 60 + minute,
                "distance_m": round(j.get("km", 10) * 1000),
                "seats": j.get("seats", 1),
                "proof": j.get("proof", 2),
                "driver": j.get("driver", 1),
                "passenger": j.get("passenger", 2),
                "offer": j.get("offer", i),
                "origin": j.get("origin", 1),
                "destination": j.get("destination", 1),
                "partner": j.get("partner", 0),
            }
        )
    rows.sort(key=lambda r: (r["at"], r["id"]))
    return Table(**{k: np.array([r[k] for r in rows], dtype=np.int64) for k in rows[0]})


def paid(rules: dict, *journeys, roles=(1,), budget=10**9, first=-400, last=400, **context):
    t = table(*journeys)
    ctx = Context(
        first_day=day_number(MONDAY) + first,
        last_day=day_number(MONDAY) + last,
        origin_ids=np.array(context.get("origin_ids", []), dtype=np.int64),
        destination_ids=np.array(context.get("destination_ids", []), dtype=np.int64),
        holidays=np.array(context.get("holidays", []), dtype=np.int64),
    )
    lines = lines_owed(t, rules_read(rules), ctx, roles, budget)
    by_journey = {}
    for j, p in zip(t.id[lines.journey].tolist(), lines.paid.tolist()):
        by_journey.setdefault(j, []).append(p)
    return [sum(by_journey[i]) for i in range(1, len(journeys) + 1)]


ONE = {}


def test_amount_per_km_per_journey_per_seat_and_bands():
    assert paid({"per_km": "0.10"}, {"km": 18}) == [180]
    assert paid({"per_km": "0.125"}, {"km": 3}) == [38]  # 37.5 c rounded half up
    assert paid({"per_journey": "1.50"}, {"km": 3}, {"km": 40}) == [150, 150]
    assert paid({"per_seat": "0.50"}, {"seats": 3}) == [150]
    bands = {"bands": [[0, 20, "0.10"], [20, 40, "0.05"]]}
    assert paid(bands, {"km": 12}, {"km": 30}, {"km": 60}) == [120, 250, 300]
    both = {"per_journey": "0.50", "per_km": "0.10"}
    assert paid(both, {"km": 18}) == [230]


def test_distance_bounds_keep_the_journeys_inside():
    rules = {"per_journey": "1", "distance_min_km": 2, "distance_max_km": 40}
    assert paid(rules, {"km": 1.9}, {"km": 2}, {"km": 40}, {"km": 40.1}) == [0, 100, 100, 0]


def test_areas_with_and_or_or():
    inside = {"per_journey": "1", "origin_areas": ["AD-03"], "destination_areas": ["AD-03"]}
    journeys = (
        {"origin": 5, "destination": 5},
        {"origin": 5, "destination": 6},
        {"origin": 6, "destination": 6},
    )
    ids = {"origin_ids": [5], "destination_ids": [5]}
    assert paid(inside, *journeys, **ids) == [100, 0, 0]
    either = {**inside, "areas_join": "or"}
    assert paid(either, *journeys, **ids) == [100, 100, 0]
    only_origin = {"per_journey": "1", "origin_areas": ["AD-03"]}
    assert paid(only_origin, *journeys, origin_ids=[5]) == [100, 100, 0]


def test_weekdays_hours_and_public_holidays():
    rules = {"per_journey": "1", "weekdays": [0, 1, 2, 3, 4], "hours": [["07:00", "09:30"]]}
    journeys = (
        {"day": 0, "time": "07:00"},
        {"day": 0, "time": "09:30"},
        {"day": 5, "time": "08:00"},
        {"day": 1, "time": "06:59"},
    )
    assert paid(rules, *journeys) == [100, 0, 0, 0]
    holiday = {"per_journey": "1", "no_holidays": True}
    tuesday = day_number(MONDAY) + 1
    assert paid(holiday, {"day": 0}, {"day": 1}, holidays=[tuesday]) == [100, 0]


def test_minimum_proof_class():
    journeys = ({"proof": 0}, {"proof": 1}, {"proof": 2})
    assert paid({"per_journey": "1", "min_class": "B"}, *journeys) == [0, 100, 100]
    assert paid({"per_journey": "1", "min_class": "C"}, *journeys) == [0, 0, 100]


def test_registry_anomalies_short_journeys_and_held_ones():
    rules = {"per_journey": "1", "registry_anomalies": True}
    # Under 2 km; then a fifth journey of one passenger in a day (held, not paid here).
    day = [{"km": 1.5, "time": "06:00"}] + [
        {"time": f"{8 + 2 * i:02d}:00", "driver": 10 + i} for i in range(5)
    ]
    assert paid(rules, *day) == [0, 100, 100, 100, 0, 0]  # the short one counts in the day
    # Less than 30 minutes after the end of the passenger's previous journey (ended 08:20).
    close = ({"time": "08:00"}, {"time": "08:45", "driver": 3}, {"time": "09:40", "driver": 4})
    assert paid(rules, *close) == [100, 0, 100]


def test_a_drivers_passengers_of_one_ride_are_one_trip():
    rules = {"per_journey": "1", "registry_anomalies": True}
    ride = ({"offer": 7, "passenger": 2}, {"offer": 7, "passenger": 3})
    assert paid(rules, *ride, roles=(0,)) == [100, 100]


def test_cooldown_between_the_same_driver_and_passenger():
    rules = {"per_journey": "1", "cooldown_minutes": 120}
    # Counted from the pair's previous journey, paid or not: hops of one trip are one trip.
    journeys = (
        {"time": "08:00"},
        {"time": "09:00"},
        {"time": "10:30"},
        {"time": "13:00"},
        {"time": "09:00", "driver": 9},
    )
    assert paid(rules, *journeys) == [100, 0, 0, 100, 100]


def test_newcomers_bonuses_on_the_national_scheme():
    """The energy-savings bonus for new drivers: 25 € after the first trip, 75 € more at the
    tenth within three months, trips of 80 km at most, class C."""
    cee = {
        "milestones": [
            {"trip": 1, "amount": "25"},
            {"trip": 10, "amount": "75", "within_days": 90},
        ],
        "distance_max_km": 80,
        "min_class": "C",
    }
    quick = [{"day": d, "driver": 1, "passenger": 100 + d} for d in range(10)]
    assert sum(paid(cee, *quick, roles=(0,))) == 2500 + 7500
    got = paid(cee, *quick, roles=(0,))
    assert got[0] == 2500 and got[9] == 7500 and sum(got[1:9]) == 0
    # A long or class-B trip does not count; the tenth too late pays nothing.
    slow = [{"day": d * 11, "driver": 1, "passenger": 100 + d} for d in range(10)]
    assert paid(cee, *slow, roles=(0,)) == [2500] + [0] * 9
    mixed = [{"km": 90}, {"proof": 1}] + quick
    got = paid(cee, *mixed, roles=(0,))
    assert got[:3] == [0, 0, 2500] and got[11] == 7500
    # Who had carpooled before the campaign is no newcomer.
    assert paid(cee, *quick[:3], roles=(0,), first=1) == [0, 0, 0]


def test_caps_on_trips_per_day_and_per_month():
    per_day = {"per_journey": "1", "cap_day_trips": 2}
    same_day = [{"time": f"{h:02d}:00", "driver": h} for h in (7, 9, 11)]
    assert paid(per_day, *same_day, {"day": 1}) == [100, 100, 0, 100]
    per_month = {"per_journey": "1", "cap_month_trips": 3}
    march = [{"day": d, "driver": d} for d in range(4)] + [{"day": 30}]  # 1 April
    assert paid(per_month, *march) == [100, 100, 100, 0, 100]


def test_euro_caps_clip_to_what_remains():
    per_journey = {"per_km": "0.10", "cap_journey": "2.00"}
    assert paid(per_journey, {"km": 18}, {"km": 30}) == [180, 200]
    monthly = {"per_km": "0.10", "cap_month": "3.00"}
    # 1.80 then 0.60 of the next 1.80 (« plafond mensuel atteint : 0,60 € versés »), then 0.
    journeys = (
        {"km": 18, "day": 0},
        {"km": 18, "day": 1, "driver": 3},
        {"km": 18, "day": 2, "driver": 4},
        {"km": 18, "day": 30, "driver": 5},
    )
    assert paid(monthly, *journeys) == [180, 120, 0, 180]
    yearly = {"per_km": "0.10", "cap_year": "3.00"}
    assert paid(yearly, *journeys) == [180, 120, 0, 0]


def test_the_budget_runs_out_for_everyone_in_time_order():
    rules = {"per_km": "0.10"}
    journeys = (
        {"km": 18, "passenger": 2},
        {"km": 18, "passenger": 3, "time": "09:00"},
        {"km": 18, "passenger": 4, "time": "10:00"},
    )
    assert paid(rules, *journeys, budget=400) == [180, 180, 40]


def test_both_sides_paid_and_caps_per_person():
    rules = {"per_journey": "1", "cap_day_trips": 1}
    journeys = ({"driver": 1, "passenger": 2}, {"driver": 1, "passenger": 3, "time": "10:00"})
    # The driver's second trip of the day is over the cap; the second passenger's is not.
    assert paid(rules, *journeys, roles=(0, 1)) == [200, 100]


def test_a_partners_passenger_is_not_paid_but_the_driver_is():
    rules = {"per_journey": "1"}
    assert paid(rules, {"partner": 1}, {"partner": 0}, roles=(0, 1)) == [100, 200]


def test_combined_blocks():
    """Encamp's demo campaign: 0,10 €/km for passengers' trips of 2–40 km inside the parish,
    30 € per person per month."""
    rules = {
        "per_km": "0.10",
        "distance_min_km": 2,
        "distance_max_km": 40,
        "origin_areas": ["AD-03"],
        "destination_areas": ["AD-03"],
        "cap_month": "30",
    }
    long_days = [{"km": 39, "day": d, "time": "08:00", "driver": d} for d in range(8)]
    got = paid(
        rules,
        *long_days,
        {"km": 39, "destination": 2, "day": 9},
        origin_ids=[1],
        destination_ids=[1],
    )
    assert got == [390] * 7 + [270, 0]  # 7 × 3,90 = 27,30; then 2,70 to reach 30 €


@pytest.mark.parametrize(
    "rules, field",
    [
        ({"per_km": "-0.10"}, "per_km"),
        ({"bands": [[0, 20, "0.1"], [15, 40, "0.05"]]}, "bands"),
        ({"bands": [[20, 10, "0.1"]]}, "bands"),
        ({"per_km": "0.1", "distance_min_km": 40, "distance_max_km": 2}, "distance_max_km"),
        ({"per_km": "0.1", "cap_month": "0"}, "cap_month"),
        ({"per_km": "0.1", "hours": [["10:00", "08:00"]]}, "hours"),
        ({"per_km": "0.1", "weekdays": [7]}, "weekdays"),
        ({"per_km": "0.1", "min_class": "D"}, "min_class"),
        ({"per_km": "0.1", "origin_areas": ["75056"]}, "origin_areas"),
        ({"per_km": "0.1", "polygon": '{"type": "Point", "coordinates": [1, 42]}'}, "polygon"),
        ({}, "per_km"),
    ],
)
def test_rules_that_cannot_work_name_their_field(rules, field):
    with pytest.raises(RulesError) as caught:
        rules_read(rules, known_areas={"AD-03"})
    assert field in caught.value.errors


def test_every_problem_at_once():
    with pytest.raises(RulesError) as caught:
        rules_read({"per_km": "-1", "cap_year": "0", "weekdays": [9]}, known_areas=set())
    assert set(caught.value.errors) == {"per_km", "cap_year", "weekdays"}


def test_each_block_said_in_french(settings):
    from django.utils import translation

    rules = rules_read(
        {
            "per_km": "0.10",
            "distance_min_km": 2,
            "distance_max_km": 40,
            "origin_areas": ["AD-03"],
            "destination_areas": ["AD-03"],
            "cap_month": "30",
            "milestones": [{"trip": 10, "amount": "75", "within_days": 90}],
            "weekdays": [0, 4],
            "hours": [["07:00", "09:30"]],
            "cooldown_minutes": 60,
        }
    )
    with translation.override("fr"):
        said = describe(rules, {"AD-03": "Encamp"})
    assert "0,10\u00a0€/km sur la distance du trajet." in said
    assert "Trajets de 2 à 40\u00a0km." in said
    assert "Départ et arrivée à Encamp." in said
    assert "Au plus 30,00\u00a0€ par personne et par mois." in said
    assert any("75,00\u00a0€" in s and "90\u00a0jours" in s for s in said)
    assert any("lundi, vendredi" in s for s in said)


def test_public_holidays_come_from_the_library():
    from incentives.compute import holiday_days

    france = holiday_days("FR", date(2026, 1, 1), date(2026, 12, 31))
    assert day_number(date(2026, 7, 14)) in france and day_number(date(2026, 7, 13)) not in france
    assert day_number(date(2026, 9, 8)) in holiday_days("AD", date(2026, 1, 1), date(2026, 12, 31))
    assert len(holiday_days("XX", date(2026, 1, 1), date(2026, 12, 31))) == 0  # unknown: none
