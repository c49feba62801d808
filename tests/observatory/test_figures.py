"""The authority's figures: hand-computed small cases, small-cell suppression that totals
cannot undo, isolation between territories, and the pages and downloads by role."""

import csv
import io
import json
import re
import zipfile
from datetime import date

import pytest
from django_tenants.utils import schema_context

from observatory.aggregates import ReportPeriod, flows, indicators
from observatory.forms import PeriodForm
from observatory.models import AccessLog
from tests.factories import october_journey, person

PERIOD = ReportPeriod(date(2026, 10, 1), date(2026, 10, 31))


def test_flows_by_hand_with_a_suppressed_cell_that_totals_do_not_reveal(alpha, october):
    with schema_context(alpha.territory.schema_name):
        result = flows(PERIOD, "commune", k=4)
    by_pair = {(f.origin, f.destination): f for f in result.rows}
    shown = by_pair[("AD-03", "AD-07")]
    assert (shown.journeys.value, shown.passengers.value) == (3, 4)
    assert shown.passenger_km.value == 40.0 and shown.journeys.people == 6
    assert (shown.origin_name, shown.destination_name) == ("Encamp", "Andorra la Vella")
    hidden = by_pair[("AD-03", "AD-08")]
    assert hidden.suppressed and hidden.passengers.value is None and hidden.journeys.people == 2
    # Totals are those of the cells shown: total − shown never gives the hidden cell.
    assert (result.total_journeys, result.total_passengers) == (3, 4)
    assert result.total_passenger_km == 40.0 and result.suppressed_cells == 1


def test_indicators_by_hand(alpha, october):
    with schema_context(alpha.territory.schema_name):
        figures = indicators(PERIOD, k=4)
    assert figures["journeys"].value == 4 and figures["car_trips_avoided"].value == 5
    assert figures["vehicle_km_avoided"].value == 44.0  # 10 + 2×10 + 10 + 4
    assert figures["co2_kg_avoided"].value == round(44.0 * 0.218, 1)
    assert figures["occupancy"].value == round((4 + 5) / 4, 2)  # 4 cars, 5 passengers
    assert figures["drivers"].value == 4 and figures["passengers"].value == 4
    with schema_context(alpha.territory.schema_name):
        strict = indicators(PERIOD, k=11)  # 8 people only: nothing about them is shown
    assert strict["journeys"].suppressed and strict["co2_kg_avoided"].suppressed
    assert strict["journeys"].people == 8


def test_a_territory_sees_only_its_own_journeys(alpha, beta, october):
    with schema_context(beta.territory.schema_name):
        assert flows(PERIOD, k=1).rows == []
        assert indicators(PERIOD, k=1)["journeys"].value == 0


@pytest.mark.parametrize(
    ("data", "first", "last"),
    [
        ({"kind": "month", "day": "2026-02-10"}, date(2026, 2, 1), date(2026, 2, 28)),
        ({"kind": "quarter", "day": "2026-11-26"}, date(2026, 10, 1), date(2026, 12, 31)),
        ({"kind": "year", "day": "2025-06-01"}, date(2025, 1, 1), date(2025, 12, 31)),
        (
            {"kind": "custom", "first": "2026-03-03", "last": "2026-03-09"},
            date(2026, 3, 3),
            date(2026, 3, 9),
        ),
    ],
)
def test_periods(data, first, last):
    form = PeriodForm(data)
    assert form.is_valid(), form.errors
    assert form.period() == ReportPeriod(first, last)
    assert form.period().previous().days == form.period().days


def test_dashboard_download_and_access_log_by_role(alpha, october):
    with schema_context(alpha.territory.schema_name):
        from themes.selectors import settings_get

        current = settings_get()
        current.observatory_min_people = 5
        current.save()
    officer = alpha.client("data")
    query = {"kind": "month", "day": "2026-10-15", "level": "commune"}
    page = officer.get("/observatory/", query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Véhicules-km évités" in text and "Encamp" in text and "&lt; 5" in text
    # Nobody is named (P1 is a first name; as a word, not inside a random CSRF token).
    assert "person1@figures.test" not in text and not re.search(r"\bP1\b", text)
    assert alpha.client("citizen").get("/observatory/").status_code == 403
    assert officer.get("/observatory/", {"kind": "custom", "first": "x"}).status_code == 400
    download = officer.get("/observatory/download/flows.csv.zip", query)
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    names = sorted(archive.namelist())
    assert names == [
        "flows-commune-2026-10-01-2026-10-31.csv",
        "flows-commune-2026-10-01-2026-10-31.metadata.json",
    ]
    rows = list(csv.DictReader(io.StringIO(archive.read(names[0]).decode())))
    assert {r["suppressed"] for r in rows} == {"0", "1"}
    assert all(r["journeys"] == "" for r in rows if r["suppressed"] == "1")
    meta = json.loads(archive.read(names[1]))
    assert meta["suppression"]["k"] == 5 and meta["licence"] == "Licence Ouverte 2.0"
    assert meta["period"] == {"first_day": "2026-10-01", "last_day": "2026-10-31"}
    assert meta["columns"]["journeys"]["fr"].startswith("Trajets (couples conducteur")
    assert meta["columns"]["journeys"]["en"].startswith("Journeys (driver")
    assert meta["suppression"]["rule"]["fr"].startswith("Une case qui concerne")
    assert officer.get("/observatory/access-log/").status_code == 403
    log = alpha.client("admin").get("/observatory/access-log/").content.decode()
    assert "data@alpha.test" in log
    with schema_context(alpha.territory.schema_name):
        actions = list(AccessLog.objects.values_list("action", "what").order_by("at", "pk"))
    assert actions[:2] == [("view", "dashboard"), ("download", "flows")]


def _rows(archive: zipfile.ZipFile, fmt: str) -> list[dict]:
    import pyarrow.parquet as pq

    name = next(n for n in archive.namelist() if n.endswith(f".{fmt}") and "-areas" not in n)
    data = archive.read(name)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode())))
        return [{k: (None if v == "" else v) for k, v in r.items()} for r in rows]
    if fmt == "parquet":
        return pq.read_table(io.BytesIO(data)).to_pylist()
    return [f["properties"] for f in json.loads(data)["features"]]


EXPECTED_SHOWN = {
    # October: AD-03→AD-07 has 6 people; AD-03→AD-08 2. All four journeys on Monday 5 at 08:00.
    "flows": {("AD-03", "AD-07"): 3},
    "by_time": {("1", "8"): 4},
    "by_distance": {("10-20",): 3},
    "by_period": {("2026-10-05",): 4},
}


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        (n, f)
        for n in EXPECTED_SHOWN
        for f in ("csv", "geojson", "parquet")
        if f != "geojson" or n == "flows"
    ],
)
def test_no_file_of_any_format_shows_a_cell_below_k(alpha, october, name, fmt):
    with schema_context(alpha.territory.schema_name):
        from themes.selectors import settings_get

        current = settings_get()
        current.observatory_min_people = 5
        current.save()
    response = alpha.client("data").get(
        f"/observatory/download/{name}.{fmt}.zip", {"kind": "month", "day": "2026-10-01"}
    )
    assert response.status_code == 200
    rows = _rows(zipfile.ZipFile(io.BytesIO(response.content)), fmt)
    keys = {
        "flows": ("origin", "destination"),
        "by_time": ("weekday", "hour"),
        "by_period": ("starting",),
    }
    key_names = keys.get(name, ("distance_km",))
    shown = {
        tuple(str(r[k]) for k in key_names): int(float(r["journeys"]))
        for r in rows
        if str(r["suppressed"]) == "0" and r["journeys"] is not None and float(r["journeys"]) > 0
    }
    assert shown == EXPECTED_SHOWN[name]
    for r in rows:
        if str(r["suppressed"]) == "1":
            assert r["journeys"] is None and r["passengers"] is None and r["passenger_km"] is None


def test_unknown_dataset_or_format_is_404(alpha):
    officer = alpha.client("data")
    assert officer.get("/observatory/download/people.csv.zip").status_code == 404
    assert officer.get("/observatory/download/by_time.geojson.zip").status_code == 404
    assert officer.get("/observatory/download/flows.xlsx.zip").status_code == 404


def test_dashboard_chart_and_map_show_only_cells_above_k(alpha, october):
    officer = alpha.client("data")
    query = {"kind": "month", "day": "2026-10-15", "level": "commune"}
    with schema_context(alpha.territory.schema_name):
        from themes.selectors import settings_get

        current = settings_get()
        current.observatory_min_people = 5
        current.save()
    page = officer.get("/observatory/", query).content.decode()
    hours = page[page.index('id="hours-title"') :]
    # The 08:00 bar of the hourly chart is drawn, with its figure (Monday 5, 08:00: 8 people).
    eight = re.search(
        r'height="([\d.]+)" class="bar"><title>de 8 h à 9 h\xa0: (\d+)</title>', hours
    )
    assert eight and float(eight[1]) > 0 and int(eight[2]) == 4
    assert '<th scope="row">de 8 h à 9 h</th><td>4</td>' in hours  # and in the table
    assert "axis-title" in hours and "Heure de prise en charge" in hours
    data = officer.get("/observatory/map.json", query).json()
    lines = data["flows"]["features"]
    assert [(f["properties"]["origin"], f["properties"]["destination"]) for f in lines] == [
        ("AD-03", "AD-07")
    ]
    assert lines[0]["geometry"]["type"] == "LineString"
    assert {a["properties"]["code"] for a in data["areas"]["features"]} == {"AD-03", "AD-07"}
    assert alpha.client("citizen").get("/observatory/map.json", query).status_code == 403


def test_people_driving_each_other_count_once(alpha):
    """Two people taking turns at the wheel: 4 journeys, 2 people — never shown with k = 3,
    although 2 drivers + 2 passengers would make 4."""
    with schema_context(alpha.territory.schema_name):
        a, b = person(50), person(51)
        for day in (5, 6, 7, 8):
            october_journey(a if day % 2 else b, b if day % 2 else a, day=day)
        result = flows(PERIOD, "commune", k=3)
        (cell,) = result.rows
        assert cell.suppressed and cell.journeys.people == 2
        assert indicators(PERIOD, k=3)["journeys"].suppressed


def test_a_first_visit_opens_on_the_last_complete_month_with_journeys(alpha, october):
    from datetime import date

    from django.utils import translation

    from observatory.views import default_period

    with schema_context(alpha.territory.schema_name), translation.override("fr"):
        data, said = default_period(date(2026, 11, 20))
        assert data == {"kind": "month", "day": "2026-10-01", "level": "commune"}
        assert said == "octobre 2026, le dernier mois complet"
        data, said = default_period(date(2026, 12, 3))
        assert data["day"] == "2026-10-01" and "avec des trajets" in said
    page = alpha.client("data").get("/observatory/").content.decode()
    assert "Période affichée" in page
