"""Re-encrypt every territory's IBANs under the first key of INCENTIVES_IBAN_KEYS (the
rotation in docs/incentives.md)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import get_tenant_model, tenant_context

from incentives.iban import rotate
from incentives.models import BankAccount


class Command(BaseCommand):
    help = "Re-encrypt every stored IBAN under the newest key of INCENTIVES_IBAN_KEYS."

    def handle(self, *args, **options):
        total = 0
        for territory in get_tenant_model().objects.exclude(schema_name="public"):
            with tenant_context(territory), transaction.atomic():
                accounts = list(BankAccount.objects.select_for_update())
                for account in accounts:
                    account.iban_encrypted = rotate(account.iban_encrypted)
                BankAccount.objects.bulk_update(accounts, ["iban_encrypted"])
                total += len(accounts)
        self.stdout.write(f"{total} IBAN(s) re-encrypted under the newest key.")
