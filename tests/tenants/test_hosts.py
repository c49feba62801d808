"""A territory is found whatever the case of its host name, with a trailing dot, a port or
`www.`, over HTTP and websockets alike (regression: `ALPHA.localhost` and `alpha.localhost.`
answered 404)."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from archipel.asgi import application

pytestmark = pytest.mark.django_db

VARIANTS = ["{host}", "{upper}", "{host}.", "{upper}.:8000", "www.{host}"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_pages_are_served_for_every_spelling_of_the_host(archipel, variant):
    alpha = archipel["alpha"]
    host = variant.format(host=alpha.host, upper=alpha.host.upper())
    page = Client(HTTP_HOST=host).get("/")
    assert page.status_code == 200
    assert page.wsgi_request.tenant.schema_name == alpha.territory.schema_name


@pytest.mark.parametrize("variant", VARIANTS)
def test_websockets_find_the_territory_for_every_spelling_of_the_host(
    archipel, session_for, variant
):
    alpha = archipel["alpha"]
    key = session_for(alpha["citizen"], alpha.territory.schema_name)
    host = variant.format(host=alpha.host, upper=alpha.host.upper())

    async def scenario():
        communicator = WebsocketCommunicator(
            application,
            "/ws/presence/",
            headers=[
                (b"host", host.encode()),
                (b"cookie", f"sessionid={key}".encode()),
                (b"origin", f"http://{host}".encode()),
            ],
        )
        connected, _code = await communicator.connect(timeout=5)
        assert connected
        hello = await communicator.receive_json_from(timeout=5)
        assert hello["territory"] == "alpha"
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_an_unknown_host_is_still_unknown(archipel):
    assert Client(HTTP_HOST="nowhere.localhost.").get("/").status_code == 404
