"""A territory is found whatever the case of its host name, with a trailing dot, a port or
`www.`, over HTTP (regression: `ALPHA.localhost` and `alpha.localhost.` answered 404); websockets:
tests/core/test_websocket.py."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

VARIANTS = ["{host}", "{upper}", "{host}.", "{upper}.:8000", "www.{host}"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_pages_are_served_for_every_spelling_of_the_host(archipel, variant):
    alpha = archipel["alpha"]
    host = variant.format(host=alpha.host, upper=alpha.host.upper())
    page = Client(HTTP_HOST=host).get("/")
    assert page.status_code == 200
    assert page.wsgi_request.tenant.schema_name == alpha.territory.schema_name


def test_an_unknown_host_is_still_unknown(archipel):
    assert Client(HTTP_HOST="nowhere.localhost.").get("/").status_code == 404
