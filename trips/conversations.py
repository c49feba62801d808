"""Conversations between the driver and the passenger of a booking: who takes part, posting
(size- and rate-limited), read marks and unread counts. Used by the page and the websocket."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from .errors import Conflict, ValidationError
from .models import Booking, Conversation, Message, ReadMark

RATE_MESSAGES = 10  # per person …
RATE_SECONDS = 20  # … within this many seconds


def conversation_of(booking: Booking) -> Conversation:
    return Conversation.objects.get_or_create(booking=booking)[0]


def participants(conversation: Conversation) -> set[int]:
    booking = conversation.booking
    return {booking.offer.driver_id, booking.passenger_id}


def ensure_participant(conversation: Conversation, user) -> None:
    if user.pk not in participants(conversation):
        raise PermissionDenied(_("You do not take part in this conversation."))


def post(conversation: Conversation, author, body: str) -> Message:
    ensure_participant(conversation, author)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("The message is empty.")})
    if len(body) > Message.MAX_LENGTH:
        raise ValidationError(
            {"body": _("A message has %(max)d characters at most.") % {"max": Message.MAX_LENGTH}}
        )
    key = f"messages-{connection.schema_name}-{author.pk}"
    cache.add(key, 0, RATE_SECONDS)
    if cache.incr(key) > RATE_MESSAGES:
        raise Conflict(_("Too many messages: wait a few seconds."))
    message = Message.objects.create(conversation=conversation, author=author, body=body)
    mark_read(conversation, author)
    return message


def mark_read(conversation: Conversation, user) -> None:
    ReadMark.objects.update_or_create(
        conversation=conversation, user=user, defaults={"read_at": timezone.now()}
    )


def unread(conversation: Conversation, user) -> int:
    mark = ReadMark.objects.filter(conversation=conversation, user=user).first()
    messages = conversation.messages.exclude(author=user)
    return messages.filter(created_at__gt=mark.read_at).count() if mark else messages.count()


def as_event(message: Message) -> dict:
    """A message as sent over the websocket: its text HTML-escaped."""
    return {
        "type": "message",
        "id": message.pk,
        "author": message.author.display_name,
        "author_id": message.author_id,
        "html": linebreaks(escape(message.body)),
        "at": timezone.localtime(message.created_at).strftime("%H:%M"),
    }


def unread_total(user) -> int:
    """Messages from others the person has not read yet, in all their conversations here."""
    from django.db.models import F, OuterRef, Q, Subquery

    read_at = ReadMark.objects.filter(conversation=OuterRef("conversation"), user=user).values(
        "read_at"
    )[:1]
    mine = Q(conversation__booking__passenger=user) | Q(conversation__booking__offer__driver=user)
    return (
        Message.objects.filter(mine)
        .exclude(author=user)
        .annotate(read_at=Subquery(read_at))
        .filter(Q(read_at__isnull=True) | Q(created_at__gt=F("read_at")))
        .count()
    )
