from django.db import connection

from .selectors import unread_count


def unread(request):
    """Unread notifications of the signed-in member, for the bell in the header."""
    if connection.schema_name == "public" or getattr(request, "membership", None) is None:
        return {}
    return {"unread_notifications": unread_count(request.user)}
