"""The live side of conversations: a socket per open conversation page. Only its two
participants get in; messages are size- and rate-limited, HTML-escaped, stored in the
territory's schema and delivered to every open page of both participants."""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from core.errors import Conflict
from core.websocket import CLOSE_NOT_PARTICIPANT, person_group
from tenants.members.consumers import MemberConsumer

from . import conversations
from .errors import ValidationError


def conversation_group(territory, pk: int) -> str:
    return f"{territory.schema_name}.conversation.{pk}"


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
        self.group = conversation_group(self.scope["tenant"], self.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("type") != "message":
            await self.send_error(_("Unknown frame."))
            return
        body = content.get("body")
        try:
            event = await self._post(body if isinstance(body, str) else "")
        except ValidationError as exc:
            await self.send_error(" ".join(exc.messages))
            return
        except (Conflict, PermissionDenied) as exc:
            await self.send_error(str(getattr(exc, "message", exc)))
            return
        await self.channel_layer.group_send(
            self.group, {"type": "conversation.message", "payload": event}
        )
        for other in self.others:
            await self.channel_layer.group_send(
                person_group(self.scope["tenant"], other),
                {"type": "person.event", "payload": self._unread_event()},
            )

    def _unread_event(self) -> dict:
        # `trip`: about a booking, so counted on « My trips » (js/presence.js).
        trip = self.conversation.booking_id is not None
        return {"type": "unread", "conversation": self.pk, "trip": trip}

    @database_sync_to_async
    def _post(self, body: str) -> dict:
        with tenant_context(self.scope["tenant"]):
            message = conversations.message_post(self.conversation, self.scope["user"], body)
            return conversations.as_event(message)

    async def conversation_message(self, event):
        await self.send_json(event["payload"])
        if event["payload"]["author_id"] != self.scope["user"].pk:  # posting marked the author's
            await self._read()  # seen on an open page

    @database_sync_to_async
    def _read(self) -> None:
        with tenant_context(self.scope["tenant"]):
            conversations.conversation_mark_read(self.conversation, self.scope["user"])
