"""The archipel: a search on one territory also finds the rides of participating neighbours
(same road graph, within reach), labelled as theirs; the passenger books on the offering
territory's site with the same account, joining it there first; the booking lives in the
offering territory's schema and shows on "my trips" of every site the person belongs to."""

from django.contrib.gis.geos import Point
from django.test import Client
from django_tenants.utils import schema_context

from tenants.members.models import Membership
from tenants.models import Territory
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, PASSWORD, tomorrow_at
from tests.forms import SEARCH
from trips.federation import neighbours
from trips.models import Booking


def set_territory(cast, **fields):
    Territory.objects.filter(pk=cast.territory.pk).update(**fields)


def test_neighbours_share_graph_reach_and_consent(alpha, beta):
    near = [Point(ESCALDES.lon, ESCALDES.lat, srid=4326)]
    beta_t = Territory.objects.get(pk=beta.territory.pk)
    assert [t.slug for t in neighbours(beta_t, near)] == ["alpha"]
    assert neighbours(beta_t, [Point(2.35, 48.85, srid=4326)]) == []  # Paris: out of reach
    set_territory(alpha, federated=False)
    assert neighbours(beta_t, near) == []
    set_territory(alpha, federated=True, federation_partners=["gamma"])
    assert neighbours(beta_t, near) == []  # Alpha accepts only Gamma
    set_territory(alpha, federation_partners=[])  # Alpha accepts everyone
    assert [t.slug for t in neighbours(beta_t, near)] == ["alpha"]
    beta_t.federation_partners = ["gamma"]
    assert neighbours(beta_t, near) == []  # Beta accepts only Gamma
    beta_t.federation_partners = ["alpha"]
    beta_t.federated = False
    assert neighbours(beta_t, near) == []
    beta_t.federated = True
    set_territory(alpha, graph_name="another-graph")
    assert neighbours(beta_t, near) == []  # another road network: not comparable


def test_search_shows_neighbours_rides_labelled_and_booking_happens_there(ride, alpha, beta):
    page = beta.client("citizen").get("/", SEARCH).content.decode()
    assert "Publié sur Alpha" in page
    link = f"http://alpha.localhost/rides/{ride.pk}/?pickup_0="
    assert link in page
    # On Alpha's site, Beta's citizen signs in with the same account and joins in the flow.
    visitor = Client(HTTP_HOST=alpha.host)
    login = {"login": beta.email("citizen"), "password": PASSWORD}
    assert visitor.post("/accounts/login/", login).status_code == 302
    query = page.split(link, 1)[1].split('"', 1)[0].replace("&amp;", "&")
    ride_page = f"/rides/{ride.pk}/?pickup_0={query}"
    # Not a member yet: the ride's page as a visitor, then booking asks to join first.
    assert visitor.get(ride_page).status_code == 200
    places = {"pickup_0": "Escaldes", "pickup_1": ESCALDES.lon, "pickup_2": ESCALDES.lat}
    joining = visitor.post(f"/rides/{ride.pk}/", places)
    assert joining.status_code == 303 and joining["Location"].startswith("/join/?next=")
    back = visitor.post(joining["Location"], {"decision": "accept", "charter": "on"})
    assert back.status_code == 302 and back["Location"].startswith(f"/rides/{ride.pk}/?")
    form = visitor.get(back["Location"]).content.decode()
    assert 'value="Escaldes"' in form
    booked = visitor.post(
        f"/rides/{ride.pk}/",
        {
            "pickup_0": "Escaldes",
            "pickup_1": ESCALDES.lon,
            "pickup_2": ESCALDES.lat,
            "dropoff_0": "Andorra la Vella",
            "dropoff_1": ANDORRA_LA_VELLA.lon,
            "dropoff_2": ANDORRA_LA_VELLA.lat,
            "seats": 1,
        },  # fmt: skip
    )
    assert booked.status_code == 302
    with schema_context(alpha.territory.schema_name):
        booking = Booking.objects.get(offer=ride)
        assert booking.passenger == beta["citizen"]
        assert Membership.objects.filter(user=beta["citizen"]).exists()
    with schema_context(beta.territory.schema_name):
        assert not Booking.objects.exists()
    mine = beta.client("citizen").get("/my-trips/").content.decode()
    assert "Sur Alpha, un autre site de l" in mine
    assert f"http://alpha.localhost/rides/{ride.pk}/" in mine


def test_no_shared_search_when_either_side_opts_out(ride, alpha, beta):
    set_territory(alpha, federated=False)
    assert "Publié sur Alpha" not in beta.client("citizen").get("/", SEARCH).content.decode()
    set_territory(alpha, federated=True)
    set_territory(beta, federated=False)
    assert "Publié sur Alpha" not in beta.client("citizen").get("/", SEARCH).content.decode()


def test_local_rides_come_first_in_one_ranking_and_stay_unlabelled(ride, alpha, beta, in_alpha):
    from trips.services.rides import offer_publish

    with schema_context(beta.territory.schema_name):
        local = offer_publish(
            driver=beta["driver"],
            origin=ENCAMP,
            destination=ANDORRA_LA_VELLA,
            departure_at=tomorrow_at(8, 10),
        )
    found = (
        beta.client("citizen")
        .get(
            "/api/v1/search/",
            {
                "from_lon": ESCALDES.lon,
                "from_lat": ESCALDES.lat,
                "to_lon": ANDORRA_LA_VELLA.lon,
                "to_lat": ANDORRA_LA_VELLA.lat,
                "date": tomorrow_at(8).date().isoformat(),
                "time": "08:15",
            },  # fmt: skip
        )
        .json()
    )
    by_territory = {(m["territory"] or {}).get("slug"): m["offer"]["id"] for m in found}
    assert by_territory == {None: local.pk, "alpha": ride.pk}
    alpha_match = next(m for m in found if m["territory"])
    assert alpha_match["territory"]["ride_url"] == f"http://alpha.localhost/rides/{ride.pk}/"


def test_only_the_admin_sets_the_archipel_and_bad_partners_are_refused(alpha, beta):
    admin = alpha.client("admin")
    assert alpha.client("citizen").get("/manage/archipel/").status_code == 403
    bad = admin.post(
        "/manage/archipel/",
        {"federated": "on", "federation_reach_km": 20, "partners": "beta, nowhere"},
    )
    assert bad.status_code == 400 and "nowhere" in bad.content.decode()
    assert (
        admin.post("/manage/archipel/", {"federation_reach_km": 0, "partners": ""}).status_code
        == 400
    )
    ok = admin.post("/manage/archipel/", {"federation_reach_km": 30, "partners": "beta"})
    assert ok.status_code == 302
    saved = Territory.objects.get(pk=alpha.territory.pk)
    assert (saved.federated, saved.federation_reach_km, saved.federation_partners) == (
        False,
        30,
        ["beta"],
    )


def test_one_switch_for_the_shared_search_and_it_works_from_both_sides(ride, alpha, beta):
    """Regression: the appearance page had its own federation switch that did nothing. The one
    switch is /manage/archipel/; unticked on either side, neither sees the other's rides."""
    appearance = alpha.client("admin").get("/manage/appearance/").content.decode()
    assert "federation" not in appearance and "fédération" not in appearance.lower()
    admin = alpha.client("admin")
    assert admin.post("/manage/archipel/", {"federation_reach_km": 20}).status_code == 302
    assert "Publié sur Alpha" not in beta.client("citizen").get("/", SEARCH).content.decode()
    admin.post("/manage/archipel/", {"federated": "on", "federation_reach_km": 20})
    assert "Publié sur Alpha" in beta.client("citizen").get("/", SEARCH).content.decode()
    beta.client("admin").post("/manage/archipel/", {"federation_reach_km": 20})
    assert "Publié sur Alpha" not in beta.client("citizen").get("/", SEARCH).content.decode()
