from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from provisioning.archive import export_territory
from tenants.models import Territory


class Command(BaseCommand):
    help = "Write a territory's whole data (its schema and its public rows) to a zip archive."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("output", type=Path)

    def handle(self, *args, slug, output, **options):
        territory = Territory.objects.filter(slug=slug).first()
        if territory is None:
            raise CommandError(f"No territory {slug!r}.")
        export_territory(territory, output)
        self.stdout.write(f"{output}")
