"""`python manage.py send_rpc [--territory SLUG]`: send the due journeys to the national
registry, for one territory or all of those that set the registry's URL and token (run it from
cron, or let the Celery task do it)."""

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from observatory.registry import registry_send_due
from tenants.models import Territory

from ._territory import territory_named


class Command(BaseCommand):
    help = "Send the due carpool journeys to the national registry (RPC v3.3)."

    def add_arguments(self, parser):
        parser.add_argument("--territory")

    def handle(self, *args, territory=None, **options):
        territories = (
            [territory_named(territory)]
            if territory
            else Territory.objects.exclude(schema_name="public")
        )
        for found in territories:
            with schema_context(found.schema_name):
                counts = registry_send_due()
            self.stdout.write(f"{found.slug}: {counts or 'registry not configured'}")
