"""Load (or refresh) the French communes of the geographic referential.

Rows are streamed with COPY into a temporary table, then upserted with one INSERT … SELECT:
loading all 34,867 communes takes a few seconds."""

import csv
import lzma
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django_tenants.utils import schema_context
from tqdm import tqdm

from tenants.models import Area
from tenants.signals import areas_loaded

DEFAULT_FILE = settings.BASE_DIR / "data" / "geo" / "communes-france.csv.xz"
COLUMNS = [
    "insee",
    "name",
    "population",
    "departement",
    "departement_name",
    "region",
    "region_name",
    "epci",
    "epci_name",
    "wkt",
]


class Command(BaseCommand):
    help = "Load the French communes (INSEE COG, IGN geometries) into the public schema."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when communes are already loaded."
        )

    def handle(self, *args, file, if_empty, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"File not found: {path}")
        with schema_context("public"):
            if if_empty and Area.objects.filter(kind=Area.Kind.COMMUNE).exists():
                count = Area.objects.filter(kind=Area.Kind.COMMUNE).count()
                self.stdout.write(f"{count} communes already loaded.")
                return
            count = self._load(path)
        self.stdout.write(self.style.SUCCESS(f"{count} communes loaded."))

    def _load(self, path: Path) -> int:
        csv.field_size_limit(sys.maxsize)
        opener = lzma.open if path.suffix == ".xz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle, transaction.atomic():
            reader = csv.DictReader(handle)
            missing = set(COLUMNS) - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"Missing columns in {path.name}: {', '.join(sorted(missing))}")
            raw = connection.connection
            with raw.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE commune_load ("
                    + ", ".join(f"{c} text" for c in COLUMNS)
                    + ") ON COMMIT DROP"
                )
                with cursor.copy(f"COPY commune_load ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in tqdm(
                        reader, desc="communes", unit=" rows", total=34867, file=sys.stderr
                    ):
                        copy.write_row([row[c] or None for c in COLUMNS])
                cursor.execute(
                    """
                    INSERT INTO tenants_area (code, kind, country, name, population, departement,
                        departement_name, region, region_name, epci, epci_name, geometry)
                    SELECT insee, 'commune', 'FR', name, NULLIF(population, '')::numeric::integer,
                        COALESCE(departement, ''), COALESCE(departement_name, ''),
                        COALESCE(region, ''), COALESCE(region_name, ''),
                        COALESCE(epci, ''), COALESCE(epci_name, ''),
                        ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_GeomFromText(wkt, 4326)), 3))
                    FROM commune_load
                    ON CONFLICT (code) DO UPDATE SET
                        name = EXCLUDED.name, population = EXCLUDED.population,
                        departement = EXCLUDED.departement,
                        departement_name = EXCLUDED.departement_name,
                        region = EXCLUDED.region, region_name = EXCLUDED.region_name,
                        epci = EXCLUDED.epci, epci_name = EXCLUDED.epci_name,
                        geometry = EXCLUDED.geometry
                    """
                )
                count = cursor.rowcount
            areas_loaded.send(sender=Area)
            return count
