from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from provisioning.services import BoundarySource, ProvisioningError, territory_create


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.split(",") if code.strip()]


class Command(BaseCommand):
    help = (
        "Create a territory: its schema, domains, boundary, default theme and settings, and "
        "its first administrator. Nothing is created when anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        boundary = parser.add_mutually_exclusive_group(required=True)
        boundary.add_argument("--epci", help="SIREN of an EPCI")
        boundary.add_argument("--insee", type=_codes, help="INSEE codes, comma separated")
        boundary.add_argument("--departement", help="département code, e.g. 06")
        boundary.add_argument("--region", help="région code, e.g. 93")
        boundary.add_argument(
            "--area", type=_codes, help="area codes of the referential, e.g. AD-07"
        )
        boundary.add_argument("--boundary", help="GeoJSON file with the territory's polygon(s)")
        parser.add_argument("--domain", action="append", required=True, help="repeatable")
        parser.add_argument("--admin-email")
        parser.add_argument("--graph", default="", help="name of the road graph it uses")

    @no_translations  # operators' messages in English, like Django's own commands
    def handle(self, *args, **o):
        geojson = None
        if o["boundary"]:
            try:
                geojson = Path(o["boundary"]).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Cannot read {o['boundary']}: {exc}") from exc
        source = BoundarySource(
            epci=o["epci"],
            insee=o["insee"] or [],
            departement=o["departement"],
            region=o["region"],
            area_codes=o["area"] or [],
            geojson=geojson,
        )
        try:
            territory = territory_create(
                slug=o["slug"],
                name=o["name"],
                domains=o["domain"],
                source=source,
                admin_email=o["admin_email"],
                graph_name=o["graph"],
            )
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Territory {territory.slug} created (schema {territory.schema_name}, "
                f"{territory.areas.count()} areas) on {', '.join(o['domain'])}."
            )
        )
        if o["admin_email"]:
            self.stdout.write(
                f"{o['admin_email']} is its administrator; without a password yet, they set one "
                "with 'Forgot password' on the territory's sign-in page."
            )
