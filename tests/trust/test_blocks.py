"""Blocks hold in every territory of the archipel: once one of two people blocks the other,
neither sees the other's rides (search, federated search, API, ride page), books them or
writes to them; unblocking restores it."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core import blocks
from core.errors import Conflict
from tenants.members.services import membership_join
from tests.factories import ANDORRA_LA_VELLA, ESCALDES, PASSWORD, book, tomorrow_at
from tests.forms import SEARCH
from trips import conversations
from trips.services.bookings import booking_decide

pytestmark = pytest.mark.django_db
API_SEARCH = {
    "from_lon": ESCALDES.lon, "from_lat": ESCALDES.lat,
    "to_lon": ANDORRA_LA_VELLA.lon, "to_lat": ANDORRA_LA_VELLA.lat,
    "date": tomorrow_at(8).date().isoformat(), "time": "08:15",
}  # fmt: skip


def found(cast, role, ride) -> bool:
    return f"/rides/{ride.pk}/" in cast.client(role).get("/", SEARCH).content.decode()


def test_a_passenger_blocks_a_driver_and_no_longer_sees_their_rides(ride, in_alpha, alpha):
    citizen = alpha.client("citizen")
    assert found(alpha, "citizen", ride)
    driver = in_alpha["driver"]
    blocked = citizen.post(f"/people/{driver.pk}/block/")
    assert blocked.status_code == 302
    assert driver.display_name in citizen.get("/account/blocks/").content.decode()
    assert not found(alpha, "citizen", ride)
    assert citizen.get(f"/rides/{ride.pk}/").status_code == 404
    assert citizen.get(f"/api/v1/offers/{ride.pk}/").status_code == 404
    ids = [m["offer"]["id"] for m in citizen.get("/api/v1/search/", API_SEARCH).json()]
    others = alpha.client("volunteer").get("/api/v1/search/", API_SEARCH).json()
    assert ride.pk not in ids and ride.pk in [m["offer"]["id"] for m in others]
    # Both ways: the driver no longer finds the passenger either (nothing to book, though).
    with schema_context(alpha.territory.schema_name):
        with pytest.raises(Conflict, match="bloqué"):
            book(ride, in_alpha["citizen"])
    # Other people still see the ride.
    assert found(alpha, "volunteer", ride)
    # Unblocking restores everything.
    citizen.post("/account/blocks/", {"person": driver.pk})
    assert found(alpha, "citizen", ride)


def test_blocks_hold_in_the_other_territories(ride, in_alpha, alpha, beta):
    """Beta's citizen finds Alpha's ride through the archipel; once Alpha's driver blocks
    them (the accounts are shared, so are blocks), it disappears from Beta's search too."""
    assert "Publié sur Alpha" in beta.client("citizen").get("/", SEARCH).content.decode()
    blocks.block_create(in_alpha["driver"], beta["citizen"])
    page = beta.client("citizen").get("/", SEARCH).content.decode()
    assert "Publié sur Alpha" not in page
    # On Alpha's own site too, once they have joined it.
    with schema_context(alpha.territory.schema_name):
        membership_join(beta["citizen"])
    visitor = Client(HTTP_HOST=alpha.host)
    login = {"login": beta.email("citizen"), "password": PASSWORD}
    assert visitor.post("/accounts/login/", login).status_code == 302
    assert visitor.get(f"/rides/{ride.pk}/").status_code == 404
    assert f"/rides/{ride.pk}/" not in visitor.get("/", SEARCH).content.decode()


def test_blocked_people_cannot_write_to_each_other(ride, in_alpha, alpha):
    with schema_context(alpha.territory.schema_name):
        booking = booking_decide(
            book(ride, in_alpha["citizen"]), by=in_alpha["driver"], accept=True
        )
        talk = conversations.conversation_of(booking)
        conversations.message_post(talk, in_alpha["citizen"], "Bonjour")
    blocks.block_create(in_alpha["driver"], in_alpha["citizen"])
    with schema_context(alpha.territory.schema_name):
        with pytest.raises(Conflict, match="bloqué"):
            conversations.message_post(talk, in_alpha["citizen"], "Vous êtes là ?")
        with pytest.raises(Conflict):
            conversations.message_post(talk, in_alpha["driver"], "Non")
    with pytest.raises(Conflict):
        blocks.block_create(in_alpha["citizen"], in_alpha["citizen"])
    assert blocks.hidden_from(in_alpha["citizen"]) == {in_alpha["driver"].pk}
    assert blocks.hidden_from(in_alpha["volunteer"]) == set()
