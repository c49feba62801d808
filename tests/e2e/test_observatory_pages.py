"""The observatory dashboard as an elected official sees it: no sideways scroll at 1280 and
390 px, a complete period with data by default (named), readable charts, axe clean."""

import re

import pytest

from demo.seed import DEMO_TERRITORIES, demo_email

from .conftest import axe_violations, screenshots, sign_in, territory_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("spec", DEMO_TERRITORIES, ids=lambda s: s.slug)
def test_the_dashboard_fits_opens_on_a_complete_period_and_marks_its_charts(
    page, demo_server, spec
):
    sign_in(page, demo_server, spec.slug, demo_email("data", spec.slug))
    page.goto(territory_url(demo_server, spec.slug, "/observatory/"))
    shown = page.locator(".period-shown").inner_text()
    # The demo has six weeks of history: the last complete month has journeys.
    assert re.search(rf"Période affichée\s: ({MONTHS.replace(' ', '|')}) \d{{4}}", shown)
    assert "le dernier mois complet" in shown
    journeys = (
        page.locator("table.indicators tr", has_text="Trajets réalisés")
        .first.inner_text()
        .split("\t")[1]
    )
    assert re.search(r"\d", journeys) and journeys.strip() != "0"
    timeline, hours = page.locator("svg.chart").all()
    for chart in (timeline, hours):
        assert chart.get_attribute("role") == "img"
        assert chart.locator("desc").text_content().startswith("Total des barres affichées")
        titles = chart.locator("text.axis-title").all_text_contents()
        assert "Trajets réalisés" in titles and len(titles) == 2
    assert "Jour" in timeline.locator("text.axis-title").all_text_contents()
    ticks = timeline.locator("text.tick").all_text_contents()
    assert any(re.fullmatch(r"\d{1,2} \w+\.?", t) for t in ticks)  # « 3 nov. »
    assert not any(re.search(r"\d{4}-\d\d", t) for t in ticks)
    # Tick labels under the axis never overlap.
    boxes = timeline.locator("text.tick").evaluate_all(
        "els => els.filter(e => +e.getAttribute('y') > 220)"
        ".map(e => { const b = e.getBBox(); return [b.x, b.x + b.width]; })"
    )
    assert all(a[1] < b[0] for a, b in zip(boxes, boxes[1:], strict=False))
    # Suppressed bars are hatched and named in a legend.
    suppressed = page.locator("svg.chart rect[data-suppressed], svg.chart rect[data-partial]")
    if suppressed.count():
        assert page.locator(".chart-legend").first.is_visible()
        assert suppressed.first.get_attribute("fill").startswith("url(#")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(200)
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => !e.closest('.chart-scroll svg, .leaflet-container')"
            " && e.getBoundingClientRect().right"
            " > window.innerWidth + 1).slice(0, 30).map(e => e.tagName + '.' + e.className + '#'"
            " + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"
        )
        assert overflow(page) <= 0, f"{spec.slug} at {width} px: {wide}"
    page.set_viewport_size({"width": 1280, "height": 900})
    violations = axe_violations(page)
    assert violations == [], f"{spec.slug}: {violations}"
    screenshots(page, f"observatory-{spec.slug}")


def test_an_explicit_period_is_kept_and_not_called_the_default(page, demo_server):
    spec = DEMO_TERRITORIES[0]
    sign_in(page, demo_server, spec.slug, demo_email("data", spec.slug))
    page.goto(territory_url(demo_server, spec.slug, "/observatory/?kind=year&day=2026-06-01"))
    assert page.locator(".period-shown").count() == 0
    assert "1 janvier 2026" in page.locator("main").inner_text()
    assert page.locator("svg.chart").first.locator("rect.bar").count() >= 52  # weeks
    assert overflow(page) <= 0


def test_a_map_answer_that_is_not_its_figures_hides_the_map_without_an_error(page, demo_server):
    """Under Lighthouse the map's request once got an HTML page, and the page threw « not valid
    JSON » in its console: the map now hides (its table below has the same figures)."""
    spec = DEMO_TERRITORIES[0]
    sign_in(page, demo_server, spec.slug, demo_email("data", spec.slug))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(
        "**/observatory/map.json*",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<!DOCTYPE html>"),
    )
    page.goto(territory_url(demo_server, spec.slug, "/observatory/"))
    page.locator("#flows-map").wait_for(state="hidden")
    assert errors == []
    assert page.locator("table", has_text="Origine").first.is_visible()
