"""ASGI entry point: HTTP through Django, websockets through Channels.

Websocket consumers are added with the live features; the territory of a websocket is resolved
from its Host header by `core.websocket.TerritoryWebsocketMiddleware`. Before Django, the
partner APIs' `api_key` header (RDEX+'s name, which Django drops for its underscore) is handed
over as `core.headers.RDEX_API_KEY` (`core.headers.UnderscoreHeaderMiddleware`)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from archipel.routing import websocket_urlpatterns  # noqa: E402
from core.headers import RDEX_API_KEY, UnderscoreHeaderMiddleware  # noqa: E402
from core.websocket import TerritoryWebsocketMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": UnderscoreHeaderMiddleware(
            django_asgi_app, header="api_key", as_=RDEX_API_KEY, paths=("/interop/",)
        ),
        "websocket": AllowedHostsOriginValidator(
            TerritoryWebsocketMiddleware(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
