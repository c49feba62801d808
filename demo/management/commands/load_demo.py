from django.core.management.base import BaseCommand, no_translations

from demo.seed import DEMO_PARTNER_KEY, DEMO_PARTNER_TERRITORY, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Create or complete the demo archipel (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="port shown in the printed URLs")

    @no_translations
    def handle(self, *args, port, **options):
        rows = load_demo()
        suffix = "" if port == "80" else f":{port}"
        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(f"\nPublic site:   http://localhost{suffix}/   (admin: /admin/)")
        for host in sorted(
            {host for host, _e, _r in rows if host.endswith(".localhost") and host != "localhost"}
        ):
            self.stdout.write(f"Territory:     http://{host}{suffix}/")
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for _host, email, roles in rows:
            self.stdout.write(f"  {email:<42} {roles}")
        self.stdout.write(
            f"\nPartner API key (standard covoiturage, RDEX+) on {DEMO_PARTNER_TERRITORY}: "
            f"{DEMO_PARTNER_KEY}"
        )
