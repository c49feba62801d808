"""Forms in a real browser: the error summary takes the focus and its links lead to the
fields; the sign-in form keeps a readable width; the message counter counts down."""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from demo.seed import demo_email
from tenants.models import Territory
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, tomorrow_at
from trips.services.bookings import booking_request
from trips.services.rides import offer_publish

from .conftest import axe_violations, screenshots, sign_in, territory_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_publish_errors_all_at_once_in_a_focused_summary(page, demo_server):
    sign_in(page, demo_server, "encamp", demo_email("citizen", "encamp"))
    page.goto(territory_url(demo_server, "encamp", "/rides/new/"))
    assert page.locator(".error-summary").count() == 0
    page.fill("#id_date", "2020-01-01")
    page.fill("#id_seats", "99")
    page.fill("#id_cost_per_km", "5")
    page.get_by_role("button", name="Publier").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    page.wait_for_function("() => document.activeElement.classList.contains('error-summary')")
    assert "Le formulaire contient 5\xa0erreurs" in summary.inner_text()
    links = summary.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert {"#id_origin_0", "#id_destination_0", "#id_date", "#id_seats", "#id_cost_per_km"} <= set(
        hrefs
    )
    summary.locator("a[href='#id_seats']").click()
    page.wait_for_function("() => document.activeElement.id === 'id_seats'")
    # The French decimal stays as typed; the rate's help sits under its field.
    assert page.input_value("#id_cost_per_km") == "5"
    assert page.locator("#id_cost_per_km + .helptext, #id_cost_per_km ~ .helptext").count() == 1
    assert axe_violations(page) == []
    screenshots(page, "publish-errors")


def test_sign_in_form_has_a_readable_width(page, demo_server):
    page.goto(territory_url(demo_server, "encamp", "/accounts/login/"))
    width = page.eval_on_selector("main form", "f => f.getBoundingClientRect().width")
    assert width <= 36 * 16 + 1, f"the sign-in form is {width} px wide"
    assert page.get_by_role("button", name="Se connecter").is_visible()
    # The checkbox sits before its label, on the same line.
    box = page.locator("input[type=checkbox]").first.bounding_box()
    label = page.locator("label[for=id_remember]").bounding_box()
    assert box["x"] < label["x"] and abs(box["y"] - label["y"]) < label["height"]
    assert axe_violations(page) == []
    screenshots(page, "sign-in")
    page.goto(territory_url(demo_server, "encamp", "/accounts/signup/"))
    assert page.get_by_role("button", name="Créer mon compte").is_visible()
    screenshots(page, "sign-up")


@pytest.fixture(scope="module")
def booked(demo_server, django_db_blocker):
    """A pending booking on Encamp, written before the test's transaction so that the server
    sees it: the admin drives, the data officer rides."""
    people = get_user_model().objects
    with django_db_blocker.unblock():
        with schema_context(Territory.objects.get(slug="encamp").schema_name):
            ride = offer_publish(
                driver=people.get(email=demo_email("admin", "encamp")),
                origin=ENCAMP,
                destination=ANDORRA_LA_VELLA,
                departure_at=tomorrow_at(7),
            )
            return booking_request(
                offer_id=ride.pk,
                passenger=people.get(email=demo_email("data", "encamp")),
                pickup=ESCALDES,
                dropoff=ANDORRA_LA_VELLA,
                seats=1,
            )


def test_the_message_counter_counts_down_and_speaks_near_the_limit(page, demo_server, booked):
    booking = booked
    sign_in(page, demo_server, "encamp", demo_email("data", "encamp"))
    page.goto(territory_url(demo_server, "encamp", f"/bookings/{booking.pk}/conversation/"))
    counter = page.locator("#id_body_helptext")
    assert counter.inner_text() == "2\xa0000 caractères restants"
    page.fill("#message-body", "x" * 150)
    assert counter.inner_text() == "1\xa0850 caractères restants"
    assert page.inner_text("#message-count-live") == ""  # far from the limit: silent
    page.fill("#message-body", "x" * 1999)
    assert counter.inner_text() == "1 caractère restant"
    assert page.inner_text("#message-count-live") == "1 caractère restant"
    assert axe_violations(page) == []
    screenshots(page, "conversation-counter")


LAYOUT_SHIFTS = """() => new Promise((done) => {
  const shifts = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      shifts.push(entry.sources.map((s) => s.node && s.node.outerHTML.slice(0, 80)));
    }
  }).observe({ type: "layout-shift", buffered: true });
  setTimeout(() => done(shifts), 500);
})"""


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_the_publish_form_shows_one_frequency_and_nothing_moves_as_scripts_run(
    browser, demo_server, javascript
):
    """The map buttons are laid out from the first paint and the other frequency's fieldset is
    hidden by the stylesheet, so nothing jumps when the scripts run (Lighthouse's layout shift),
    and the form works the same without JavaScript."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, java_script_enabled=javascript
    )
    page = context.new_page()
    sign_in(page, demo_server, "encamp", demo_email("citizen", "encamp"))
    page.goto(territory_url(demo_server, "encamp", "/rides/new/"))
    weekly = page.get_by_role("group", name="Chaque semaine")
    once = page.get_by_role("group", name="Trajet ponctuel")
    assert once.is_visible() and weekly.is_hidden()
    if javascript:
        assert page.evaluate(LAYOUT_SHIFTS) == []
        assert page.locator("#id_origin_0 ~ .place-map-toggle").is_visible()
    else:
        assert page.locator(".place-map-toggle").first.is_hidden()
    page.get_by_label("Chaque semaine", exact=True).check()
    assert weekly.is_visible() and once.is_hidden()
    context.close()
