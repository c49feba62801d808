"""The live side of conversations: a socket per open conversation page. Only its two
participants get in; messages are size- and rate-limited, HTML-escaped, stored in the
territory's schema and delivered to every open page of both participants. A page (re)joining
with `?after=<id>` first gets what it missed, then a `ready` frame (docs/realtime.md)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from core.errors import Conflict
from core.websocket import CLOSE_NOT_PARTICIPANT
from tenants.members.consumers import MemberConsumer

from . import conversations
from .errors import ValidationError

MAX_ID = 2**63 - 1  # the largest message id (a bigint)


def after_of(scope) -> int | None:
    """The `after` query parameter (the last message id the page shows), clamped to 0..MAX_ID;
    None when absent or not a whole number: a bad value is ignored, never an error."""
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("after")
    found = re.fullmatch(r"\s*(-?)([0-9]+)\s*", values[-1]) if values else None
    if found is None:
        return None
    sign, digits = found.groups()
    if sign:
        return 0
    return MAX_ID if len(digits) > 19 else min(int(digits), MAX_ID)


class ConversationConsumer(MemberConsumer):
    async def refusal(self) -> int | None:
        self.pk = self.scope["url_route"]["kwargs"]["pk"]
        allowed = await self._is_participant()
        return None if allowed else CLOSE_NOT_PARTICIPANT

    @database_sync_to_async
    def _is_participant(self) -> bool:
        with tenant_context(self.scope["tenant"]):
            found = conversations.loaded().filter(pk=self.pk).first()
            if found is None:
                return False
            self.conversation = found  # kept for the socket's life: no lookup per message
            self.others = conversations.participants(found) - {self.scope["user"].pk}
            return self.scope["user"].pk in conversations.participants(found)

    async def joined(self) -> None:
        self.group = conversations.conversation_group(self.scope["tenant"], self.pk)
        # In the group before reading what was missed: a message posted in between comes twice
        # (after the catch-up, which runs first), never not at all; pages drop repeated ids.
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.last = after_of(self.scope)  # the last message this page has; None: unknown
        if self.last is None:
            return
        await self._catch_up()
        await self.send_json({"type": "ready"})

    async def layer_reconnected(self, event) -> None:
        """Redis came back after a switch: what was posted meanwhile, from the database."""
        if getattr(self, "last", None) is not None:  # joined, and the page said what it has
            await self._catch_up()

    async def _catch_up(self) -> None:
        for event in await self._missed(self.last):
            await self.send_json(event)
            self.last = max(self.last, event["id"])

    @database_sync_to_async
    def _missed(self, after: int) -> list[dict]:
        """This socket's conversation only, one query; shown on the page, so read."""
        with tenant_context(self.scope["tenant"]):
            missed = conversations.messages_after(self.conversation, after)
            if any(message.author_id != self.scope["user"].pk for message in missed):
                conversations.conversation_mark_read(self.conversation, self.scope["user"])
            return [conversations.as_event(message) for message in missed]

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("type") != "message":
            await self.send_error(_("Unknown frame."))
            return
        body = content.get("body")
        try:
            events = await self._post(body if isinstance(body, str) else "")
        except ValidationError as exc:
            await self.send_error(" ".join(exc.messages))
            return
        except (Conflict, PermissionDenied) as exc:
            await self.send_error(str(getattr(exc, "message", exc)))
            return
        for group, event in events:
            await self.channel_layer.group_send(group, event)

    @database_sync_to_async
    def _post(self, body: str) -> list[tuple[str, dict]]:
        """Stored in the sync thread; sent from here, without holding that thread."""
        with tenant_context(self.scope["tenant"]):
            user = self.scope["user"]
            message = conversations.message_post(self.conversation, user, body, live=False)
            return conversations.live_events(self.conversation, message, self.others)

    async def conversation_message(self, event):
        await self.send_json(event["payload"])
        if self.last is not None:
            self.last = max(self.last, event["payload"]["id"])
        if event["payload"]["author_id"] != self.scope["user"].pk:  # posting marked the author's
            await self._read()  # seen on an open page

    @database_sync_to_async
    def _read(self) -> None:
        with tenant_context(self.scope["tenant"]):
            conversations.conversation_mark_read(self.conversation, self.scope["user"])
