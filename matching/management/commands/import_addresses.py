"""Import addresses into a graph's place index from a Base Adresse Nationale file (BAN,
adresse.data.gouv.fr, Licence Ouverte 2.0): `adresses-XX.csv.gz` of a département, or any CSV
with the columns numero, rep, nom_voie, code_insee, nom_commune, lon, lat (`;` as in the BAN,
or `,`). Rows outside the graph's extent are left out; the previous import into that graph is
replaced, in one transaction (a file that cannot be read changes nothing)."""

import csv
import gzip
import io
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from core.inputs import storable
from matching.models import RoadGraphRecord
from matching.places import address_name, addresses_import

REQUIRED = {"numero", "nom_voie", "code_insee", "nom_commune", "lon", "lat"}


class Command(BaseCommand):
    help = "Import the addresses of a BAN CSV file (adresses-XX.csv.gz) into a graph's places."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--graph", required=True, help="the road graph, e.g. andorra")

    def handle(self, *args, file, graph, **options):
        path = Path(file)
        with schema_context("public"):
            record = RoadGraphRecord.objects.filter(name=graph).first()
            if record is None:
                raise CommandError(f"Unknown road graph {graph!r}: build it first.")
            counts = Counter()
            try:
                with _open(path) as handle:
                    rows = _rows(handle, record.extent.extent, counts, path.name)
                    imported = addresses_import(graph, rows)
            except (OSError, UnicodeDecodeError, EOFError, csv.Error) as exc:
                raise CommandError(f"Cannot read {path}: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{imported} addresses imported into {graph}, {counts['outside']} outside its "
                f"extent, {counts['skipped']} skipped (no number, street or coordinates, or "
                "text that cannot be stored)."
            )
        )


def _open(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _rows(
    handle, box: tuple[float, float, float, float], counts: Counter, name: str
) -> Iterator[tuple[str, str, str, float, float]]:
    header = handle.readline().lstrip("\ufeff")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    columns = next(csv.reader([header], delimiter=delimiter), [])
    missing = REQUIRED - set(columns)
    if missing:
        raise CommandError(f"{name}: missing columns {', '.join(sorted(missing))}")
    west, south, east, north = box
    for row in csv.DictReader(handle, fieldnames=columns, delimiter=delimiter):
        try:
            lon, lat = float(row["lon"]), float(row["lat"])
        except (TypeError, ValueError):
            counts["skipped"] += 1
            continue
        street, number = (row["nom_voie"] or "").strip(), (row["numero"] or "").strip()
        texts = (
            street,
            number,
            row.get("rep") or "",
            row["code_insee"] or "",
            row["nom_commune"] or "",
        )
        if not (street and number and math.isfinite(lon) and math.isfinite(lat)) or not all(
            storable(text) for text in texts
        ):
            counts["skipped"] += 1
            continue
        if not (west <= lon <= east and south <= lat <= north):
            counts["outside"] += 1
            continue
        label = address_name(number, row.get("rep") or "", street)
        yield label, row["code_insee"] or "", row["nom_commune"] or "", lon, lat
