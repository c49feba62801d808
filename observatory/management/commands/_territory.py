"""Shared by the export commands: the territory named on the command line."""

from django.core.management.base import CommandError

from tenants.models import Territory


def territory_named(slug: str) -> Territory:
    found = Territory.objects.exclude(schema_name="public").filter(slug=slug).first()
    if found is None:
        raise CommandError(f"No territory {slug!r}.")
    return found
