"""The design system in a real browser, for two demo themes at 1280 and 390 px: the component
page, the 404 and a section's sub-navigation wear the territory's colours and never make the
page scroll sideways; the HTML part of an account mail, drawn as a mail client would."""

import email
from email import policy

import pytest

from demo.seed import DEMO_TERRITORIES, demo_email

from .conftest import axe_violations, screenshots, sign_in, territory_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

THEMES = DEMO_TERRITORIES[:2]  # Andorra la Vella (blue, solidarity on), Escaldes (claret)


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def no_sideways_scroll(page) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), (
            f"horizontal overflow at {width} px on {page.url}"
        )


def header_colour(page) -> str:
    return page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")


@pytest.mark.parametrize("spec", THEMES, ids=lambda s: s.slug)
def test_component_page_and_404_in_the_theme_without_sideways_scroll(page, demo_server, spec):
    page.goto(territory_url(demo_server, spec.slug, "/ui/"))
    assert header_colour(page) == rgb(spec.theme["primary_colour"])
    primary_button = page.locator("main .buttons button").first
    assert primary_button.evaluate("e => getComputedStyle(e).backgroundColor") == rgb(
        spec.theme["primary_colour"]
    )
    no_sideways_scroll(page)
    assert axe_violations(page) == []
    screenshots(page, f"ui-{spec.slug}")

    response = page.goto(territory_url(demo_server, spec.slug, "/no-such-page/"))
    assert response.status == 404
    assert header_colour(page) == rgb(spec.theme["primary_colour"])
    assert spec.theme["display_name"] in page.locator(".brand-name").inner_text()
    no_sideways_scroll(page)
    screenshots(page, f"404-{spec.slug}")


def test_a_403_keeps_the_theme_under_the_real_server(page, demo_server):
    spec = THEMES[1]
    sign_in(page, demo_server, spec.slug, demo_email("citizen", spec.slug))
    response = page.goto(territory_url(demo_server, spec.slug, "/manage/"))
    assert response.status == 403
    assert header_colour(page) == rgb(spec.theme["primary_colour"])
    assert page.locator("h1").inner_text() == "Accès refusé"
    assert page.get_by_role("link", name="Trouver un trajet").count() >= 1


def test_the_solidarity_sub_navigation_stands_apart(page, demo_server):
    spec = THEMES[0]
    sign_in(page, demo_server, spec.slug, demo_email("operator", spec.slug))
    page.goto(territory_url(demo_server, spec.slug, "/solidarity/"))
    header = page.eval_on_selector(".site-header", "e => e.getBoundingClientRect().bottom")
    subnav = page.eval_on_selector(".subnav", "e => e.getBoundingClientRect().top")
    assert subnav - header >= 16, "the sub-navigation is jammed against the header"
    assert page.locator(".subnav [aria-current=page]").inner_text() == "Tableau de répartition"
    no_sideways_scroll(page)
    screenshots(page, "solidarity-board")


def test_an_account_mail_in_the_territorys_look(page, demo_server):
    spec = THEMES[1]
    page.goto(territory_url(demo_server, spec.slug, "/accounts/password/reset/"))
    page.fill("input[name=email]", demo_email("citizen", spec.slug))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    files = sorted(demo_server["mail_dir"].glob("*.log"), key=lambda p: p.stat().st_mtime)
    raw = files[-1].read_bytes()  # one file per message (core.mailspool)
    message = email.message_from_bytes(raw, policy=policy.default)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert spec.theme["display_name"] in html and "réinitialiser" in html
    page.goto("about:blank")  # out of the site's Content-Security-Policy, as in a mail client
    page.set_content(html)
    band = page.get_by_text(spec.theme["display_name"], exact=True).first  # the header band
    assert band.evaluate("e => getComputedStyle(e).backgroundColor") == rgb(
        spec.theme["primary_colour"]
    )
    no_sideways_scroll(page)
    screenshots(page, f"mail-{spec.slug}")
