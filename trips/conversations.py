"""Conversations between the driver and the passenger of a booking: who takes part, posting
(size- and rate-limited), read marks and unread counts. Used by the page and the websocket."""

from __future__ import annotations

import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import blocks, presence, ratelimit
from core.websocket import person_group
from notifications import outbox
from notifications.models import Kind
from notifications.selectors import wants_email
from notifications.services import email, group_send

from .errors import Conflict, ValidationError
from .models import Booking, Conversation, Message, ReadMark

User = get_user_model()

RATE_MESSAGES = 10  # per person …
RATE_SECONDS = 20  # … within this many seconds
EMAIL_EVERY = 15 * 60  # at most one e-mail per conversation and person in this many seconds
CATCH_UP = 200  # messages at most sent to a page that (re)joins a conversation's socket


def conversation_of(booking: Booking) -> Conversation:
    return Conversation.objects.get_or_create(booking=booking)[0]


def conversation_of_request(request) -> Conversation:
    """The conversation of a solidarity trip (its operators and its assigned volunteer)."""
    return Conversation.objects.get_or_create(request=request)[0]


def participants(conversation: Conversation) -> set[int]:
    if conversation.booking_id:
        booking = conversation.booking
        return {booking.offer.driver_id, booking.passenger_id}
    request = conversation.request
    operators = set(request.structure.operators.values_list("pk", flat=True))
    return operators | ({request.volunteer.user_id} if request.volunteer_id else set())


def loaded():
    """Conversations with what `participants` reads."""
    return Conversation.objects.select_related(
        "booking__offer", "request__volunteer", "request__structure"
    )


def talks_of(user):
    """The conversations the person takes part in, as a queryset of ids."""
    return Conversation.objects.filter(
        Q(booking__passenger=user)
        | Q(booking__offer__driver=user)
        | Q(request__volunteer__user=user)
        | Q(request__structure__operators=user)
    ).values("pk")


def ensure_participant(conversation: Conversation, user) -> None:
    if user.pk not in participants(conversation):
        raise PermissionDenied(_("You do not take part in this conversation."))


def message_post(conversation: Conversation, author, body: str, *, live: bool = True) -> Message:
    """Store a message and tell the other participants; `live`: also send it to the open
    pages after commit (the socket's own post sends `live_events` itself, asynchronously)."""
    ensure_participant(conversation, author)
    others = participants(conversation) - {author.pk}
    if others & blocks.hidden_from(author):
        raise Conflict(_("This is not possible: one of you has blocked the other."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("The message is empty.")})
    if len(body) > Message.MAX_LENGTH:
        raise ValidationError(
            {
                "body": _(
                    "A message has %(limit_value)s characters at most: this one has "
                    "%(show_value)s. Shorten it, or send it in two messages."
                )
                % {
                    "limit_value": formats.number_format(Message.MAX_LENGTH, force_grouping=True),
                    "show_value": formats.number_format(len(body), force_grouping=True),
                }
            }
        )
    sent = ratelimit.hit(f"messages-{connection.schema_name}-{author.pk}", RATE_SECONDS)
    if sent > RATE_MESSAGES:
        raise Conflict(_("Too many messages: wait a few seconds."))
    message = Message.objects.create(conversation=conversation, author=author, body=body)
    conversation_mark_read(conversation, author)
    for other in others:
        tell_if_away(conversation, other, message)
    if live:
        events = live_events(conversation, message, others)
        transaction.on_commit(lambda: _send_live(events), robust=True)
    return message


def conversation_group(territory, pk: int) -> str:
    """The channel-layer group of a conversation's open pages (trips/consumers.py)."""
    return f"{territory.schema_name}.conversation.{pk}"


def live_events(conversation: Conversation, message: Message, others) -> list[tuple[str, dict]]:
    """What a new message sends to open pages, as (group, event): the message to the
    conversation's sockets, and to each other participant's pages the news of an unread one
    (`trip`: about a booking, so counted on « My trips », js/presence.js)."""
    territory = connection.tenant
    unread_event = {
        "type": "unread",
        "conversation": conversation.pk,
        "trip": conversation.booking_id is not None,
    }
    return [
        (
            conversation_group(territory, conversation.pk),
            {"type": "conversation.message", "payload": as_event(message)},
        ),
        *[
            (person_group(territory, other), {"type": "person.event", "payload": unread_event})
            for other in sorted(others)
        ],
    ]


def _send_live(events: list[tuple[str, dict]]) -> None:
    """After commit: a page that misses it (Redis away) catches up when its socket reopens."""
    for group, event in events:
        group_send(group, event)


def link(conversation: Conversation) -> str:
    if conversation.booking_id:
        return reverse("conversation", args=[conversation.booking_id])
    return reverse("solidarity_conversation", args=[conversation.request_id])


def _gate(conversation: Conversation, user_id: int) -> str:
    return f"message-mail-{connection.schema_name}-{conversation.pk}-{user_id}"


def tell_if_away(conversation: Conversation, user_id: int, message: Message) -> None:
    """E-mail a participant who has no page open, at most once per conversation every
    EMAIL_EVERY seconds: the first message is e-mailed at once; later ones wait for a digest
    sent when the quiet period ends (if they are still unread then)."""
    if presence.is_online(connection.schema_name, user_id):
        return
    user = User.objects.get(pk=user_id)
    if not wants_email(user, Kind.MESSAGE):
        return
    gate = _gate(conversation, user_id)
    if cache.add(gate, time.time(), EMAIL_EVERY):
        subject = _("New message from %(name)s") % {"name": message.author.display_name}
        email(user, subject, [subject + " :", message.body[:1000]], link(conversation))
    elif cache.add(gate + "-digest", 1, EMAIL_EVERY):
        wait = EMAIL_EVERY - (time.time() - float(cache.get(gate) or time.time()))
        # A deferred outbox row: the sweep sends it once the quiet period is over.
        outbox.enqueue(
            "trips.message_digest",
            {"conversation": conversation.pk, "user": user_id},
            not_before=timezone.now() + timedelta(seconds=max(1, round(wait))),
        )


@outbox.handler("trips.message_digest", gettext_lazy("Digest of unread messages"))
def digest_deliver(payload: dict, key: str) -> None:
    digest_send(payload["conversation"], payload["user"])


def digest_send(conversation_pk: int, user_id: int) -> bool:
    """The deferred e-mail: the messages still unread, unless the person came back."""
    conversation = Conversation.objects.filter(pk=conversation_pk).first()
    user = User.objects.filter(pk=user_id).first()
    gate = None if conversation is None else _gate(conversation, user_id)
    if gate:
        cache.delete(gate + "-digest")
    if conversation is None or user is None or presence.is_online(connection.schema_name, user_id):
        return False
    count = unread(conversation, user)
    if not count:
        return False
    cache.set(gate, time.time(), EMAIL_EVERY)
    subject = ngettext(
        "%(count)d unread message in a conversation",
        "%(count)d unread messages in a conversation",
        count,
    ) % {"count": count}
    email(user, subject, [subject + "."], link(conversation))
    return True


def conversation_mark_read(conversation: Conversation, user) -> None:
    """One UPDATE in the common case (called for every message seen live)."""
    now = timezone.now()
    marks = ReadMark.objects.filter(conversation_id=conversation.pk, user_id=user.pk)
    if not marks.update(read_at=now):
        ReadMark.objects.get_or_create(
            conversation_id=conversation.pk, user_id=user.pk, defaults={"read_at": now}
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


def messages_after(conversation: Conversation, after: int, limit: int = CATCH_UP) -> list[Message]:
    """The conversation's messages with an id above `after`, oldest first: the last `limit` of
    them when there are more (what a page that lost its socket missed; docs/realtime.md)."""
    newest = (
        Message.objects.filter(conversation_id=conversation.pk, pk__gt=after)
        .select_related("author")
        .order_by("-pk")[:limit]
    )
    return list(reversed(newest))


def _unread_of(user):
    """Messages from others the person has not read yet (a queryset to narrow down)."""
    read_at = ReadMark.objects.filter(conversation=OuterRef("conversation"), user=user).values(
        "read_at"
    )[:1]
    return (
        Message.objects.exclude(author=user)
        .annotate(read_at=Subquery(read_at))
        .filter(Q(read_at__isnull=True) | Q(created_at__gt=F("read_at")))
    )


def unread_total(user) -> int:
    """Messages from others the person has not read yet, in all their conversations here."""
    return _unread_of(user).filter(conversation__in=talks_of(user)).count()


def unread_counts(user) -> tuple[int, int]:
    """(all unread messages, those of the conversations about bookings) in one query: the
    header's dot on the menu counts the first, « My trips » the second."""
    found = (
        _unread_of(user)
        .filter(conversation__in=talks_of(user))
        .aggregate(
            total=Count("pk"), trips=Count("pk", filter=Q(conversation__booking__isnull=False))
        )
    )
    return found["total"], found["trips"]


def unread_by_booking(user, booking_ids) -> dict[int, int]:
    """Unread messages of each of these bookings' conversations, in one query."""
    ids = list(booking_ids)
    if not ids:
        return {}
    rows = (
        _unread_of(user)
        .filter(conversation__booking__in=ids)
        .values_list("conversation__booking")
        .annotate(n=Count("pk"))
    )
    return dict(rows)
