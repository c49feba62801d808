from django.db import connection

from .selectors import settings_of_request, theme_get


def theme(request):
    """The territory's theme for the base template; the public site uses the default theme."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or connection.schema_name == "public":
        return {"territory": tenant, "theme": None, "territory_settings": None}
    return {
        "territory": tenant,
        "theme": theme_get(),
        "territory_settings": settings_of_request(request),
    }
