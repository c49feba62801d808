"""Files for the authority's analysts: each dataset with a metadata file (period, definitions,
suppression threshold, licence, generated-at), zipped together."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.utils import timezone

from themes.services import settings_get

from .aggregates import Flows

FLOW_COLUMNS = [
    ("origin", "Code of the origin area (INSEE commune code, EPCI SIREN, or ISO 3166-2)."),
    ("origin_name", "Name of the origin area."),
    ("destination", "Code of the destination area."),
    ("destination_name", "Name of the destination area."),
    ("journeys", "Journeys (driver–passenger couples that travelled) starting in the period."),
    ("passengers", "Passengers carried (seats booked)."),
    ("passenger_km", "Passenger-kilometres on the road (seats × road distance)."),
    (
        "vehicle_km_avoided",
        "Vehicle-kilometres avoided: each passenger would otherwise have driven their own car "
        "over their trip.",
    ),
    ("suppressed", "1 when the cell concerns fewer than k distinct people: its figures are empty."),
]


def flows_csv(flows: Flows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _doc in FLOW_COLUMNS])
    for f in flows.rows:
        writer.writerow(
            [
                f.origin,
                f.origin_name,
                f.destination,
                f.destination_name,
                "" if f.suppressed else f.journeys.value,
                "" if f.suppressed else f.passengers.value,
                "" if f.suppressed else f.passenger_km.value,
                "" if f.suppressed else f.vehicle_km_avoided.value,
                int(f.suppressed),
            ]
        )
    return out.getvalue()


def metadata(dataset: str, flows: Flows, columns) -> dict:
    current = settings_get()
    return {
        "dataset": dataset,
        "period": {
            "first_day": flows.period.first.isoformat(),
            "last_day": flows.period.last.isoformat(),
        },
        "level": flows.level,
        "columns": {name: doc for name, doc in columns},
        "suppression": {
            "k": flows.k,
            "rule": "A cell that concerns fewer than k distinct people (drivers and passengers) "
            "is suppressed. Totals are sums of the cells shown only.",
            "suppressed_cells": flows.suppressed_cells,
        },
        "totals_of_cells_shown": {
            "journeys": flows.total_journeys,
            "passengers": flows.total_passengers,
            "passenger_km": flows.total_passenger_km,
        },
        "licence": current.data_licence,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "source": "Archipel — journeys of this territory",
    }


def flows_zip(flows: Flows) -> bytes:
    buffer = io.BytesIO()
    stem = f"flows-{flows.level}-{flows.period.first.isoformat()}-{flows.period.last.isoformat()}"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.csv", flows_csv(flows))
        archive.writestr(
            f"{stem}.metadata.json",
            json.dumps(metadata("flows", flows, FLOW_COLUMNS), ensure_ascii=False, indent=2),
        )
    return buffer.getvalue()
