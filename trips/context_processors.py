from django.db import connection

from .my_trips import to_handle


def unread(request):
    """For the header: what waits for the signed-in member on « My trips » (booking requests
    to answer and unread messages about bookings, `trips_to_handle`), and their unread
    messages in every conversation (`unread_messages`, the dot on the closed menu)."""
    if connection.schema_name == "public" or getattr(request, "membership", None) is None:
        return {}
    waiting = to_handle(request.user)
    return {"unread_messages": waiting.all_messages, "trips_to_handle": waiting.total}
