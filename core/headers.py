"""Request headers whose name holds an underscore, which Django never reads under ASGI.

Django's ASGI handler drops every such header: the WSGI-style `META` it builds cannot tell
`X_Forwarded_For` from `X-Forwarded-For`, and a client could otherwise pose as a header a
proxy sets. But RDEX+ sends its partners' key in a header named `api_key`, so a partner
following the spec was always refused (401).

`UnderscoreHeaderMiddleware`, the outermost ASGI layer for HTTP (`archipel/asgi.py`), hands
such a header to Django under a name of our own (`as_`), on the given paths only — the value
untouched, several headers kept several (Django joins them with commas, which no key
matches). Both ways of spoofing are closed: a header of our name sent by the client is
removed on every path, so that Django only ever finds there what the spec's header said; and
the spec's header is read by that exact name, never mixed up with `api-key`."""

from __future__ import annotations

# RDEX+'s `api_key`, as `request.headers` shows it (interop/partners.py reads it there).
RDEX_API_KEY = "X-Archipel-Rdex-Api-Key"


class UnderscoreHeaderMiddleware:
    def __init__(self, app, *, header: str, as_: str, paths: tuple[str, ...]):
        self.app = app
        self.header = header.lower().encode("latin1")
        self.target = as_.lower().encode("latin1")
        self.paths = paths

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope = self.rewritten(scope)
        await self.app(scope, receive, send)

    def rewritten(self, scope: dict) -> dict:
        # The path Django routes: without the prefix the app is mounted under (root_path).
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        copy = path.startswith(self.paths)
        headers = []
        for name, value in scope.get("headers", []):
            lowered = name.lower()
            if lowered == self.target:
                continue
            headers.append((name, value))
            if copy and lowered == self.header:
                headers.append((self.target, value))
        return {**scope, "headers": headers}
