"""The datasets the authority downloads or calls through its API, as tables with documented
columns and suppression applied, and their file formats (CSV, GeoJSON, Parquet), each zipped
with a metadata file."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

from django.conf import settings
from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from tenants.models import Area
from themes.selectors import settings_get
from trips.models import Alert, SearchLog

from .aggregates import Flows, ReportPeriod, area_keys, figure, flows, grouped
from .opendata import opendata
from .tables import Table

FORMATS = ("csv", "geojson", "parquet")


FLOW_COLUMNS = [
    (
        "origin",
        gettext_noop("Code of the origin area (INSEE commune code, EPCI SIREN, or ISO 3166-2)."),
    ),
    ("origin_name", gettext_noop("Name of the origin area.")),
    ("destination", gettext_noop("Code of the destination area.")),
    ("destination_name", gettext_noop("Name of the destination area.")),
    (
        "journeys",
        gettext_noop("Journeys (driver–passenger couples that travelled) starting in the period."),
    ),
    ("passengers", gettext_noop("Passengers carried (seats booked).")),
    ("passenger_km", gettext_noop("Passenger-kilometres on the road (seats × road distance).")),
    (
        "vehicle_km_avoided",
        gettext_noop(
            "Vehicle-kilometres avoided: each passenger would otherwise have driven their own "
            "car over their trip."
        ),
    ),
    (
        "suppressed",
        gettext_noop(
            "1 when the cell concerns fewer than k distinct people: its figures are empty."
        ),
    ),
]
COUNT_COLUMNS = [
    ("journeys", gettext_noop("Journeys starting in the group.")),
    ("passengers", gettext_noop("Passengers carried.")),
    ("passenger_km", gettext_noop("Passenger-kilometres on the road.")),
    (
        "suppressed",
        gettext_noop("1 when the group concerns fewer than k distinct people: figures empty."),
    ),
]
DISTANCE_BANDS = [(0, 5), (5, 10), (10, 20), (20, 50), (50, None)]


def flows_table(result: Flows) -> Table:
    rows = [
        {
            "origin": f.origin,
            "origin_name": f.origin_name,
            "destination": f.destination,
            "destination_name": f.destination_name,
            "journeys": f.journeys.value,
            "passengers": f.passengers.value,
            "passenger_km": f.passenger_km.value,
            "vehicle_km_avoided": f.vehicle_km_avoided.value,
            "suppressed": int(f.suppressed),
        }
        for f in result.rows
    ]
    return Table(
        "flows",
        result.period,
        result.k,
        FLOW_COLUMNS,
        rows,
        result.suppressed_cells,
        {
            "journeys": result.total_journeys,
            "passengers": result.total_passengers,
            "passenger_km": result.total_passenger_km,
        },
        result.level,
    )


def _grouped(name, period: ReportPeriod, k: int, keys: list[tuple], sql_keys, key_columns) -> Table:
    """Every key of `keys` (zeros included), with the figures PostgreSQL computes per group."""
    found = {
        tuple(row[: len(sql_keys)]): row[len(sql_keys) :] for row in grouped(period, sql_keys, k=k)
    }
    rows = []
    for key in keys:
        count, passengers, passenger_m, people = found.get(key, (0, 0, 0, 0))
        values = {
            "journeys": figure(count, people, k).value,
            "passengers": figure(passengers, people, k).value,
            "passenger_km": figure(round(float(passenger_m) / 1000, 1), people, k).value,
        }
        rows.append(
            {
                **dict(zip([c for c, _d in key_columns], key, strict=True)),
                **values,
                "suppressed": int(values["journeys"] is None),
            }
        )
    shown = [r for r in rows if not r["suppressed"]]
    return Table(
        name,
        period,
        k,
        key_columns + COUNT_COLUMNS,
        rows,
        len(rows) - len(shown),
        {c: round(sum(r[c] for r in shown), 1) for c in ("journeys", "passengers", "passenger_km")},
    )


def _alert_people(period: ReportPeriod) -> set[tuple[str, str, int]]:
    """(origin area, destination area, person) of the alerts active during the period."""
    return set(
        Alert.objects.filter(created_at__lt=period.end, expires_on__gte=period.first)
        .exclude(cancelled_at__lt=period.start)
        .values_list("origin_area", "destination_area", "passenger_id")
        .distinct()
    )


def unmet_demand(period: ReportPeriod, k: int, level: str = "commune") -> Table:
    """By origin–destination: searches without any result (anonymous: the count of searches
    is what suppression applies to), and people with an alert (saved search) active in the
    period (suppressed below k people)."""
    rows = list(
        SearchLog.objects.filter(at__gte=period.start, at__lt=period.end, results=0)
        .values("origin_area", "destination_area")
        .annotate(n=Count("id"))
    )
    alerted = _alert_people(period)
    keys = area_keys(
        {r["origin_area"] for r in rows}
        | {r["destination_area"] for r in rows}
        | {a for a, _b, _p in alerted}
        | {b for _a, b, _p in alerted},
        level,
    )
    searches: dict[tuple[str, str], int] = {}
    for r in rows:
        cell = (keys[r["origin_area"]][0], keys[r["destination_area"]][0])
        searches[cell] = searches.get(cell, 0) + r["n"]
    people: dict[tuple[str, str], set[int]] = {}
    for a, b, person in alerted:
        people.setdefault((keys[a][0], keys[b][0]), set()).add(person)
    names = dict(keys.values())
    out = []
    for o, d in sorted(set(searches) | set(people), key=lambda c: -searches.get(c, 0)):
        n, alerts = searches.get((o, d), 0), len(people.get((o, d), ()))
        out.append(
            {
                "origin": o,
                "origin_name": names.get(o, o),
                "destination": d,
                "destination_name": names.get(d, d),
                "searches_without_result": n if n >= k else None,
                "people_with_alert": alerts if alerts >= k else None,
                "suppressed": int(n < k and alerts < k),
            }
        )
    shown = [r for r in out if not r["suppressed"]]
    return Table(
        "unmet_demand",
        period,
        k,
        FLOW_COLUMNS[:4]
        + [
            (
                "searches_without_result",
                gettext_noop("Searches that found no ride between the two areas."),
            ),
            (
                "people_with_alert",
                gettext_noop("People with an alert (saved search) active in the period."),
            ),
            ("suppressed", gettext_noop("1 when both figures are below k: the row is empty.")),
        ],
        out,
        len(out) - len(shown),
        {
            column: sum(r[column] or 0 for r in shown)
            for column in ("searches_without_result", "people_with_alert")
        },
        level,
    )


def by_time(period: ReportPeriod, k: int) -> Table:
    """Journeys by day of the week (1 = Monday) and hour of the pickup, local time."""
    local = f"(j.pickup_at AT TIME ZONE '{settings.TIME_ZONE}')"
    sql_keys = [f"extract(isodow FROM {local})::int", f"extract(hour FROM {local})::int"]
    keys = [(day, hour) for day in range(1, 8) for hour in range(24)]
    columns = [
        ("weekday", gettext_noop("Day of the week, 1 = Monday.")),
        ("hour", gettext_noop("Hour of the pickup, local.")),
    ]
    return _grouped("by_time", period, k, keys, sql_keys, columns)


STARTING = {
    "day": gettext_noop("The day (local time)."),
    "week": gettext_noop("First day of the week, Monday (local time)."),
    "month": gettext_noop("First day of the month (local time)."),
}


def period_unit(period: ReportPeriod) -> str:
    """What a row of `by_period` covers: a day (periods up to two months), a week (up to a
    year) or a month."""
    return "day" if period.days <= 62 else "week" if period.days <= 370 else "month"


def by_period(period: ReportPeriod, k: int) -> Table:
    """Journeys per day (periods up to two months), per week (up to a year) or per month."""
    unit = period_unit(period)
    local = f"(j.pickup_at AT TIME ZONE '{settings.TIME_ZONE}')"
    sql_keys = [f"date_trunc('{unit}', {local})::date"]
    starts, day = [], period.first
    if unit == "week":
        day -= timedelta(days=day.weekday())
    elif unit == "month":
        day = day.replace(day=1)
    while day <= period.last:
        starts.append((day,))
        if unit == "day":
            day += timedelta(days=1)
        elif unit == "week":
            day += timedelta(days=7)
        else:
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    columns = [("starting", STARTING[unit])]
    table = _grouped("by_period", period, k, starts, sql_keys, columns)
    for row in table.rows:
        row["starting"] = row["starting"].isoformat()
    return table


def _band(low, high) -> str:
    return f"{low}-{high}" if high else f"{low}+"


def by_distance(period: ReportPeriod, k: int) -> Table:
    cases = " ".join(
        f"WHEN j.distance_m < {high * 1000} THEN '{_band(low, high)}'"
        for low, high in DISTANCE_BANDS
        if high
    )
    last = _band(*DISTANCE_BANDS[-1])
    sql_keys = [f"CASE {cases} ELSE '{last}' END"]
    keys = [(_band(low, high),) for low, high in DISTANCE_BANDS]
    columns = [
        (
            "distance_km",
            gettext_noop("Road distance of the passenger's trip, km (lower bound inclusive)."),
        )
    ]
    return _grouped("by_distance", period, k, keys, sql_keys, columns)


DATASETS = {
    "flows": _("Origin–destination flows"),
    "by_time": _("By day of the week and hour"),
    "by_distance": _("By distance band"),
    "by_period": _("Over time (per day, week or month)"),
    "unmet_demand": _(
        "Searches without any result and people with an alert, by origin–destination"
    ),
    "opendata": _("Open-data file of the national registry (journey by journey, anonymised)"),
}


def dataset(name: str, period: ReportPeriod, level: str = "commune", k: int | None = None) -> Table:
    k = k or settings_get().observatory_min_people
    if name == "flows":
        return flows_table(flows(period, level, k))
    if name == "by_time":
        return by_time(period, k)
    if name == "by_distance":
        return by_distance(period, k)
    if name == "by_period":
        return by_period(period, k)
    if name == "unmet_demand":
        return unmet_demand(period, k, level)
    if name == "opendata":
        return opendata(period)
    raise KeyError(name)


def formats_of(name: str) -> list[str]:
    return [f for f in FORMATS if f != "geojson" or name == "flows"]


# --- formats --------------------------------------------------------------------------------------
def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [name for name, _doc in table.columns]
    writer.writerow(names)
    for row in table.rows:
        writer.writerow(["" if row[n] is None else row[n] for n in names])
    return out.getvalue().encode()


def to_parquet(table: Table) -> bytes:
    # Imported here: pyarrow takes about a quarter of a second and much memory to load, and
    # only Parquet downloads need it, not every web and worker process that imports this module.
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = [name for name, _doc in table.columns]
    columns = {n: [row[n] for row in table.rows] for n in names}
    arrow = pa.table(columns) if table.rows else pa.table({n: pa.array([]) for n in names})
    arrow = arrow.replace_schema_metadata(
        {
            "definitions": json.dumps(
                {n: bilingual(d) for n, d in table.columns}, ensure_ascii=False
            ),
            "k": str(table.k),
        }
    )
    out = io.BytesIO()
    pq.write_table(arrow, out)
    return out.getvalue()


def _area_points(codes: set[str], level: str) -> dict[str, tuple[float, float]]:
    """A point inside each area (for an EPCI: the mean of its communes' points)."""
    field = "epci" if level == "epci" else "code"
    points: dict[str, list[tuple[float, float]]] = {}
    areas = Area.objects.filter(**{f"{field}__in": codes}).annotate(
        inner=PointOnSurface("geometry")
    )
    for area in areas.only("code", "epci"):
        points.setdefault(getattr(area, field), []).append((area.inner.x, area.inner.y))
    return {
        code: (
            round(sum(p[0] for p in pts) / len(pts), 6),
            round(sum(p[1] for p in pts) / len(pts), 6),
        )
        for code, pts in points.items()
    }


def to_geojson(table: Table) -> bytes:
    """Flows as lines between area points; other tables have no geometry."""
    if table.name != "flows":
        raise ValueError("Only the flows have a geometry.")
    codes = {r["origin"] for r in table.rows} | {r["destination"] for r in table.rows}
    points = _area_points(codes, table.level or "commune")
    features = []
    for row in table.rows:
        a, b = points.get(row["origin"]), points.get(row["destination"])
        geometry = (
            None
            if a is None or b is None
            else {"type": "LineString", "coordinates": [list(a), list(b)]}
        )
        features.append({"type": "Feature", "geometry": geometry, "properties": row})
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def areas_geojson(table: Table) -> bytes:
    """The communes of the flows as polygons, with the journeys leaving and arriving (cells
    shown only)."""
    leaving: dict[str, float] = {}
    arriving: dict[str, float] = {}
    for row in table.rows:
        if not row["suppressed"]:
            leaving[row["origin"]] = leaving.get(row["origin"], 0) + row["journeys"]
            arriving[row["destination"]] = arriving.get(row["destination"], 0) + row["journeys"]
    features = []
    for area in Area.objects.filter(code__in=set(leaving) | set(arriving)):
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(
                    area.geometry.simplify(0.0005, preserve_topology=True).geojson
                ),
                "properties": {
                    "code": area.code,
                    "name": area.name,
                    "journeys_leaving": leaving.get(area.code, 0),
                    "journeys_arriving": arriving.get(area.code, 0),
                },
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def bilingual(text: str) -> dict[str, str]:
    """A text of the metadata file in French and English (its msgid)."""
    with translation.override("fr"):
        french = gettext(text)
    return {"fr": french, "en": text}


def metadata(table: Table) -> dict:
    """What the metadata file zipped with each dataset says, in French and English."""
    if table.name == "opendata":
        rule = bilingual(
            gettext_noop(
                "Open-data rules of the national registry: times rounded up to 10 minutes, "
                "coordinates truncated (3 decimals in communes of 1,000 inhabitants/km² or more, "
                "2 elsewhere), journeys whose start or end commune appears fewer than "
                "%(k)s times dropped (%(dropped)s this period)."
            )
        )
        rule = {
            lang: text % {"k": table.k, "dropped": table.suppressed_cells}
            for lang, text in rule.items()
        }
    else:
        rule = bilingual(
            gettext_noop(
                "A cell that concerns fewer than k distinct people (drivers and passengers) "
                "is suppressed. Totals are sums of the cells shown only."
            )
        )
    return {
        "dataset": table.name,
        "period": {
            "first_day": table.period.first.isoformat(),
            "last_day": table.period.last.isoformat(),
        },
        "level": table.level or None,
        "columns": {name: bilingual(doc) for name, doc in table.columns},
        "suppression": {
            "k": table.k,
            "rule": rule,
            "suppressed_cells": table.suppressed_cells,
        },
        "totals_of_cells_shown": table.totals,
        "licence": settings_get().data_licence,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "source": bilingual(gettext_noop("Archipel — journeys of this territory")),
    }


def file_stem(table: Table) -> str:
    level = f"-{table.level}" if table.level else ""
    return f"{table.name}{level}-{table.period.first.isoformat()}-{table.period.last.isoformat()}"


def archive(table: Table, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    stem = file_stem(table)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        if fmt == "csv":
            out.writestr(f"{stem}.csv", to_csv(table))
        elif fmt == "parquet":
            out.writestr(f"{stem}.parquet", to_parquet(table))
        else:
            out.writestr(f"{stem}.geojson", to_geojson(table))
            out.writestr(f"{stem}-areas.geojson", areas_geojson(table))
        out.writestr(
            f"{stem}.metadata.json", json.dumps(metadata(table), ensure_ascii=False, indent=2)
        )
    return buffer.getvalue()
