from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from provisioning.archive import ImportRefused, import_territory


class Command(BaseCommand):
    help = "Restore a territory archive made by export_territory into this deployment."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive, **options):
        try:
            territory = import_territory(archive)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{territory.slug} restored ({territory.schema_name}).")
