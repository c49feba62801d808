from django.db import connection

from .conversations import unread_total


def unread(request):
    """Unread conversation messages of the signed-in member, for the header."""
    user = getattr(request, "user", None)
    if connection.schema_name == "public" or getattr(request, "membership", None) is None:
        return {}
    return {"unread_messages": unread_total(user)}
