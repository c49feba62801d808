"""Websocket plumbing shared by every live feature.

The territory is resolved from the Host header, exactly as django-tenants does for HTTP. ORM
calls in consumers must run inside `tenant_context(scope["tenant"])` *inside* the
database_sync_to_async function, otherwise they silently hit `public`."""

from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django_tenants.utils import get_tenant_domain_model, remove_www, tenant_context

from core import presence
from core.middleware import SESSION_TERRITORY_KEY

CLOSE_UNKNOWN_TERRITORY = 4404
CLOSE_NOT_MEMBER = 4403
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_PARTICIPANT = 4409  # a conversation the person does not take part in (or none)


def _header(scope, wanted: bytes) -> str:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return ""


def _host(scope) -> str:
    return remove_www(_header(scope, b"host").split(":")[0].lower())


def _same_origin(scope, host: str) -> bool:
    """Refuse cross-site websocket hijacking: a page of another site cannot open a socket
    with the visitor's cookies. Clients that send no Origin (not browsers) are let through to
    the authentication check."""
    origin = _header(scope, b"origin")
    if not origin:
        return True
    return (urlsplit(origin).hostname or "").lower() == host


@database_sync_to_async
def _territory_for(host: str):
    domain = get_tenant_domain_model().objects.select_related("tenant").filter(domain=host).first()
    return domain.tenant if domain else None


class TerritoryWebsocketMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        host = _host(scope)
        territory = await _territory_for(host) if _same_origin(scope, host) else None
        if territory is None or territory.schema_name == "public":
            await receive()  # the websocket.connect event
            await send({"type": "websocket.close", "code": CLOSE_UNKNOWN_TERRITORY})
            return
        return await self.inner({**scope, "tenant": territory}, receive, send)


@database_sync_to_async
def membership_roles(territory, user) -> list[str] | None:
    from tenants.members.models import Membership

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


def person_group(territory, user_id: int) -> str:
    """Channel-layer group of one person's open pages in one territory: group names carry the
    schema, so an event sent in one territory never reaches a page of another."""
    return f"{territory.schema_name}.person.{user_id}"


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
