"""The registry's open-data file: 27 columns, anonymisation rules, and the export commands."""

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from observatory.aggregates import ReportPeriod
from observatory.datasets import DATASETS
from observatory.opendata import COLUMNS, opendata, round_up_10, truncate
from tests.factories import person
from trips.models import Booking, Journey


def test_rounding_and_truncation_rules():
    at = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
    assert round_up_10(at) == at
    assert round_up_10(at + timedelta(seconds=1)) == at + timedelta(minutes=10)
    assert round_up_10(at + timedelta(minutes=57)) == at + timedelta(hours=1)
    assert truncate(1.23456, 3) == 1.234 and truncate(-0.5559, 2) == -0.55
    assert len(COLUMNS) == 27


def carpool_journeys(ride, destinations: list[str]) -> list[Journey]:
    made = []
    for n, destination in enumerate(destinations):
        at = ride.departure_at + timedelta(minutes=7, seconds=n)
        booking = Booking.objects.create(
            offer=ride,
            passenger=person(100 + n),
            seats=1,
            status=Booking.Status.ACCEPTED,
            pickup_label="Escaldes",
            dropoff_label="Andorra la Vella",
            pickup=ride.origin,
            dropoff=ride.destination,
            pickup_at=at,
            dropoff_at=at + timedelta(minutes=12),
            distance_m=6_000,
            detour_s=60,
            price="0.50",
        )
        made.append(
            Journey.objects.create(
                booking=booking,
                driver=ride.driver,
                passenger=booking.passenger,
                pickup_at=at,
                dropoff_at=booking.dropoff_at,
                pickup=ride.origin,
                dropoff=ride.destination,
                distance_m=6_000,
                duration_s=720,
                seats=1,
                amount="0.50",
                pickup_commune="AD-03",
                dropoff_commune=destination,
                driver_confirmed_at=at,
                passenger_confirmed_at=at,
            )
        )
    return made


def test_file_drops_rare_communes_rounds_times_and_truncates_positions(ride, in_alpha):
    carpool_journeys(ride, ["AD-07"] * 6 + ["AD-08"])
    day = timezone.localdate(ride.departure_at)
    table = opendata(ReportPeriod(day, day))
    assert [name for name, _doc in table.columns] == [name for name, _doc in COLUMNS]
    assert len(table.rows) == 6 and table.suppressed_cells == 1  # AD-08 appears once
    row = table.rows[0]
    assert row["journey_start_insee"] == "AD-03" and row["journey_end_town"] == "Andorra la Vella"
    assert row["journey_start_time"].endswith("0:00") and row["journey_start_datetime"].endswith(
        "Z"
    )
    start = datetime.fromisoformat(row["journey_start_datetime"].replace("Z", "+00:00"))
    assert start >= ride.departure_at + timedelta(minutes=7)  # rounded up, never down
    assert row["journey_start_lon"] == truncate(ride.origin.x, 2)  # parish density unknown
    assert row["operator_class"] == "A" and row["journey_duration"] == 12
    assert row["has_incentive"] is False


def test_export_commands(ride, in_alpha, alpha, tmp_path):
    carpool_journeys(ride, ["AD-07"] * 6)
    day = timezone.localdate(ride.departure_at)
    out = tmp_path / "open.csv"
    call_command(
        "export_opendata", "--territory", "alpha", "--month", day.strftime("%Y-%m"), "--out", out
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 6 and len(rows[0]) == 27
    folder = tmp_path / "files"
    for fmt in ("csv", "geojson", "parquet"):
        call_command(
            "export_observatory", "--territory", "alpha", "--from", str(day), "--to", str(day),
            "--format", fmt, "--out", folder,
        )  # fmt: skip
    made = sorted(p.name for p in folder.iterdir())
    assert len([m for m in made if m.endswith("-csv.zip")]) == len(DATASETS)
    assert [m for m in made if m.endswith("-geojson.zip")] == [
        f"flows-commune-{day}-{day}-geojson.zip"
    ]
    with zipfile.ZipFile(folder / f"flows-commune-{day}-{day}-csv.zip") as archive:
        assert any(n.endswith(".metadata.json") for n in archive.namelist())
    with schema_context(alpha.territory.schema_name):
        assert Journey.objects.count() == 6
