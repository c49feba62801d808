"""ASGI entry point: HTTP through Django, websockets through Channels.

Websocket consumers are added with the live features; the territory of a websocket is resolved
from its Host header by `core.websocket.TerritoryWebsocketMiddleware`."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from archipel.routing import websocket_urlpatterns  # noqa: E402
from core.websocket import TerritoryWebsocketMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            TerritoryWebsocketMiddleware(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
