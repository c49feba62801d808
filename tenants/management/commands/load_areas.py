"""Load foreign administrative areas (e.g. Andorran parishes) from a GeoJSON file whose
features carry `code` and `name` properties."""

import json
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context

from tenants.models import Area
from tenants.signals import areas_loaded


class Command(BaseCommand):
    help = "Load areas (code, name, polygon) from a GeoJSON FeatureCollection."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. AD")

    def handle(self, *args, file, country, **options):
        count = load_areas(Path(file), country.upper())
        self.stdout.write(self.style.SUCCESS(f"{count} areas loaded."))


def load_areas(path: Path, country: str) -> int:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        features = document["features"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CommandError(f"{path}: not a GeoJSON FeatureCollection ({exc})") from exc
    count = 0
    with schema_context("public"), transaction.atomic():
        for feature in features:
            props = feature.get("properties") or {}
            if not props.get("code") or not props.get("name"):
                raise CommandError(f"{path}: every feature needs 'code' and 'name' properties")
            geometry = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
            if not geometry.valid:
                geometry = geometry.buffer(0)
            if geometry.geom_type == "Polygon":
                geometry = MultiPolygon(geometry, srid=4326)
            Area.objects.update_or_create(
                code=props["code"],
                defaults={
                    "kind": Area.Kind.FOREIGN,
                    "country": country,
                    "name": props["name"],
                    "population": props.get("population"),
                    "geometry": geometry,
                },
            )
            count += 1
        areas_loaded.send(sender=Area)
    return count
