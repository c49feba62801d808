"""Partners' keys as partners' HTTP clients send them, to the real server (uvicorn on
loopback, the ASGI application as deployed): RDEX+'s `api_key` header (whose underscore
Django's ASGI handler drops; archipel/asgi.py hands it over), standard covoiturage's
X-API-Key and Authorization: Bearer."""

from types import SimpleNamespace

import pytest
import requests
from django_tenants.utils import schema_context

from core.headers import RDEX_API_KEY
from interop.partners import partner_register
from tests.factories import ANDORRA_LA_VELLA, ESCALDES, tomorrow_at
from tests.servers import uvicorn

pytestmark = pytest.mark.django_db  # the test database, which the server uses too
SEARCH = {
    "departureLat": ESCALDES.lat, "departureLng": ESCALDES.lon,
    "arrivalLat": ANDORRA_LA_VELLA.lat, "arrivalLng": ANDORRA_LA_VELLA.lon,
}  # fmt: skip


@pytest.fixture(scope="module")
def server(archipel, django_db_blocker, tmp_path_factory):
    """Alpha's partner (committed: the server is another process) and the server."""
    alpha = archipel["alpha"]
    with django_db_blocker.unblock(), schema_context(alpha.territory.schema_name):
        partner, key = partner_register(
            name="Over HTTP", operator="http.test", endpoints=["search"]
        )
    try:
        with uvicorn(tmp_path_factory.mktemp("log") / "server.log") as port:
            yield SimpleNamespace(url=f"http://127.0.0.1:{port}", host=alpha.host, key=key)
    finally:
        with django_db_blocker.unblock(), schema_context(alpha.territory.schema_name):
            partner.delete()  # and its calls


def get(server, path: str, headers: dict) -> requests.Response:
    query = {**SEARCH, "departureDate": int(tomorrow_at(8, 15).timestamp())}
    return requests.get(
        f"{server.url}/interop{path}",
        params=query,
        headers={"Host": server.host, **headers},
        timeout=10,
    )


def test_rdex_partners_send_their_key_in_the_specs_api_key_header(server):
    found = get(server, "/rdexplus/v2/journeys", {"api_key": server.key})
    assert found.status_code == 200, found.text
    assert found.json() == {"journeys": []}
    wrong = get(server, "/rdexplus/v2/journeys", {"api_key": server.key + "x"})
    assert wrong.status_code == 401 and wrong.json()["errorCode"] == "access_denied"
    assert get(server, "/rdexplus/v2/journeys", {}).status_code == 401


def test_the_name_the_key_is_handed_over_under_cannot_be_sent_by_a_client(server):
    """Only the server's copy of `api_key` is ever read under that name: a client's own is
    dropped, and with it the key it carried."""
    posing = get(server, "/rdexplus/v2/journeys", {RDEX_API_KEY: server.key})
    assert posing.status_code == 401
    both = get(server, "/rdexplus/v2/journeys", {RDEX_API_KEY: "nope", "api_key": server.key})
    assert both.status_code == 200


def test_standard_partners_send_their_key_in_x_api_key_or_as_a_bearer(server):
    for headers in ({"X-API-Key": server.key}, {"Authorization": f"Bearer {server.key}"}):
        found = get(server, "/standard-covoiturage/v1/driver_journeys", headers)
        assert found.status_code == 200, (headers, found.text)
        assert found.json() == []
    for headers in ({"X-API-Key": "nope"}, {"Authorization": f"Bearer {server.key}x"}, {}):
        refused = get(server, "/standard-covoiturage/v1/driver_journeys", headers)
        assert refused.status_code == 401 and "error" in refused.json()
