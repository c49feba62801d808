"""A booking's conversation page; `conversation_page` also serves solidarity trips."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import ngettext

from core.errors import Conflict
from core.forms import add_errors

from .. import conversations
from ..forms import MessageForm
from ..models import Booking, Message
from ..selectors import bookings_visible_to


def conversation_page(request, talk, template: str, context: dict):
    """A conversation's page (bookings and solidarity trips): the messages, a form that works
    without JavaScript, and a live socket. The caller has checked who may see it."""
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversations.message_post(talk, request.user, form.cleaned_data["body"])
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(request.path)
    conversations.conversation_mark_read(talk, request.user)
    left = Message.MAX_LENGTH - len(form.data.get("body", "") if form.is_bound else "")
    # The counter under the field (core/static/js/conversation.js keeps it live), tied to it.
    form.fields["body"].help_text = ngettext(
        "%(count)s character left", "%(count)s characters left", left
    ) % {"count": formats.number_format(left, force_grouping=True)}
    return render(
        request,
        template,
        {
            **context,
            "talk": talk,
            "messages_list": talk.messages.select_related("author"),
            "form": form,
        },
        status=400 if form.errors else 200,
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
