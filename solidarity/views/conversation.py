"""The conversation of a solidarity trip: the operators of the structure and the volunteer
assigned to it talking (trips' conversations, shown on this app's page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from trips import conversations
from trips.views.conversation import conversation_page

from .. import selectors
from .common import enabled


@login_required
@enabled
def request_conversation(request, pk: int):
    """The operators of the structure and the volunteer assigned to the trip talking."""
    trip = get_object_or_404(selectors.requests_assigned(), pk=pk)
    talk = conversations.conversation_of_request(trip)
    if request.user.pk not in conversations.participants(talk):
        raise Http404
    operators = list(trip.structure.operators.all())
    return conversation_page(
        request,
        talk,
        "solidarity/conversation.html",
        {
            "trip": trip,
            "operators": operators,
            "is_operator": request.user in operators,
        },
    )
