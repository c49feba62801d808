"""Import the national base of carpool meeting points (BNLC CSV). Idempotent: rows are
upserted by `id_lieu`; a file without the expected columns changes nothing."""

import csv
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context

from matching.models import MeetingPoint

DEFAULT_FILE = settings.BASE_DIR / "data" / "meeting-points" / "bnlc.csv"
REQUIRED = {"id_lieu", "nom_lieu", "ad_lieu", "insee", "type", "Xlong", "Ylat", "nbre_pl"}


class Command(BaseCommand):
    help = "Import the national carpool meeting points (BNLC) from its CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
        parser.add_argument("--if-empty", action="store_true", help="skip when already imported")

    def handle(self, *args, file, if_empty, **options):
        path = Path(file)
        with schema_context("public"):
            if if_empty and MeetingPoint.objects.exists():
                return
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                missing = REQUIRED - set(reader.fieldnames or [])
                if missing:
                    raise CommandError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
                rows = list(reader)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        points, skipped = {}, 0
        for row in rows:
            try:
                lon, lat = float(row["Xlong"]), float(row["Ylat"])
            except ValueError:
                skipped += 1
                continue
            if not (-180 <= lon <= 180 and -90 <= lat <= 90) or not row["id_lieu"]:
                skipped += 1
                continue
            points[row["id_lieu"][:40]] = MeetingPoint(
                ref=row["id_lieu"][:40],
                name=row["nom_lieu"][:200],
                address=row["ad_lieu"][:300],
                insee=row["insee"][:5],
                kind=row["type"][:60],
                spaces=int(row["nbre_pl"]) if row["nbre_pl"].isdigit() else None,
                point=Point(lon, lat, srid=4326),
            )
        with schema_context("public"), transaction.atomic():
            MeetingPoint.objects.bulk_create(
                points.values(),
                update_conflicts=True,
                unique_fields=["ref"],
                update_fields=["name", "address", "insee", "kind", "spaces", "point"],
            )
        imported = len(points)
        self.stdout.write(
            self.style.SUCCESS(f"{imported} meeting points imported, {skipped} skipped.")
        )
