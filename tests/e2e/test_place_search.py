"""The place search of every place field (js/places.js: GOV.UK's accessible-autocomplete over
/places/?q=), in a real browser: keyboard only, what screen readers hear (the live region), no
result, a failing search, the map picker's place:pick, errors after a failed submit, axe with the
menu open on each demo theme, and how it looks at 1280 and 390 px (var/screenshots/)."""

import re
from urllib.parse import urlencode

import pytest
from django.conf import settings

from demo.seed import DEMO_TERRITORIES
from tests.forms import SEARCH

from .conftest import territory_url
from .steps import assert_accessible, choose_place
from .test_content_security_policy import RECORD_VIOLATIONS, assert_no_violation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
SLUG = "encamp"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
STATUS = "#{id}__status--A, #{id}__status--B"  # the library's two live regions, used in turn


def status_text(page, field_id: str) -> str:
    return " ".join(page.locator(STATUS.format(id=field_id)).all_inner_texts()).strip()


def wait_for_status(page, field_id: str, pattern: str) -> str:
    """The live regions are updated 1.4 s after the last change (the library's debounce)."""
    page.wait_for_function(
        """([id, pattern]) => new RegExp(pattern).test(
            [...document.querySelectorAll(`#${id}__status--A, #${id}__status--B`)]
                .map(e => e.textContent).join(' '))""",
        arg=[field_id, pattern],
    )
    return status_text(page, field_id)


def coordinates(page, field_id: str) -> tuple[str, str]:
    return tuple(
        page.eval_on_selector(f".place-field:has(#{field_id}) {cls}", "e => e.value")
        for cls in (".place-lon", ".place-lat")
    )


def places(page, query: str) -> list[dict]:
    """What /places/ answers, asked from the page (the browser resolves *.localhost)."""
    return page.evaluate(
        "q => fetch('/places/?q=' + encodeURIComponent(q)).then(r => r.json())", query
    )


def combobox(page, field_id: str):
    box = page.locator(f"#{field_id}[role=combobox]")
    box.wait_for()
    return box


def test_keyboard_only_the_results_are_announced_and_enter_chooses(page, demo_server):
    page.goto(territory_url(demo_server, SLUG, "/"))
    box = combobox(page, "id_origin_0")
    assert page.locator("label[for=id_origin_0]").count() == 1
    assert box.get_attribute("name") == "origin_0" and box.get_attribute("required") is not None
    for _ in range(40):  # Tab from the top of the page to the field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_origin_0":
            break
    else:
        pytest.fail("the place field is not reachable with Tab")
    page.keyboard.type("Enca", delay=30)
    expected = places(page, "Enca")
    assert expected, "the demo has places named Enca…"
    options = page.locator("#id_origin_0__listbox [role=option]")
    options.first.wait_for()
    assert options.count() == len(expected)
    assert box.get_attribute("aria-expanded") == "true"
    count = len(expected)
    heard = wait_for_status(page, "id_origin_0", rf"\b{count} suggestions? disponibles?")
    assert "available" not in heard

    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "id_origin_0__option--0"
    assert "en surbrillance" in wait_for_status(page, "id_origin_0", "surbrillance")
    page.keyboard.press("Enter")
    assert box.input_value() == expected[0]["label"]
    assert page.evaluate("document.activeElement.id") == "id_origin_0"
    lon, lat = coordinates(page, "id_origin_0")
    assert (float(lon), float(lat)) == (expected[0]["lon"], expected[0]["lat"])
    assert box.get_attribute("aria-expanded") == "false"

    page.keyboard.type("x")  # typing again: no place until a new choice
    assert coordinates(page, "id_origin_0") == ("", "")


def test_nonsense_says_no_result_and_points_to_the_map(page, demo_server):
    page.goto(territory_url(demo_server, SLUG, "/"))
    combobox(page, "id_origin_0").fill("Qzxwvk")
    empty = page.locator("#id_origin_0__listbox .autocomplete__option--no-results")
    empty.wait_for()
    assert empty.inner_text().splitlines() == [
        "Aucun résultat",
        "Essayez un autre nom ou choisissez le point sur la carte.",
    ]
    assert "Aucun résultat" in wait_for_status(page, "id_origin_0", "Aucun")
    assert coordinates(page, "id_origin_0") == ("", "")


def test_one_character_asks_for_more_and_sends_no_request(page, demo_server):
    asked = []
    page.on("request", lambda r: "/places/?" in r.url and asked.append(r.url))
    page.goto(territory_url(demo_server, SLUG, "/"))
    combobox(page, "id_origin_0").press_sequentially("E")
    heard = wait_for_status(page, "id_origin_0", "au moins")
    assert "Saisissez au moins 2 caractères" in heard
    assert asked == []
    # Typed quickly, one request for the whole word (150 ms after the last key), not one a key.
    page.locator("#id_origin_0").press_sequentially("ncamp", delay=20)
    page.locator("#id_origin_0__listbox [role=option]").first.wait_for()
    page.wait_for_timeout(300)
    assert 1 <= len(asked) <= 2, asked
    assert asked[-1].endswith("q=Encamp")


def test_a_failing_search_shows_nothing_and_typing_goes_on(page, demo_server):
    page.goto(territory_url(demo_server, SLUG, "/"))
    box = combobox(page, "id_origin_0")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/places/?q=*", lambda route: route.fulfill(status=500, body="oops"))
    box.press_sequentially("Enca", delay=30)
    page.wait_for_timeout(1600)  # past the live regions' debounce: "no result" is not said
    assert page.locator("#id_origin_0__listbox").is_hidden()
    assert status_text(page, "id_origin_0") == ""
    page.unroute("**/places/?q=*")
    box.press_sequentially("m", delay=30)
    page.locator("#id_origin_0__listbox [role=option]").first.wait_for()
    assert box.input_value() == "Encam" and errors == []


def test_a_place_picked_on_the_map_fills_the_field(page, demo_server):
    page.goto(territory_url(demo_server, SLUG, "/"))
    combobox(page, "id_destination_0")
    # The map opens on the place already located (here set directly: Encamp's centre).
    page.evaluate(
        """() => { const f = document.querySelector('.place-field:has(#id_destination_0)');
                   f.querySelector('.place-lon').value = '1.5794';
                   f.querySelector('.place-lat').value = '42.5347'; }"""
    )
    page.locator("#id_destination_0 ~ .place-map-toggle").click()
    pick_map = page.locator("#id_destination_0-map .pick-map")
    page.wait_for_selector("#id_destination_0-map .leaflet-tile-container canvas")
    box = pick_map.bounding_box()
    pick_map.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.locator("#id_destination_0-map .place-map-use").wait_for(state="visible")
    label = page.locator("#id_destination_0-map .place-map-status").inner_text()
    page.locator("#id_destination_0-map .place-map-use").click()  # the name seen, then used
    page.wait_for_function(
        "() => document.querySelector('.place-field:has(#id_destination_0) .place-lon').value"
    )
    field = combobox(page, "id_destination_0")
    assert label and field.input_value() == label
    assert field.get_attribute("name") == "destination_0"
    assert page.locator("#id_destination_0").count() == 1
    lon, lat = coordinates(page, "id_destination_0")
    assert -180 <= float(lon) <= 180 and -90 <= float(lat) <= 90
    # Still the place search afterwards: the map toggle follows it, no menu on coming back to
    # the located text, typing clears the place.
    assert page.locator("#id_destination_0 ~ .place-map-toggle").count() == 1
    field.focus()
    page.wait_for_timeout(500)
    assert page.locator("#id_destination_0__listbox").is_hidden()
    field.press("End")
    field.press_sequentially("z")
    assert coordinates(page, "id_destination_0") == ("", "")


def test_after_a_failed_submit_the_values_and_errors_are_kept(page, demo_server):
    query = {**SEARCH, "origin_0": "Qzxwvk", "origin_1": "", "origin_2": ""}
    page.goto(territory_url(demo_server, SLUG, "/?" + urlencode(query)))
    origin = combobox(page, "id_origin_0")
    assert origin.input_value() == "Qzxwvk"
    assert origin.get_attribute("aria-invalid") == "true"
    described = origin.get_attribute("aria-describedby").split()
    assert described[0] == "id_origin_error"
    assert "Choisissez un lieu" in page.locator("#id_origin_error").inner_text()
    destination = combobox(page, "id_destination_0")
    assert destination.input_value() == SEARCH["destination_0"]
    assert coordinates(page, "id_destination_0") == (
        str(SEARCH["destination_1"]),
        str(SEARCH["destination_2"]),
    )
    # Focused, a located place shows no menu; a text that names no place is searched at once.
    destination.focus()
    page.wait_for_timeout(500)
    assert page.locator("#id_destination_0__listbox").is_hidden()
    origin.focus()
    page.locator("#id_origin_0__listbox .autocomplete__option--no-results").wait_for()
    origin.press("End")
    origin.press_sequentially("x")  # the library rewrites aria-describedby: errors stay first
    assert origin.get_attribute("aria-describedby").split()[0] == "id_origin_error"


def test_without_javascript_the_plain_input_is_submitted(browser, demo_server):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.goto(territory_url(demo_server, SLUG, "/"))
    origin = page.get_by_label("Départ")
    assert origin.get_attribute("id") == "id_origin_0" and origin.get_attribute("role") is None
    assert origin.get_attribute("required") is not None
    assert page.locator(".place-map-toggle").first.is_hidden()  # the map needs JavaScript
    origin.fill("Qzxwvk")
    page.get_by_label("Arrivée").fill("Andorra la Vella")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r".*origin_0=Qzxwvk.*destination_0=Andorra"))
    assert page.locator("#id_origin_0").input_value() == "Qzxwvk"  # sent as typed, kept
    assert page.locator("#id_origin_0").get_attribute("aria-invalid") == "true"
    context.close()


def test_english_pages_speak_english(browser, demo_server):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(territory_url(demo_server, SLUG, "/"))
    page.locator("#site-menu > summary").click()
    with page.expect_navigation():
        page.locator(".lang-list button[lang=en]").click()
    assert page.evaluate("document.documentElement.lang") == "en"
    combobox(page, "id_origin_0").fill("Qzxwvk")
    empty = page.locator(".autocomplete__option--no-results")
    empty.wait_for()
    assert empty.inner_text().startswith("No results\nTry another name")
    page.locator("#id_origin_0").fill("Enca")
    heard = wait_for_status(page, "id_origin_0", "available")
    assert re.search(r"\d+ suggestions? (is|are) available", heard), heard
    context.close()


# The contract of /places/?q= (name, translated kind and commune beside the label), answered by
# the browser itself here: what the suggestions show of it, and that a name is text, not HTML.
CONTRACT = [
    {"label": "Grau Roig (Encamp)", "name": "Grau Roig", "kind": "ski", "kind_label":
     "Station de ski", "commune": "Encamp", "lon": 1.7226, "lat": 42.5326},
    {"label": "Carrer Major (Encamp)", "name": "Carrer Major", "kind": "street", "kind_label":
     "Rue", "commune": "Encamp", "lon": 1.5803, "lat": 42.5362},
    {"label": "Encamp", "name": "Encamp", "kind": "village", "kind_label": "Village",
     "commune": "Encamp", "lon": 1.5834, "lat": 42.5345},
    {"label": "Aire <b>du Pas</b>", "name": "<img src=x>Aire du Pas", "kind": "carpool",
     "kind_label": "Aire de covoiturage", "commune": "", "lon": 1.73, "lat": 42.54},
]  # fmt: skip


def answer_with_the_contract(page) -> None:
    page.route(
        "**/places/?q=*",
        lambda route: route.fulfill(json=CONTRACT, headers={"Content-Type": "application/json"}),
    )


def test_suggestions_show_the_kind_and_the_commune(page, demo_server):
    page.goto(territory_url(demo_server, SLUG, "/"))
    answer_with_the_contract(page)
    combobox(page, "id_origin_0").fill("Gr")
    options = page.locator("#id_origin_0__listbox [role=option]")
    options.first.wait_for()
    seen = options.evaluate_all(
        """options => options.map(option => {
            const shown = option.cloneNode(true);
            shown.querySelectorAll('.visually-hidden').forEach(e => e.remove());
            return [...shown.children].map(e => e.textContent);
        })"""
    )
    assert seen == [
        ["Grau Roig", "Station de ski\u00a0· Encamp"],
        ["Carrer Major", "Rue\u00a0· Encamp"],
        ["Encamp", "Village"],  # the commune is not repeated
        ["<img src=x>Aire du Pas", "Aire de covoiturage"],
    ]
    assert page.locator("#id_origin_0__listbox img, #id_origin_0__listbox b").count() == 0
    heard = re.compile(r"^Grau Roig\s*,\s*Station de ski\s*,\s*Encamp$")
    assert page.get_by_role("option", name=heard).count() == 1  # the dot is not read out
    options.nth(3).click()
    assert page.locator("#id_origin_0").input_value() == "Aire <b>du Pas</b>"
    assert coordinates(page, "id_origin_0") == ("1.73", "42.54")


def watched_page(browser, **options):
    """A page whose CSP violations are recorded (as in test_content_security_policy.py)."""
    context = browser.new_context(locale="fr-FR", **options)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_console = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page.csp_console.append(m.text),
    )
    return page


def test_the_menu_runs_within_the_content_security_policy(browser, demo_server):
    page = watched_page(browser)
    page.goto(territory_url(demo_server, SLUG, "/"))
    choose_place(page, "id_origin_0", "Encamp")
    page.locator("#id_destination_0").fill("Qzxwvk")
    page.locator(".autocomplete__option--no-results").wait_for()
    page.locator("#id_destination_0").fill("Es")
    page.locator("#id_destination_0__listbox [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    wait_for_status(page, "id_destination_0", "surbrillance")
    assert_no_violation(page, "place search")
    page.context.close()


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_on_an_iphone_the_position_suffix_stays_hidden(browser, demo_server):
    """On iOS the library adds " 1 of 8" to each option in a span styled inline, which the CSP
    refuses (reported, nothing else): archipel.css hides the span instead."""
    page = watched_page(browser, user_agent=IPHONE, viewport={"width": 390, "height": 844})
    page.goto(territory_url(demo_server, SLUG, "/"))
    combobox(page, "id_origin_0").fill("Es")
    options = page.locator("#id_origin_0__listbox [role=option]")
    options.first.wait_for()
    suffix = options.first.locator("[id^=id_origin_0__option-suffix--]")
    assert suffix.text_content().strip() == f"1 of {options.count()}"
    box = suffix.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1
    refused = page.evaluate("window.__violations")
    assert refused and all(v.startswith("style-src") for v in refused), refused
    page.context.close()


@pytest.mark.parametrize("spec", DEMO_TERRITORIES, ids=lambda s: s.slug)
def test_axe_with_the_menu_open_on_each_demo_theme(page, demo_server, spec):
    page.goto(territory_url(demo_server, spec.slug, "/"))
    combobox(page, "id_origin_0").press_sequentially("Es", delay=30)
    options = page.locator("#id_origin_0__listbox [role=option]")
    options.first.wait_for()
    assert_accessible(page, f"{spec.slug} place menu open")
    page.keyboard.press("ArrowDown")  # the highlighted option's colours
    assert_accessible(page, f"{spec.slug} place menu with an option highlighted")
    page.locator("#id_origin_0").fill("Qzxwvk")
    page.locator(".autocomplete__option--no-results").wait_for()
    assert_accessible(page, f"{spec.slug} place menu without result")


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_screenshots(browser, demo_server, width, height):
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(territory_url(demo_server, SLUG, "/"))
    combobox(page, "id_origin_0").press_sequentially("Es", delay=30)
    page.locator("#id_origin_0__listbox [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    menu = page.locator("#id_origin_0__listbox").bounding_box()
    assert menu["x"] >= 0 and menu["x"] + menu["width"] <= width  # the menu fits the screen
    for option in page.locator("#id_origin_0__listbox [role=option]").all():
        assert option.bounding_box()["height"] >= 44  # touch targets
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"place-search-{width}.png")
    choose_place(page, "id_destination_0", "Andorra la Vella")
    page.locator("#id_destination_0").fill("Qzxwvk")
    page.locator(".autocomplete__option--no-results").wait_for()
    page.screenshot(path=SCREENSHOTS / f"place-search-none-{width}.png")
    answer_with_the_contract(page)
    page.locator("#id_destination_0").fill("Gr")
    page.locator("#id_destination_0__listbox [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.screenshot(path=SCREENSHOTS / f"place-search-details-{width}.png")
    context.close()


@pytest.mark.parametrize(
    ("typed", "expected", "within"),
    [
        ("grau r", "Grau Roig", 1),  # the ski resort village, first
        ("vallnord", "Vallnord: Sector Pal", 3),  # a ski area node
        ("pas de la casa", "TSD4 Pas de la Casa", 1),  # the only place of that name
        ("hopital", "Hôpital", 4),  # unnamed in the extract: by kind, with the commune
        ("11 avinguda merit", "11 Avinguda Meritxell", 1),  # an address of the extract
    ],
)
def test_the_places_people_type_are_suggested_first(page, demo_server, typed, expected, within):
    page.goto(territory_url(demo_server, SLUG, "/"))
    box = combobox(page, "id_destination_0")
    box.click()
    box.press_sequentially(typed, delay=30)
    options = page.locator("#id_destination_0__listbox [role=option]")
    options.first.wait_for()
    names = [n.strip() for n in options.locator(".place-option-name").all_inner_texts()]
    assert expected in names[:within], names
    if typed == "hopital":
        details = options.first.locator(".place-option-detail").inner_text()
        assert "Hôpital" in details  # its kind, and its commune beside it


def test_a_point_picked_beside_a_long_road_gets_the_road_and_its_commune(page, demo_server):
    """Far from the middle of the road to Port d'Envalira, right beside it."""
    page.goto(territory_url(demo_server, SLUG, "/"))
    combobox(page, "id_destination_0")
    page.evaluate(
        """() => { const f = document.querySelector('.place-field:has(#id_destination_0)');
                   f.querySelector('.place-lon').value = '1.69795';
                   f.querySelector('.place-lat').value = '42.55015'; }"""
    )
    page.locator("#id_destination_0 ~ .place-map-toggle").click()
    page.wait_for_selector("#id_destination_0-map .leaflet-tile-container canvas")
    page.locator("#id_destination_0-map .place-map-centre").click()
    use = page.locator("#id_destination_0-map .place-map-use")
    use.wait_for(state="visible")
    status = page.locator("#id_destination_0-map .place-map-status").inner_text()
    assert status == "Port d'Envalira (Encamp)"
    use.click()
    assert combobox(page, "id_destination_0").input_value() == "Port d'Envalira (Encamp)"
