"""Websocket plumbing shared by every live feature.

The territory is resolved from the Host header, exactly as django-tenants does for HTTP. ORM
calls in consumers must run inside `tenant_context(scope["tenant"])` *inside* the
database_sync_to_async function, otherwise they silently hit `public`."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.urls import path
from django_tenants.utils import get_tenant_domain_model, remove_www, tenant_context

CLOSE_UNKNOWN_TERRITORY = 4404
CLOSE_NOT_MEMBER = 4403
CLOSE_UNAUTHENTICATED = 4401


def _host(scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return remove_www(value.decode("latin-1").split(":")[0].lower())
    return ""


@database_sync_to_async
def _territory_for(host: str):
    domain = get_tenant_domain_model().objects.select_related("tenant").filter(domain=host).first()
    return domain.tenant if domain else None


class TerritoryWebsocketMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        territory = await _territory_for(_host(scope))
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
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.roles = await membership_roles(self.scope["tenant"], user)
        if self.roles is None:
            await self.close(code=CLOSE_NOT_MEMBER)
            return
        await self.accept()
        await self.joined()

    async def joined(self) -> None:
        """Hook for subclasses, called once the member is accepted."""


class PresenceConsumer(MemberConsumer):
    """Tells an open page who it is connected as; the base of the live header."""

    async def joined(self) -> None:
        await self.send_json(
            {"type": "hello", "territory": self.scope["tenant"].slug, "roles": self.roles}
        )


websocket_urlpatterns = [path("ws/presence/", PresenceConsumer.as_asgi())]
