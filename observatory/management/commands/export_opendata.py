"""`python manage.py export_opendata --territory SLUG --month YYYY-MM --out FILE.csv`: the
national registry's monthly open-data file of a territory's carpool journeys."""

from datetime import date, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from observatory.aggregates import ReportPeriod
from observatory.datasets import to_csv
from observatory.opendata import opendata

from ._territory import territory_named


def month_period(value: str) -> ReportPeriod:
    try:
        first = date.fromisoformat(f"{value}-01")
    except ValueError as exc:
        raise CommandError("--month is YYYY-MM.") from exc
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return ReportPeriod(first, following - timedelta(days=1))


class Command(BaseCommand):
    help = "Export the monthly open-data file (27 columns, anonymised) of a territory."

    def add_arguments(self, parser):
        parser.add_argument("--territory", required=True)
        parser.add_argument("--month", required=True)
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, territory, month: str, out: Path, **options):
        period = month_period(month)
        with schema_context(territory_named(territory).schema_name):
            table = opendata(period)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(to_csv(table))
        self.stdout.write(
            f"{len(table.rows)} journeys written to {out}, {table.suppressed_cells} dropped "
            "(rare communes)."
        )
