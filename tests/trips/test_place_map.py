"""Picking a place on the map: the label of a clicked point (no external geocoder). The base
map under it: tests/matching/test_base_map.py."""

from django.test import Client

from tests.factories import ENCAMP


def test_a_clicked_point_is_named_after_the_nearest_street_and_its_parish(alpha):
    client = Client(HTTP_HOST=alpha.host)
    found = client.get("/places/at/", {"lon": ENCAMP.lon, "lat": ENCAMP.lat}).json()
    assert found["label"].endswith("(Encamp)") and found["kind"] == "map"
    assert (found["lon"], found["lat"]) == (ENCAMP.lon, ENCAMP.lat)


def test_a_point_off_the_network_or_malformed_is_a_json_error(alpha):
    client = Client(HTTP_HOST=alpha.host)
    paris = client.get("/places/at/", {"lon": 2.35, "lat": 48.85})
    assert paris.status_code == 400
    assert paris.json()["error"] == "Ce lieu est hors du réseau routier du territoire."
    for bad in ({"lon": "x", "lat": "42.5"}, {"lon": "1.5"}, {"lon": "nan", "lat": "42.5"}, {}):
        response = client.get("/places/at/", bad)
        assert response.status_code == 400 and response.json()["error"], bad


def test_choosing_a_commune_always_gives_a_place_on_the_roads(alpha):
    """A parish's interior point can be on a mountain: its suggestion sits on the network."""
    from matching.graphs import load_graph

    graph = load_graph("andorra")
    client = Client(HTTP_HOST=alpha.host)
    names = ["Escaldes-Engordany", "Encamp", "Ordino", "La Massana", "Sant Julià de Lòria"]
    areas = [
        p for name in names for p in client.get("/places/", {"q": name}).json()
        if p["kind"] == "area"
    ]  # fmt: skip
    assert areas  # the others are found as towns first
    for area in areas:
        _node, distance = graph.snap(area["lon"], area["lat"])
        assert distance[0] < 1.0, area
