"""Steps the browser tests share: choosing a place, publishing a ride, searching, and checking
a page (screenshots at both widths, no sideways scroll, a header of one row on a phone, axe)."""

import re

from .conftest import axe_violations, screenshots, territory_url

PHONE = {"width": 390, "height": 844}
HEADER_MAX_PX = 72

# The elements wider than the screen that make the page scroll sideways: those whose right edge
# passes the window and that no ancestor clips (a map's tiles are clipped by the map).
OVERFLOWING = """() => {
    const limit = window.innerWidth;
    if (document.documentElement.scrollWidth <= limit) return [];
    const clipped = e => {
        for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true;
        }
        return false;
    };
    const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + [...e.classList].map(c => '.' + c).join('');
    const wide = [...document.body.querySelectorAll('*')].filter(
        e => e.getBoundingClientRect().right > limit + 1 && !clipped(e));
    // The outermost ones: their children are wide because they are.
    const outer = wide.filter(e => !wide.includes(e.parentElement));
    return [`scrollWidth ${document.documentElement.scrollWidth} > ${limit}`].concat(
        outer.slice(0, 5).map(e => `${name(e)} (right `
            + `${Math.round(e.getBoundingClientRect().right)} px, `
            + `"${(e.innerText || '').trim().slice(0, 40)}")`));
}"""


def page_problems(page, width: int) -> list[str]:
    """What is wrong with the page as shown at `width` px."""
    problems = []
    wide = page.evaluate(OVERFLOWING)
    if wide:
        problems.append(f"overflows sideways: {'; '.join(wide)}")
    if width <= PHONE["width"]:
        height = page.eval_on_selector(".site-header", "e => e.getBoundingClientRect().height")
        if height > HEADER_MAX_PX:
            problems.append(f"header is {height:.0f} px tall (at most {HEADER_MAX_PX})")
    return problems


def check_page(page, name: str, *, axe: bool = True, problems: list | None = None) -> None:
    """Save var/screenshots/NAME-1280.png and -390.png, and check at each width that nothing
    scrolls sideways and (on the phone) that the header is one row; that no template syntax shows
    as text (a `{# #}` comment on two lines does); then run axe once, at the
    width the page was opened at. With `problems`, what fails is added to it (the journey goes
    on and reports every page at its end); without, it fails at once."""
    found = []

    def check(page, width):
        found.extend(f"{name} at {width} px ({page.url}): {p}" for p in page_problems(page, width))

    screenshots(page, name, check=check)
    shown = page.locator("body").inner_text()
    for leak in ("{#", "#}", "{%", "{{"):  # template syntax that reached the page as text
        if leak in shown:
            found.append(f"{name} ({page.url}): template text {leak!r} shown")
    if axe:
        for v in axe_violations(page):
            found.append(f"{name} ({page.url}): axe {v['id']} ({v['impact']}): {v['nodes']}")
    if problems is None:
        assert not found, "\n".join(found)
    else:
        problems.extend(found)


def assert_message(page, text: str) -> None:
    """An action that changes something says so in the messages region (docs/ui.md)."""
    region = page.locator(".messages")
    assert region.count(), f"no message after the action on {page.url}"
    assert text in region.inner_text(), f"{text!r} not in {region.inner_text()!r} ({page.url})"


def assert_accessible(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


def choose_place(page, field_id: str, text: str) -> None:
    """Type a place in the place search (js/places.js), choose the suggestion named `text`
    and wait until its coordinates are set."""
    page.locator(f"#{field_id}[role=combobox]").fill(text)
    options = page.locator(f"#{field_id}__listbox [role=option]:not([aria-disabled])")
    options.filter(has=page.get_by_text(text, exact=True)).first.click()
    page.wait_for_function(
        "id => document.querySelector(`.place-field:has(#${id}) .place-lon`).value", arg=field_id
    )
    assert page.locator(f"#{field_id}").input_value()


def publish(page) -> None:
    """Press « Publier » once the route preview has settled (it appears under the places and
    moves the rest of the form down)."""
    page.wait_for_function(
        "() => { const s = document.querySelector('#route-preview .route-preview-summary');"
        " return !s || s.textContent.trim() !== ''; }"
    )
    page.get_by_role("button", name="Publier").click()


def fill_trip(page, origin: str, destination: str, day: str, time: str) -> None:
    """Fill the places, day and time of the form open (publishing or searching a ride)."""
    choose_place(page, "id_origin_0", origin)
    choose_place(page, "id_destination_0", destination)
    page.fill("#id_date", day)
    page.fill("#id_time", time)


def publish_ride(page, server, slug, origin: str, destination: str, day: str, time: str) -> str:
    """Publish a one-off ride from the form; returns the ride page's URL."""
    page.goto(territory_url(server, slug, "/rides/new/"))
    fill_trip(page, origin, destination, day, time)
    publish(page)
    page.wait_for_url(re.compile(r".*/rides/\d+/$"))
    return page.url


def search(page, server, slug, origin: str, destination: str, day: str, time: str) -> None:
    """Search the territory's rides from its home page; the results are then shown."""
    page.goto(territory_url(server, slug, "/"))
    fill_trip(page, origin, destination, day, time)
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state()
