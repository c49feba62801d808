"""`python manage.py export_observatory --territory SLUG --from DATE --to DATE
--format csv|geojson|parquet --out DIR [--level commune|epci]`: the territory's datasets for
scheduled jobs, each zipped with its metadata file, as the dashboard's downloads."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from observatory.aggregates import LEVELS, ReportPeriod
from observatory.datasets import DATASETS, FORMATS, archive, dataset, file_stem, formats_of

from ._territory import territory_named


class Command(BaseCommand):
    help = "Export a territory's aggregated datasets (zip files with metadata)."

    def add_arguments(self, parser):
        parser.add_argument("--territory", required=True)
        parser.add_argument("--from", dest="first", required=True, type=date.fromisoformat)
        parser.add_argument("--to", dest="last", required=True, type=date.fromisoformat)
        parser.add_argument("--format", dest="fmt", required=True, choices=FORMATS)
        parser.add_argument("--level", default="commune", choices=LEVELS)
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, territory, first, last, fmt, level, out: Path, **options):
        if last < first:
            raise CommandError("--to must not be before --from.")
        period = ReportPeriod(first, last)
        out.mkdir(parents=True, exist_ok=True)
        with schema_context(territory_named(territory).schema_name):
            for name in DATASETS:
                if fmt not in formats_of(name):
                    continue
                table = dataset(name, period, level)
                target = out / f"{file_stem(table)}-{fmt}.zip"
                target.write_bytes(archive(table, fmt))
                self.stdout.write(f"{target}")
