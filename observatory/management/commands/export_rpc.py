"""`python manage.py export_rpc --territory SLUG --from DATE --to DATE --out FILE.jsonl`: the
national registry's `POST /journeys` payloads of a territory's carpool journeys, one per line,
each checked against the contract."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from observatory.aggregates import ReportPeriod
from observatory.rpc import payloads, validate

from ._territory import territory_named


class Command(BaseCommand):
    help = "Export the RPC v3.3 journey payloads of a territory (JSON lines)."

    def add_arguments(self, parser):
        parser.add_argument("--territory", required=True)
        parser.add_argument("--from", dest="first", required=True, type=date.fromisoformat)
        parser.add_argument("--to", dest="last", required=True, type=date.fromisoformat)
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, territory, first, last, out, **options):
        found = territory_named(territory)
        if last < first:
            raise CommandError("--to must not be before --from.")
        period = ReportPeriod(first, last)
        with schema_context(found.schema_name):
            made, skipped = payloads(period.start, period.end)
        problems = {p["operator_journey_id"]: validate(p) for p in made}
        invalid = {k: v for k, v in problems.items() if v}
        if invalid:
            raise CommandError(f"Payloads not valid against the contract: {invalid}")
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w") as file:
            for p in made:
                file.write(json.dumps(p, ensure_ascii=False) + "\n")
        for s in skipped:
            self.stderr.write(f"journey {s.journey_id} not exported: {s.reason}")
        self.stdout.write(f"{len(made)} journeys written to {out}, {len(skipped)} skipped.")
