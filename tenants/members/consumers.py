"""Websockets for the members of a territory: the base consumer that lets only members of the
Host's territory in, and the presence socket every open page holds."""

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from core import presence
from core.inputs import BadInput, json_loads
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
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        self.roles = await membership_roles(self.scope["tenant"], user)
        if self.roles is None:
            await self.refuse(CLOSE_NOT_MEMBER)
            return
        refused = await self.refusal()
        if refused:
            await self.refuse(refused)
            return
        await self.accept()
        await self.joined()

    async def refuse(self, code: int) -> None:
        """Accepted and closed at once with the code (see core.websocket.refuse)."""
        await self.accept()
        await self.close(code=code)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Every frame is read by the project's one JSON reader (core.inputs): a frame that is
        binary, not JSON, too deep or with unstorable text gets an `error` frame and the
        socket stays open."""
        if text_data is None:
            await self.send_error(_("Frames must be JSON text."))
            return
        try:
            content = json_loads(text_data)
        except BadInput as exc:
            await self.send_error(str(exc))
            return
        await self.receive_json(content, **kwargs)

    async def send_error(self, message: str) -> None:
        await self.send_json({"type": "error", "error": str(message)})

    async def receive_json(self, content, **kwargs):
        await self.send_error(_("Unknown frame."))

    async def refusal(self) -> int | None:
        """Hook for subclasses: a close code to refuse this member before anything is sent."""
        return None

    async def joined(self) -> None:
        """Hook for subclasses, called once the member is accepted."""

    async def layer_reconnected(self, event) -> None:
        """The process's channel layer lost Redis and is subscribed again: what was sent in
        between never came (core.channel_layer). Subclasses that can catch up from the
        database do; the presence socket's counts are refreshed by the next event."""


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
