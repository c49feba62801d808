"""The archipel's public home, as a visitor sees it: each territory in its own colours."""

import pytest

from demo.seed import DEMO_TERRITORIES

from .conftest import axe_violations, screenshots, url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_the_public_home_presents_each_territory_in_its_colours(page, demo_server):
    page.goto(url(demo_server, "localhost"))
    bands = [
        page.locator(f".territory-card-{spec.slug} .territory-card-band").evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for spec in DEMO_TERRITORIES
    ]
    assert len(set(bands)) == len(DEMO_TERRITORIES), bands  # each in its own colour
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshots(page, "public-home")
    assert axe_violations(page) == []
