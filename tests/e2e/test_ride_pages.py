"""Deciding on a ride in a browser (issue 17, 1–2): the result card and the ride page as a
passenger sees them (screenshots at both widths, axe), and the ride page opened from a direct
link, its booking form filled with the ride's ends, booking with one click."""

import re
from datetime import date, timedelta

import pytest

from demo.seed import demo_email

from .conftest import screenshots, sign_in
from .steps import assert_accessible, publish_ride, search

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_results_and_ride_page_tell_a_passenger_what_to_decide_on(browser, demo_server):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    driver = browser.new_context(locale="fr-FR").new_page()
    sign_in(driver, demo_server, "encamp", demo_email("citizen", "encamp"))
    ride_url = publish_ride(
        driver, demo_server, "encamp", "Encamp", "Andorra la Vella", tomorrow, "09:40"
    )

    passenger = browser.new_context(locale="fr-FR").new_page()
    sign_in(passenger, demo_server, "encamp", demo_email("volunteer", "encamp"))
    search(passenger, demo_server, "encamp", "les Escaldes", "Andorra la Vella", tomorrow, "09:50")
    card = passenger.locator(".results > li", has_text="Encamp → Andorra la Vella").first
    text = card.inner_text()
    assert "Prise en charge" in text and "Dépose" in text and "Conducteur" in text
    assert "membre depuis" in text and "l’heure demandée" in text
    assert "Détour du conducteur" not in text
    assert_accessible(passenger, "search results with the new facts")
    screenshots(passenger, "ride-results")
    card.get_by_role("link").click()
    passenger.wait_for_load_state()
    passenger.wait_for_selector(".leaflet-container svg path")
    trip = passenger.locator(".your-trip").inner_text()
    assert re.search(r"\d+,\d\s?km", trip) and re.search(r"\d+,\d0\s?€", trip)
    assert_accessible(passenger, "ride page with the passenger's trip")
    screenshots(passenger, "ride-page-searched")

    # From a direct link (a notification, my trips): the ride's ends, and booking works.
    passenger.goto(ride_url)
    passenger.wait_for_selector(".leaflet-container svg path")
    assert passenger.locator("#id_pickup_0").input_value() == "Encamp"
    assert passenger.locator("#id_dropoff_0").input_value() == "Andorra la Vella"
    assert passenger.locator(".form-errors").count() == 0
    screenshots(passenger, "ride-page-direct")
    passenger.get_by_role("button", name="Demander au conducteur").click()
    passenger.wait_for_url(re.compile(r".*/my-trips/$"))
    assert "Votre demande est envoyée au conducteur" in passenger.locator("main").inner_text()
    driver.context.close()
    passenger.context.close()
