from django.core.management.base import BaseCommand

from trips.reminders import reminders_send_everywhere


class Command(BaseCommand):
    help = "Send the departure reminders that are due, in every territory (for cron)."

    def handle(self, *args, **options):
        for slug, count in reminders_send_everywhere().items():
            self.stdout.write(f"{slug}: {count}")
