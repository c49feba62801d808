"""Websocket plumbing shared by every live feature.

The territory is resolved from the Host header, exactly as django-tenants does for HTTP. ORM
calls in consumers must run inside `tenant_context(scope["tenant"])` *inside* the
database_sync_to_async function, otherwise they silently hit `public`. The consumers for members
(`tenants.members.consumers`) build on this."""

from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from django_tenants.utils import get_tenant_domain_model

from core.hosts import normalised_host

CLOSE_UNKNOWN_TERRITORY = 4404
CLOSE_NOT_MEMBER = 4403
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_PARTICIPANT = 4409  # a conversation the person does not take part in (or none)


async def refuse(receive, send, code: int) -> None:
    """Refuse a socket with one of the codes above. The handshake is accepted first and closed
    at once, nothing sent in between: a close before the accept reaches a client as a bare
    HTTP 403 (close code 1006 in a browser), and the page could not tell why."""
    await receive()  # the websocket.connect event
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": code})


def _header(scope, wanted: bytes) -> str:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return ""


def _host(scope) -> str:
    return normalised_host(_header(scope, b"host"))


def _same_origin(scope, host: str) -> bool:
    """Refuse cross-site websocket hijacking: a page of another site cannot open a socket
    with the visitor's cookies. Clients that send no Origin (not browsers) are let through to
    the authentication check."""
    origin = _header(scope, b"origin")
    if not origin:
        return True
    return normalised_host(urlsplit(origin).netloc) == host


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
            await refuse(receive, send, CLOSE_UNKNOWN_TERRITORY)
            return
        return await self.inner({**scope, "tenant": territory}, receive, send)


def person_group(territory, user_id: int) -> str:
    """Channel-layer group of one person's open pages in one territory: group names carry the
    schema, so an event sent in one territory never reaches a page of another."""
    return f"{territory.schema_name}.person.{user_id}"
