"""The maps, as a person sees them: the territory's own base map (tiles built from its OSM
extract, served by its own site) under the ride's route and the map picker; nothing asked of
another host."""

import re
from datetime import timedelta
from urllib.parse import urlencode, urlparse

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from demo.seed import DEMO_TERRITORIES, demo_email

from .conftest import axe_violations, screenshots, sign_in, territory_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# Somewhere in Encamp a little off the CG-2, and the centre of Andorra la Vella.
PICKUP = {"pickup_0": "Encamp", "pickup_1": "1.5800", "pickup_2": "42.5345"}
DROPOFF = {"dropoff_0": "Andorra la Vella", "dropoff_1": "1.5218", "dropoff_2": "42.5075"}

# The canvas of the base map: how many distinct colours its tiles have drawn.
CANVAS_COLOURS = """() => {
    const colours = new Set();
    for (const canvas of document.querySelectorAll('#MAP .leaflet-tile-container canvas')) {
        if (!canvas.width) continue;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < data.length; i += 4 * 97)
            colours.add(data[i] << 16 | data[i + 1] << 8 | data[i + 2]);
    }
    return colours.size;
}"""


def drawn_colours(page, selector: str) -> int:
    return page.evaluate(CANVAS_COLOURS.replace("#MAP", selector))


def wait_for_base_map(page, selector: str) -> None:
    page.wait_for_function(
        f"() => ({CANVAS_COLOURS.replace('#MAP', selector)})() > 8", timeout=15_000
    )


@pytest.fixture(scope="module")
def rides(demo_server, django_db_blocker):
    """A ride Encamp → Andorra la Vella tomorrow on each demo territory, by its demo driver."""
    from django.contrib.auth import get_user_model

    from matching.network import Place
    from tenants.models import Territory
    from trips.models import Offer
    from trips.services.rides import RideTerms, departure_offer, ride_fields

    made = {}
    with django_db_blocker.unblock():
        for spec in DEMO_TERRITORIES:
            territory = Territory.objects.get(slug=spec.slug)
            with schema_context(territory.schema_name):
                driver = get_user_model().objects.get(email=demo_email("citizen", spec.slug))
                fields = ride_fields(
                    driver,
                    Place(1.5776, 42.5345, "Encamp"),
                    Place(1.5218, 42.5075, "Andorra la Vella"),
                    RideTerms(),
                )
                tomorrow = timezone.now() + timedelta(days=1)
                offer = departure_offer({**fields, "driver": driver}, tomorrow)
                offer.save()
            made[spec.slug] = (territory.schema_name, offer.pk)
    yield {
        slug: territory_url(demo_server, slug, f"/rides/{pk}/") for slug, (_s, pk) in made.items()
    }
    with django_db_blocker.unblock():
        for schema, pk in made.values():
            with schema_context(schema):
                Offer.objects.filter(pk=pk).delete()


@pytest.fixture(scope="module")
def ride_url(rides):
    return rides["encamp"]


def record_hosts(page) -> set[str]:
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    return hosts


def test_the_ride_page_draws_the_route_on_the_base_map_with_its_stops(page, ride_url):
    hosts = record_hosts(page)
    page.goto(ride_url + "?" + urlencode({**PICKUP, **DROPOFF, "seats": 1}))
    wait_for_base_map(page, "#route-map")
    # Departure, pickup, drop-off and arrival: four markers told apart by shape and letter.
    pins = page.locator("#route-map .leaflet-marker-pane .map-pin")
    assert pins.count() == 4
    kinds = [re.search(r"map-pin-\w+", pins.nth(i).get_attribute("class"))[0] for i in range(4)]
    assert kinds == ["map-pin-start", "map-pin-pickup", "map-pin-dropoff", "map-pin-end"]
    assert len({pins.nth(i).inner_text() for i in range(4)}) == 4
    # The place searched is off the road: the walk to the route is drawn, and said in the list.
    steps = page.locator(".map-steps li")
    assert steps.count() == 4 and "à pied" in steps.nth(1).inner_text()
    assert "Prise en charge\xa0: Encamp" in steps.nth(1).inner_text()
    attribution = page.locator("#route-map .leaflet-control-attribution").inner_text()
    assert "OpenStreetMap" in attribution
    screenshots(page, "ride-map")
    assert axe_violations(page) == []
    assert hosts == {"encamp.localhost:" + ride_url.split(":")[2].split("/")[0]}, hosts


def test_the_map_picker_names_the_street_clicked_and_takes_the_keyboard(page, demo_server):
    sign_in(page, demo_server, "encamp", demo_email("citizen", "encamp"))
    hosts = record_hosts(page)
    page.goto(territory_url(demo_server, "encamp", "/rides/new/"))
    # A place already chosen (here: the town centre of Encamp): the map opens on it.
    page.evaluate(
        """() => { const f = document.querySelector('#id_origin_0').closest('.place-field');
                   f.querySelector('.place-lon').value = '1.5794';
                   f.querySelector('.place-lat').value = '42.5347'; }"""
    )
    page.locator("#id_origin_0 ~ .place-map-toggle").click()
    panel = "#id_origin_0-map"
    wait_for_base_map(page, f"{panel} .pick-map")
    assert drawn_colours(page, f"{panel} .pick-map") > 8
    pick_map = page.locator(f"{panel} .pick-map")
    box = pick_map.bounding_box()
    pick_map.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    use = page.locator(f"{panel} .place-map-use")
    use.wait_for(state="visible")
    label = page.locator(f"{panel} .place-map-status").inner_text()
    assert label and "Point sur la carte" not in label, label
    use.click()
    assert page.locator("#id_origin_0").input_value() == label
    assert page.locator(".place-field:has(#id_origin_0) .place-lon").input_value()
    screenshots(page, "map-picker")
    assert axe_violations(page) == []
    # Keyboard only: focus the map, move it under the cross, Enter.
    lon = page.locator(".place-field:has(#id_origin_0) .place-lon")
    clicked = lon.input_value()
    pick_map.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    page.locator(f"{panel} .place-map-use").wait_for(state="visible")
    # Tab on through the map's zoom buttons and the "centre" button to "use this place".
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('place-map-use')"):
            break
    page.keyboard.press("Enter")
    assert page.locator(f"{panel} .place-map-status").inner_text().startswith("Choisi\xa0:")
    assert float(lon.input_value()) < float(clicked)  # the map moved east: its centre is west
    assert all(host.startswith("encamp.localhost") for host in hosts), hosts


def test_the_observatory_draws_the_flows_shown_over_the_base_map(page, demo_server):
    """Encamp's data officer, six weeks of demo history: flows as lines with their figures and
    the areas named, over the base map; the figures are the table's, suppressed flows absent."""
    from datetime import date, timedelta

    sign_in(page, demo_server, "encamp", demo_email("data", "encamp"))
    hosts = record_hosts(page)
    first = (date.today() - timedelta(days=42)).isoformat()
    page.goto(
        territory_url(
            demo_server, "encamp", f"/observatory/?kind=custom&first={first}&last={date.today()}"
        )
    )
    page.wait_for_selector("#flows-map .flow-label")
    wait_for_base_map(page, "#flows-map")
    figures = sorted(page.locator("#flows-map .flow-label").all_inner_texts())
    rows = page.locator("#flows-map ~ table.board tbody tr")
    table = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    # Suppressed rows say "fewer than k"; a flow within one area or from outside the known
    # areas (named "hors du territoire") has no line to draw.
    outside = "hors du territoire"
    shown = sorted(c[2] for c in table if c[2].isdigit() and outside not in c[:2] and c[0] != c[1])
    assert figures and figures == shown, table
    names = page.locator("#flows-map .area-label").all_text_contents()
    assert "Encamp" in names
    screenshots(page, "observatory-flows")
    assert axe_violations(page) == []
    assert all(host.startswith("encamp.localhost") for host in hosts), hosts


def test_the_publish_form_previews_the_route_once_both_places_are_chosen(page, demo_server):
    from .steps import choose_place

    sign_in(page, demo_server, "encamp", demo_email("citizen", "encamp"))
    page.goto(territory_url(demo_server, "encamp", "/rides/new/"))
    assert page.locator("#route-preview").is_hidden()
    choose_place(page, "id_origin_0", "Encamp")
    assert page.locator("#route-preview").is_hidden()  # one place is not a route
    choose_place(page, "id_destination_0", "Andorra la Vella")
    summary = page.locator("#route-preview .route-preview-summary")
    summary.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('#route-preview .route-preview-summary').textContent"
    )
    assert re.fullmatch(r"Itinéraire\xa0: \d+(,\d)? km, environ \d+ min\.", summary.inner_text())
    wait_for_base_map(page, "#route-preview .route-map")
    assert page.locator("#route-preview .map-pin").count() == 2
    screenshots(page, "publish-route-preview")
    assert axe_violations(page) == []


@pytest.mark.parametrize("spec", DEMO_TERRITORIES, ids=lambda s: s.slug)
def test_every_page_with_a_map_passes_axe_with_each_demo_theme(page, demo_server, rides, spec):
    page.goto(rides[spec.slug] + "?" + urlencode({**PICKUP, **DROPOFF, "seats": 1}))
    wait_for_base_map(page, "#route-map")
    assert axe_violations(page) == [], f"{spec.slug} ride page"
    sign_in(page, demo_server, spec.slug, demo_email("admin", spec.slug))
    page.goto(territory_url(demo_server, spec.slug, "/rides/new/"))
    page.locator("#id_destination_0 ~ .place-map-toggle").click()
    page.wait_for_selector("#id_destination_0-map .leaflet-tile-container canvas")
    assert axe_violations(page) == [], f"{spec.slug} publish form, map open"
    page.goto(territory_url(demo_server, spec.slug, "/observatory/"))
    page.wait_for_selector(
        "#flows-map .leaflet-tile-container canvas, #flows-map[hidden]", state="attached"
    )
    assert axe_violations(page) == [], f"{spec.slug} observatory"
