"""The compact header in a real browser: one row on a phone (at most 72 px, nothing wider than
the screen), the bell's count (hidden at 0), the menu opened with the keyboard, the language
list, and axe with the menu open on each demo theme."""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from demo.seed import DEMO_TERRITORIES, demo_email
from notifications.models import Kind, Notification
from tenants.models import Territory

from .conftest import axe_violations, screenshots, sign_in, territory_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}


def header_fits(page) -> None:
    height = page.eval_on_selector(".site-header", "e => e.getBoundingClientRect().height")
    assert height <= 72, f"header is {height} px tall on {page.url}"
    overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], f"horizontal overflow {overflow} on {page.url}"


def open_menu_with_keyboard(page) -> None:
    summary = page.locator("#site-menu > summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.eval_on_selector("#site-menu", "e => e.open")
    page.locator(".menu-panel").wait_for(state="visible")
    page.wait_for_selector("#site-menu > summary[aria-expanded=true]")


@pytest.mark.parametrize("spec", DEMO_TERRITORIES, ids=lambda s: s.slug)
def test_header_on_a_phone_and_axe_with_the_menu_open(browser, demo_server, spec):
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    page = context.new_page()
    page.goto(territory_url(demo_server, spec.slug))
    header_fits(page)
    # The initials logo is decorative: the territory's name is written beside it.
    assert page.get_by_role("link", name=spec.theme["display_name"]).is_visible()
    open_menu_with_keyboard(page)
    assert page.locator(".menu-panel").get_by_role("link", name="Se connecter").is_visible()
    assert page.locator(".menu-panel").get_by_role("link", name="Créer un compte").is_visible()
    assert axe_violations(page) == [], f"{spec.slug} anonymous, menu open"

    sign_in(page, demo_server, spec.slug, demo_email("admin", spec.slug))
    page.goto(territory_url(demo_server, spec.slug, "/my-trips/"))
    header_fits(page)
    # On a phone the main actions are in the menu, not in the row.
    assert (
        not page.locator(".header-actions")
        .get_by_role("link", name="Proposer un trajet")
        .is_visible()
    )
    open_menu_with_keyboard(page)
    panel = page.locator(".menu-panel")
    for name in (
        "Trouver un trajet",
        "Proposer un trajet",
        "Mes alertes",
        "Administration",
        "Mon compte",
    ):
        assert panel.get_by_role("link", name=name).is_visible(), name
    assert panel.get_by_role("button", name="Se déconnecter").is_visible()
    assert axe_violations(page) == [], f"{spec.slug} signed in, menu open"
    # Escape closes the menu and gives the focus back to its button.
    page.keyboard.press("Escape")
    assert not page.eval_on_selector("#site-menu", "e => e.open")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.wait_for_selector("#site-menu > summary[aria-expanded=false]")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert (
        page.locator(".header-actions").get_by_role("link", name="Proposer un trajet").is_visible()
    )
    page.locator("#site-menu > summary").click()
    assert axe_violations(page) == [], f"{spec.slug} signed in at 1280 px, menu open"
    screenshots(page, f"header-{spec.slug}-menu-open")
    context.close()


@pytest.fixture(scope="module")
def three_unread(demo_server, django_db_blocker):
    """Three unread notifications for Andorra la Vella's citizen, written before the test's
    transaction so that the server sees them."""
    slug = DEMO_TERRITORIES[0].slug
    email = demo_email("citizen", slug)
    with django_db_blocker.unblock():
        schema = Territory.objects.get(slug=slug).schema_name
        user = get_user_model().objects.get(email=email)
        with schema_context(schema):
            Notification.objects.filter(user=user, read_at__isnull=True).delete()
            Notification.objects.bulk_create(
                Notification(
                    user=user, kind=Kind.BOOKING_ACCEPTED, template="My booking is accepted"
                )
                for _ in range(3)
            )
    return slug, email


def test_the_bell_shows_the_count_and_hides_at_zero(browser, demo_server, three_unread):
    slug, email = three_unread
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    page = context.new_page()
    sign_in(page, demo_server, slug, email)
    page.goto(territory_url(demo_server, slug, "/my-trips/"))
    header_fits(page)
    bell = page.get_by_role("link", name="Notifications 3 non lues")
    assert bell.is_visible()
    assert page.locator("#notification-badge").text_content().split()[0] == "3"
    # The count is readable on the header: the theme's own pair, inverted.
    colours = page.eval_on_selector(
        "#notification-badge",
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor,"
        " getComputedStyle(document.querySelector('.site-header')).backgroundColor]",
    )
    assert colours[0] == colours[2] and colours[1] != colours[2], colours
    assert page.locator("#menu-unread").is_hidden()  # no unread message: no dot on the menu
    screenshots(page, "header-bell")
    bell.click()
    page.wait_for_url("**/notifications/")
    page.goto(territory_url(demo_server, slug, "/my-trips/"))
    assert page.locator("#notification-badge").is_hidden()
    assert page.get_by_role("link", name="Notifications", exact=True).first.is_visible()
    context.close()


def test_the_language_list_switches_the_language(page, demo_server):
    slug = DEMO_TERRITORIES[0].slug
    page.set_viewport_size(PHONE)
    page.goto(territory_url(demo_server, slug))
    assert page.evaluate("document.documentElement.lang") == "fr"
    open_menu_with_keyboard(page)
    assert page.locator(".lang-list button[lang=en]").inner_text() == "English"
    assert "Français" in page.locator(".lang-list button[lang=fr]").inner_text()
    assert page.locator(".lang-list button[lang=fr]").get_attribute("aria-current") == "true"
    english = page.get_by_role("button", name="English")
    english.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#site-menu > summary").inner_text().startswith("Menu")
    page.locator("#site-menu > summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Français").click()
    assert page.evaluate("document.documentElement.lang") == "fr"


def test_the_menu_works_without_javascript(browser, demo_server):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    slug = DEMO_TERRITORIES[0].slug
    page.goto(territory_url(demo_server, slug))
    page.locator("#site-menu > summary").click()
    page.get_by_role("link", name="Se connecter").click()
    page.wait_for_url("**/accounts/login/")
    context.close()
