"""The base map's vector tiles: built from the graph's own OSM extract (osmium-tool +
tilemaker), served by each territory's site from its graph's MBTiles file, cached by version."""

import gzip
import math

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from matching.maps import tiles_path
from tests.factories import ENCAMP


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tile_url(client: Client, z: int, x: int, y: int) -> str:
    template = client.get("/map/base.json").json()["tiles"]
    return template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))


def test_a_territory_serves_its_graph_tiles_with_names_cached_by_version(alpha):
    client = Client(HTTP_HOST=alpha.host)
    settings = client.get("/map/base.json").json()
    assert settings["attribution"] == "© OpenStreetMap contributors"
    west, south, east, north = (float(v) for v in settings["tiles_bounds"].split(","))
    assert west < ENCAMP.lon < east and south < ENCAMP.lat < north
    response = client.get(tile_url(client, 14, *tile_of(ENCAMP.lon, ENCAMP.lat, 14)))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    tile = gzip.decompress(response.content)
    # OpenMapTiles layers, and the town's name (in French where OSM has it, else its own).
    for layer in (b"transportation", b"transportation_name", b"building", b"place"):
        assert layer in tile
    assert b"Encamp" in tile


def test_an_old_version_gets_a_short_lifetime_and_outside_the_map_an_empty_tile(alpha):
    client = Client(HTTP_HOST=alpha.host)
    x, y = tile_of(ENCAMP.lon, ENCAMP.lat, 12)
    stale = client.get(f"/map/tiles/000000000000/12/{x}/{y}.pbf")
    assert stale.status_code == 200 and stale["Cache-Control"] == "public, max-age=300"
    paris = client.get(tile_url(client, 14, *tile_of(2.35, 48.85, 14)))
    assert paris.status_code == 200 and paris.content == b"" and "Content-Encoding" not in paris
    for z, x, y in ((23, 0, 0), (3, 8, 0), (3, 0, 99)):
        response = client.get(tile_url(client, z, x, y))
        assert response.status_code == 404
        assert response.json()["error"] == "Cette tuile n’existe pas."


def test_a_territory_never_serves_another_graph_tiles(alpha, beta):
    """Beta on a graph that has no base map: its maps have none, and its site never answers
    with the tiles of Alpha's graph."""
    beta.territory.graph_name = "monaco"
    beta.territory.save(update_fields=["graph_name"])
    client = Client(HTTP_HOST=beta.host)
    assert "tiles" not in client.get("/map/base.json").json()
    x, y = tile_of(ENCAMP.lon, ENCAMP.lat, 14)
    response = client.get(f"/map/tiles/whatever/14/{x}/{y}.pbf")
    assert response.status_code == 404
    assert response.json()["error"] == "Ce territoire n’a pas encore de fond de carte."
    alpha_client = Client(HTTP_HOST=alpha.host)
    assert alpha_client.get(tile_url(alpha_client, 14, x, y)).content  # Alpha's are there


def test_building_tiles_from_an_xml_extract_and_a_failed_build_keeps_the_old_ones(
    settings, tmp_path, archipel
):
    from demo.seed import ANDORRA_EXTRACT

    settings.GRAPH_DIR = tmp_path
    monaco = ANDORRA_EXTRACT.parent / "monaco.osm.gz"
    call_command("build_map_tiles", str(monaco), graph="monaco")
    built = tiles_path("monaco")
    assert built.stat().st_size > 10_000
    before = built.read_bytes()
    empty = tmp_path / "empty.osm"
    empty.write_text("<osm version='0.6'></osm>")
    with pytest.raises(CommandError, match="stay in use"):
        call_command("build_map_tiles", str(empty), graph="monaco")
    with pytest.raises(CommandError, match="file not found"):
        call_command("build_map_tiles", str(tmp_path / "missing.osm"), graph="monaco")
    with pytest.raises(CommandError, match="Invalid graph name"):
        call_command("build_map_tiles", str(monaco), graph="../etc")
    assert built.read_bytes() == before
    call_command("build_map_tiles", str(empty), graph="monaco", if_missing=True)  # no-op


def test_the_route_preview_follows_the_roads_and_refuses_clearly(alpha, beta):
    from tests.factories import ANDORRA_LA_VELLA

    beta.territory.graph_name = "monaco"  # a graph not built here
    beta.territory.save(update_fields=["graph_name"])
    client = Client(HTTP_HOST=alpha.host)
    ends = {
        "from": f"{ENCAMP.lon},{ENCAMP.lat}",
        "to": f"{ANDORRA_LA_VELLA.lon},{ANDORRA_LA_VELLA.lat}",
    }
    found = client.get("/map/route.json", ends).json()
    assert 5_000 < found["distance_m"] < 15_000 and 300 < found["duration_s"] < 1_500
    assert len(found["route"]) > 20 and found["route"][0] == found["from"]
    for bad in ({"from": "x", "to": ends["to"]}, {"from": ends["from"]}, {}):
        response = client.get("/map/route.json", bad)
        assert response.status_code == 400 and response.json()["error"], bad
    paris = client.get("/map/route.json", {**ends, "to": "2.35,48.85"})
    assert paris.status_code == 400 and paris.json()["field"] == "to"
    same = client.get("/map/route.json", {**ends, "to": ends["from"]})
    assert same.status_code == 409
    assert same.json()["error"] == "Le départ et l’arrivée sont au même endroit."
    # A territory routes on its own graph only: Beta, on a graph not built, has none.
    other = Client(HTTP_HOST=beta.host).get("/map/route.json", ends)
    assert other.status_code == 409 and "réseau routier" in other.json()["error"]


def test_a_territory_may_draw_its_maps_from_an_external_tile_service(alpha, beta):
    """The admin names an https tile service: its maps use it, its pages' policy lets the
    browser fetch from it (and only from it), the other territory keeps its own tiles."""
    from tests.forms import VALID_APPEARANCE

    admin = alpha.client("admin")
    for bad, error in (
        ("http://tiles.example.fr/{z}/{x}/{y}.pbf", "https://"),
        ("https://tiles.example.fr/tiles.pbf", "{z}, {x}, {y}"),
    ):
        response = admin.post(
            "/manage/appearance/", {**VALID_APPEARANCE, "settings-map_tiles_url": bad}
        )
        assert response.status_code == 400
        assert error in " ".join(response.context["settings_form"].errors["map_tiles_url"])
    assert "tiles.example.fr" not in admin.get("/").headers["Content-Security-Policy"]
    service = "https://tiles.example.fr/openmaptiles/{z}/{x}/{y}.pbf"
    response = admin.post(
        "/manage/appearance/",
        {
            **VALID_APPEARANCE,
            "settings-map_tiles_url": service,
            "settings-map_attribution": "© OpenMapTiles © OpenStreetMap contributors",
        },
    )
    assert response.status_code == 302
    found = alpha.client().get("/map/base.json").json()
    assert found["tiles"] == service and found["attribution"].startswith("© OpenMapTiles")
    policy = alpha.client().get("/").headers["Content-Security-Policy"]
    connect = next(d for d in policy.split(";") if d.strip().startswith("connect-src"))
    assert connect.split() == ["connect-src", "'self'", "https://tiles.example.fr"]
    assert "tiles.example.fr" not in beta.client().get("/").headers["Content-Security-Policy"]
    assert "/map/tiles/" in beta.client().get("/map/base.json").json()["tiles"]
