"""A booking's conversation page; `conversation_page` also serves solidarity trips."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from core.errors import Conflict

from .. import conversations
from ..models import Booking, Message
from ..selectors import bookings_visible_to


def conversation_page(request, talk, template: str, context: dict):
    """A conversation's page (bookings and solidarity trips): the messages, a form that works
    without JavaScript, and a live socket. The caller has checked who may see it."""
    error = ""
    if request.method == "POST":
        try:
            conversations.message_post(talk, request.user, request.POST.get("body", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except Conflict as exc:
            error = exc.message
        else:
            return redirect(request.path)
    conversations.conversation_mark_read(talk, request.user)
    return render(
        request,
        template,
        {
            **context,
            "talk": talk,
            "messages_list": talk.messages.select_related("author"),
            "error": error,
            "max_length": Message.MAX_LENGTH,
        },
        status=400 if error else 200,
    )


@login_required
def conversation(request, pk: int):
    """The booking's conversation. Before the booking is accepted, no phone number or exact
    address is shown."""
    booking = get_object_or_404(
        bookings_visible_to(request.user).select_related("offer__driver", "passenger"), pk=pk
    )
    other = (
        booking.passenger if booking.offer.driver_id == request.user.pk else booking.offer.driver
    )
    return conversation_page(
        request,
        conversations.conversation_of(booking),
        "trips/conversation.html",
        {
            "booking": booking,
            "other": other,
            "accepted": booking.status == Booking.Status.ACCEPTED,
        },
    )
