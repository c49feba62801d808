"""Websockets for the members of a territory: the base consumer that lets only members of the
Host's territory in, and the presence socket every open page holds."""

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django_tenants.utils import tenant_context

from core import presence
from core.middleware import SESSION_TERRITORY_KEY
from core.websocket import CLOSE_NOT_MEMBER, CLOSE_UNAUTHENTICATED, person_group

from .models import Membership


@database_sync_to_async
def membership_roles(territory, user) -> list[str] | None:
    with tenant_context(territory):
        membership = Membership.objects.filter(user_id=user.pk).first()
        return list(membership.roles) if membership else None


class MemberConsumer(AsyncJsonWebsocketConsumer):
    """Base consumer: only authenticated members of the Host's territory get in."""

    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session") or {}
        # Sessions are per territory (see core.middleware.SessionScopeMiddleware).
        same_territory = session.get(SESSION_TERRITORY_KEY) == self.scope["tenant"].schema_name
        if user is None or not user.is_authenticated or not same_territory:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.roles = await membership_roles(self.scope["tenant"], user)
        if self.roles is None:
            await self.close(code=CLOSE_NOT_MEMBER)
            return
        refused = await self.refusal()
        if refused:
            await self.close(code=refused)
            return
        await self.accept()
        await self.joined()

    async def refusal(self) -> int | None:
        """Hook for subclasses: a close code to refuse this member before anything is sent."""
        return None

    async def joined(self) -> None:
        """Hook for subclasses, called once the member is accepted."""


class PresenceConsumer(MemberConsumer):
    """One per open page: says who it is connected as and relays events addressed to the
    person in this territory (notifications, unread counts)."""

    async def joined(self) -> None:
        self.group = person_group(self.scope["tenant"], self.scope["user"].pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await sync_to_async(presence.arrive, thread_sensitive=False)(
            self.scope["tenant"].schema_name, self.scope["user"].pk, self.channel_name
        )
        await self.send_json(
            {"type": "hello", "territory": self.scope["tenant"].slug, "roles": self.roles}
        )

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await sync_to_async(presence.leave, thread_sensitive=False)(
                self.scope["tenant"].schema_name, self.scope["user"].pk, self.channel_name
            )

    async def person_event(self, event):
        await self.send_json(event["payload"])
