"""Everything `make run` does in the database, in one process (each Django start costs about
two seconds): migrate every schema, load the referential once, refresh the demo, collect static
files. Idempotent."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo.seed import ANDORRA_EXTRACT, DEMO_GRAPH


class Command(BaseCommand):
    help = "Migrate, load communes and meeting points (once), load the demo, collect static files."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="port shown in the printed URLs")

    def handle(self, *args, port, **options):
        call_command("migrate_schemas", verbosity=0, interactive=False)
        call_command("load_communes", if_empty=True, stdout=self.stdout)
        call_command("import_meeting_points", if_empty=True, stdout=self.stdout)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command(
            "build_map_tiles", str(ANDORRA_EXTRACT), graph=DEMO_GRAPH, if_missing=True,
            stdout=self.stdout,
        )  # fmt: skip
        call_command("load_demo", port=port, stdout=self.stdout)
