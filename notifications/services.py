"""Telling people what happened: a row in their feed, pushed live to every open page of theirs
in this territory, and an e-mail when they want this kind by e-mail. Pushes and e-mails go
through the outbox (notifications.outbox): written with the change, sent after it commits, retried
when Redis or the mail server is away — never a failure of the change itself."""

from __future__ import annotations

import asyncio
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from core.mail import with_html
from core.websocket import person_group
from tenants.selectors import current_territory, territory_link

from . import outbox
from .models import EmailChoice, Kind, Notification
from .selectors import unread_count, wants_email


def email_choices_set(user, by_email: set[str]) -> None:
    for kind in Kind:
        EmailChoice.objects.update_or_create(
            user=user, kind=kind.value, defaults={"email": kind.value in by_email}
        )


def push(user_id: int, payload: dict) -> None:
    """Send an event to every open page of the person in this territory (after commit)."""
    outbox.enqueue("push", {"user_id": user_id, "event": payload})


@outbox.handler("push", gettext_lazy("Live notification"), immediate=True)
def push_deliver(payload: dict, key: str) -> None:
    group = person_group(current_territory(), payload["user_id"])
    event = {**payload["event"], "event_id": key}  # a page may drop a repeated event
    group_send(group, {"type": "person.event", "payload": event})


def group_send(group: str, event: dict) -> None:
    """Channel-layer send from synchronous code. A thread that already runs an event loop (a
    sync caller inside async code) cannot block on it: the send then runs in a helper thread."""
    send = async_to_sync(get_channel_layer().group_send)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send(group, event)
        return
    helper = threading.Thread(target=send, args=(group, event))
    helper.start()
    helper.join()


def email(user, subject: str, lines: list[str], link: str = "") -> None:
    """An e-mail in the site's language, sent after commit (never fails the change)."""
    if not user.email:
        return
    url = territory_link(link) if link else ""
    with translation.override(settings.LANGUAGE_CODE):
        body = "\n\n".join(str(line) for line in filter(None, [*lines, url]))
    outbox.enqueue("email", {"to": user.email, "subject": str(subject), "body": body})


@outbox.handler("email", gettext_lazy("E-mail"), immediate=True)
def email_deliver(payload: dict, key: str) -> None:
    """The row's key is the Message-ID: a retried delivery is the same message. The body is
    the text part; the HTML part is drawn from it in the territory's look (core.mail)."""
    domain = current_territory().primary_host or "archipel.localhost"
    message = EmailMultiAlternatives(
        payload["subject"],
        payload["body"],
        None,
        [payload["to"]],
        headers={"Message-ID": f"<{key}@{domain}>"},
    )
    with translation.override(settings.LANGUAGE_CODE):
        with_html(message)
    message.send(fail_silently=False)


def notify(
    user,
    kind: Kind | str,
    template: str,
    params: dict | None = None,
    link: str = "",
    *,
    lines: tuple[str, ...] = (),
    by_email: bool = True,
):
    """Tell `user`: a feed entry, a live event, and an e-mail if they want this kind by e-mail
    (`by_email=False` when another channel already carries it). `template` is an untranslated
    message id (gettext_noop) filled with `params`; `lines` are extra e-mail paragraphs."""
    note = Notification.objects.create(
        user=user, kind=kind, template=template, params=params or {}, link=link
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = note.text
    push(
        user.pk,
        {
            "type": "notification",
            "id": note.pk,
            "kind": note.kind,
            "text": text,
            "link": link,
            "unread": unread_count(user),
        },
    )
    if by_email and wants_email(user, kind):
        email(user, text, [text + ".", *lines], link)
    return note


def notifications_mark_read(user, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
