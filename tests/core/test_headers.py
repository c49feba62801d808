"""`api_key` (RDEX+'s header, dropped by Django for its underscore) handed over under a name
of ours on the partner APIs' paths only, and that name never taken from a client
(core/headers.py; through the real server: tests/interop/test_over_http.py)."""

from asgiref.sync import async_to_sync

from core.headers import UnderscoreHeaderMiddleware

OURS = b"x-ours-api-key"


def headers_seen(path: str, headers: list, root_path: str = "") -> list:
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["headers"])

    middleware = UnderscoreHeaderMiddleware(
        app, header="api_key", as_="X-Ours-Api-Key", paths=("/interop/",)
    )
    scope = {"type": "http", "path": path, "root_path": root_path, "headers": headers}
    async_to_sync(middleware)(scope, None, None)
    assert scope["headers"] == headers  # the server's scope is left as it was
    return seen[0]


def test_the_key_is_handed_over_on_the_partner_apis_only():
    sent = [(b"host", b"alpha.localhost"), (b"api_key", b"k.1")]
    assert (OURS, b"k.1") in headers_seen("/interop/rdexplus/v2/journeys", sent)
    assert headers_seen("/interop/rdexplus/v2/journeys", sent)[:2] == sent
    assert OURS not in dict(headers_seen("/accounts/login/", sent))
    # Mounted under a prefix: the path Django routes is the one judged.
    mounted = headers_seen("/archipel/interop/rdexplus/v2/journeys", sent, "/archipel")
    assert (OURS, b"k.1") in mounted
    assert OURS not in dict(headers_seen("/archipel/accounts/", sent, "/archipel"))


def test_a_client_never_sends_that_name_itself():
    posing = [(b"x-ours-api-key", b"forged"), (b"X-Ours-Api-Key", b"forged")]
    for path in ("/interop/rdexplus/v2/journeys", "/"):
        assert headers_seen(path, posing) == []
    kept = headers_seen("/interop/x", [*posing, (b"api_key", b"k.1")])
    assert [v for n, v in kept if n.lower() == OURS] == [b"k.1"]


def test_several_api_key_headers_stay_several():
    # Django joins them with a comma: a value no key matches.
    sent = [(b"api_key", b"a.1"), (b"api_key", b"b.2")]
    assert [v for n, v in headers_seen("/interop/x", sent) if n == OURS] == [b"a.1", b"b.2"]


def test_websockets_pass_untouched():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope)

    scope = {"type": "websocket", "path": "/interop/x", "headers": [(b"api_key", b"k")]}
    async_to_sync(UnderscoreHeaderMiddleware(app, header="api_key", as_="x-o", paths=("/",)))(
        scope, None, None
    )
    assert seen == [scope]
