"""The territory's theme and settings, as every app reads them (one row each in the territory's
schema, created with the defaults on first read)."""

from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from .models import TerritorySettings, Theme

DEFAULT_THEME = {
    "display_name": "Archipel",
    "primary_colour": "#1f5f8b",
    "on_primary_colour": "#ffffff",
    "secondary_colour": "#f2e8cf",
    "on_secondary_colour": "#1b1b1b",
}


def theme_get() -> Theme:
    return Theme.objects.get_or_create(pk=1, defaults=DEFAULT_THEME)[0]


def mail_look_current(**kwargs) -> dict | None:
    """core.mail's `mail_look`: the current territory's name and colours (none on the public
    site)."""
    if connection.schema_name == "public":
        return None
    theme = theme_get()
    return {
        "site_name": theme.display_name,
        "primary": theme.primary_colour,
        "on_primary": theme.on_primary_colour,
    }


def settings_get() -> TerritorySettings:
    return TerritorySettings.objects.get_or_create(pk=1)[0]


def settings_of_request(request) -> TerritorySettings:
    """The settings once per request: the base template's context processor and the
    response's middleware (map tiles) share one read. Read when first asked, after the view
    has run (a view that saves the settings renders the new ones)."""
    found = getattr(request, "_territory_settings", None)
    if found is None:
        found = request._territory_settings = settings_get()
    return found


def publication_last_day() -> date:
    """The last day a ride may leave on: today plus the territory's publication horizon."""
    return timezone.localdate() + timedelta(days=settings_get().publication_horizon_days)
