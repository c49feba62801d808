"""Incentive campaigns in a browser: the territory's admin creates a campaign, simulates it on
the demo's past journeys, activates it; driver and passenger confirm a ride; the passenger sees
the line in « Mes primes » and the admin in the month's statement. Then every incentives page
of each demo territory at both widths, axe clean (screenshots in var/screenshots)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tenants.utils import schema_context

from demo.seed import DEMO_TERRITORIES, demo_email
from incentives.models import Campaign, CampaignEvent, Hold, Line, Simulation
from notifications.models import Delivery, Notification
from tenants.models import Territory
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, book, tomorrow_at
from trips.models import Booking, Confirmation, Journey, Offer
from trips.services.bookings import booking_decide
from trips.services.rides import offer_publish

from .conftest import sign_in, territory_url
from .steps import assert_message, check_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SLUG = "encamp"
NAME = "Essai navigateur 0,20 €"


@pytest.fixture(scope="module")
def ride_done(demo_server, django_db_blocker):
    """Encamp's demo citizen drove its volunteer an hour ago (booking accepted, nobody has
    confirmed yet). Committed (the server reads it), removed afterwards with what it led to."""
    users = get_user_model().objects
    with django_db_blocker.unblock():
        schema = Territory.objects.get(slug=SLUG).schema_name
        with schema_context(schema):
            driver = users.get(email=demo_email("citizen", SLUG))
            passenger = users.get(email=demo_email("volunteer", SLUG))
            last_note = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
            last_delivery = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first()
            ride = offer_publish(
                driver=driver,
                origin=ENCAMP,
                destination=ANDORRA_LA_VELLA,
                departure_at=tomorrow_at(7, 5),
            )
            booking = booking_decide(book(ride, passenger), by=driver, accept=True)
            past = timezone.now() - timedelta(hours=1)
            Offer.objects.filter(pk=ride.pk).update(departure_at=past, origin_label="Essai primes")
            Booking.objects.filter(pk=booking.pk).update(
                pickup_at=past + timedelta(minutes=5),
                dropoff_at=past + timedelta(minutes=25),
                pickup_label="Essai primes",
            )
    yield {"schema": schema, "booking": booking, "passenger": passenger}
    with django_db_blocker.unblock(), schema_context(schema):
        journeys = Journey.objects.filter(booking=booking)
        Line.objects.filter(journey__in=journeys).delete()
        Hold.objects.filter(journey__in=journeys).delete()
        journeys.delete()
        Confirmation.objects.filter(booking=booking).delete()
        Booking.objects.filter(pk=booking.pk).delete()
        Offer.objects.filter(pk=ride.pk).delete()
        made = Campaign.objects.filter(name=NAME)
        Simulation.objects.filter(campaign__in=made).delete()
        CampaignEvent.objects.filter(campaign__in=made).delete()
        made.delete()
        Notification.objects.filter(pk__gt=last_note or 0).delete()
        Delivery.objects.filter(pk__gt=last_delivery or 0).delete()


def _confirm(page, demo_server, email):
    sign_in(page, demo_server, SLUG, email)
    for view in ("?vue=passes", ""):
        page.goto(territory_url(demo_server, SLUG, f"/my-trips/{view}"))
        card = page.locator(".trip-card", has_text="Essai primes")
        button = card.get_by_role("button", name="Confirmer que le trajet a eu lieu")
        if button.count():
            button.first.click()
            page.wait_for_load_state()
            return
    raise AssertionError(f"no confirmation offered to {email}")


def test_a_campaign_from_its_form_to_the_passengers_line(browser, demo_server, ride_done):
    problems: list[str] = []
    admin = browser.new_context(locale="fr-FR").new_page()
    sign_in(admin, demo_server, SLUG, demo_email("admin", SLUG))
    admin.goto(territory_url(demo_server, SLUG, "/incentives/new/"))
    # Every problem at once, nothing saved.
    admin.locator("#id_name").fill(NAME)
    admin.get_by_role("button", name="Enregistrer le brouillon").click()
    summary = admin.locator(".error-summary")
    assert summary.is_visible() and re.search(r"\d+\s+erreurs", summary.inner_text())
    today = timezone.localdate()
    admin.locator("#id_starts_on").fill((today - timedelta(days=60)).isoformat())
    admin.locator("#id_ends_on").fill((today + timedelta(days=60)).isoformat())
    admin.locator("#id_budget").fill("500")
    admin.locator("input[name=paid][value=passenger]").check()
    admin.locator("#id_funder_name").fill("Comú d'Encamp")
    admin.locator("#id_funder_siret").fill("21000000000013")
    admin.locator("#id_per_journey").fill("0,20")
    admin.locator("#id_cap_month").fill("10")
    check_page(admin, "incentives-form-filled", problems=problems)
    admin.get_by_role("button", name="Enregistrer le brouillon").click()
    assert_message(admin, "La campagne est enregistrée comme brouillon")
    assert "0,20\u00a0€ par trajet." in admin.locator("main").inner_text()
    # Simulated on the demo's six weeks of journeys.
    admin.get_by_role("link", name="Simuler sur les trajets passés").click()
    admin.locator("#id_first").fill((today - timedelta(days=45)).isoformat())
    admin.locator("#id_last").fill(today.isoformat())
    admin.get_by_role("button", name="Simuler").click()
    result = admin.locator("main").inner_text()
    cost = re.search(r"Aurait coûté\s+([\d\u202f\u00a0 ]+,\d\d)\u00a0€", result)
    assert cost and cost.group(1).strip() != "0,00", result[:600]
    check_page(admin, "incentives-simulation", problems=problems)
    admin.get_by_role("link", name="Retour à la campagne").click()
    admin.get_by_role("button", name="Activer").click()
    assert_message(admin, "La campagne est active")
    campaign_url = admin.url
    # Both sides confirm the ride: the journey is recorded and the campaign pays it.
    for email in (demo_email("citizen", SLUG), demo_email("volunteer", SLUG)):
        page = browser.new_context(locale="fr-FR").new_page()
        _confirm(page, demo_server, email)
        if email.startswith("volunteer"):
            passenger = page
    passenger.goto(territory_url(demo_server, SLUG, "/my-incentives/"))
    row = passenger.locator("tr", has_text=NAME)
    row.first.wait_for()
    assert "0,20\u00a0€" in row.first.inner_text()
    check_page(passenger, "incentives-mine-with-line", problems=problems)
    # The month's statement shows it.
    admin.goto(campaign_url)
    admin.locator("section", has_text="Relevés mensuels").get_by_role("link").first.click()
    line = admin.locator("section", has_text="Lignes du mois").locator("tr", has_text="Victor")
    assert "0,20\u00a0€" in line.first.inner_text()
    check_page(admin, "incentives-statement", problems=problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("spec", DEMO_TERRITORIES, ids=lambda s: s.slug)
def test_every_incentives_page_of_each_theme(page, demo_server, spec):
    sign_in(page, demo_server, spec.slug, demo_email("admin", spec.slug))
    with schema_context(Territory.objects.get(slug=spec.slug).schema_name):
        active = Campaign.objects.get(status="active", name__startswith="Covoiturer")
        draft = Campaign.objects.get(status="draft", name__startswith="Prime")
    month = timezone.localdate().strftime("%Y-%m")
    pages = {
        "campaigns": "/incentives/",
        "campaign-active": f"/incentives/{active.pk}/",
        "campaign-draft": f"/incentives/{draft.pk}/",
        "form-new": "/incentives/new/",
        "form-active": f"/incentives/{active.pk}/edit/",
        "simulation": f"/incentives/{draft.pk}/simulation/",
        "compare": f"/incentives/compare/?c={active.pk}&c={draft.pk}",
        "statement": f"/incentives/{active.pk}/statements/{month}/",
        "held": "/incentives/held/",
        "mine": "/my-incentives/",
    }
    problems: list[str] = []
    for name, path in pages.items():
        page.goto(territory_url(demo_server, spec.slug, path))
        assert page.locator("h1").count() == 1, path
        check_page(page, f"incentives-{name}-{spec.slug}", problems=problems)
    assert not problems, "\n".join(problems)
