from django.db import connection

from core.availability import look_remember

from .selectors import settings_of_request, theme_get


def theme(request):
    """The territory's theme for the base template; the public site uses the default theme."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or connection.schema_name == "public":
        return {"territory": tenant, "theme": None, "territory_settings": None}
    theme = theme_get()
    look_remember(request.get_host(), {  # for the page shown when the database is down
        "display_name": theme.display_name,
        "primary": theme.primary_colour,
        "on_primary": theme.on_primary_colour,
        "secondary": theme.secondary_colour,
        "on_secondary": theme.on_secondary_colour,
    })
    return {"territory": tenant, "theme": theme, "territory_settings": settings_of_request(request)}
