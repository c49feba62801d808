"""« Mes trajets » in a browser (issue 17, 3 and 12): the three groups as tabs, the cancellation
reason inside the confirm disclosure only, « Copier le lien » announcing what it did, and the
partners' results announced in the page's live region when htmx brings them (screenshots of
each group at both widths, axe)."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tenants.utils import schema_context

from demo.seed import demo_email
from interop import outbound
from interop.models import Provider
from notifications.models import Delivery, Notification
from tenants.models import Territory
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, book, tomorrow_at
from tests.forms import SEARCH
from tests.interop.loopback import serving
from tests.interop.providers import standard_reply
from trips.models import Booking, Conversation, Offer
from trips.services.rides import offer_publish
from trust.models import TripShare

from .conftest import screenshots, sign_in, territory_url
from .test_browser import assert_accessible, choose_place

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SLUG = "encamp"


def copy(offer, **changes) -> Offer:
    """Another ride like `offer` (same route: no routing needed), with `changes`."""
    offer = Offer.objects.get(pk=offer.pk)
    offer.pk = None
    offer.seats_taken = 0
    for field, value in changes.items():
        setattr(offer, field, value)
    offer.save()
    return offer


@pytest.fixture(scope="module")
def trips(demo_server, django_db_blocker):
    """Encamp's demo citizen drives a ride tomorrow at 06:10 that Encamp's volunteer asked
    to join (pending), drove from Ordino three days ago, cancelled the one from Soldeu, and
    travels with the volunteer the day after tomorrow. Committed (the server reads it),
    removed afterwards."""
    users = get_user_model().objects
    with django_db_blocker.unblock():
        schema = Territory.objects.get(slug=SLUG).schema_name
        with schema_context(schema):
            citizen = users.get(email=demo_email("citizen", SLUG))
            volunteer = users.get(email=demo_email("volunteer", SLUG))
            last_note = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
            last_delivery = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first()
            ride = offer_publish(
                driver=citizen,
                origin=ENCAMP,
                destination=ANDORRA_LA_VELLA,
                departure_at=tomorrow_at(6, 10),
            )
            offers = [
                ride,
                copy(ride, departure_at=timezone.now() - timedelta(days=3), origin_label="Ordino"),
                copy(
                    ride, departure_at=tomorrow_at(9, 5), origin_label="Soldeu", status="cancelled"
                ),
                copy(ride, departure_at=tomorrow_at(6, 40) + timedelta(days=1), driver=volunteer),
            ]
            bookings = [book(ride, volunteer), book(offers[3], citizen)]
    yield {"schema": schema, "ride": ride, "booking": bookings[1]}
    with django_db_blocker.unblock(), schema_context(schema):
        TripShare.objects.filter(offer__in=offers).delete()
        Conversation.objects.filter(booking__in=bookings).delete()
        Booking.objects.filter(offer__in=offers).delete()
        Offer.objects.filter(pk__in=[o.pk for o in offers]).delete()
        Notification.objects.filter(pk__gt=last_note or 0).delete()
        Delivery.objects.filter(pk__gt=last_delivery or 0).delete()


def signed_in(page, demo_server):
    sign_in(page, demo_server, SLUG, demo_email("citizen", SLUG))
    page.goto(territory_url(demo_server, SLUG, "/my-trips/"))
    return page


def test_the_groups_and_the_reason_inside_the_confirm_disclosure(page, demo_server, trips):
    signed_in(page, demo_server)
    main = page.locator("main")
    # The menu's « Mes trajets » says what its number counts.
    page.locator("#site-menu summary").click()
    assert re.fullmatch(r"\d+ à traiter", page.locator("#unread-badge").inner_text().strip())
    page.locator("#site-menu summary").click()
    tabs = page.get_by_role("navigation", name="Mes trajets par date")
    assert (
        tabs.get_by_role("link", name=re.compile(r"^À venir \d+$")).get_attribute("aria-current")
        == "page"
    )
    # At least this module's request (other browser tests may leave one for the same driver).
    assert re.search(
        r"\d+ demandes? de réservation (à laquelle|auxquelles) répondre", main.inner_text()
    )
    mine = page.locator(".trip-card", has_text="Vous conduisez").filter(
        has=page.get_by_role("button", name="Accepter")
    )
    assert mine.count() >= 1
    card = mine.first
    # The reason is asked only once the person chose to cancel.
    reason = card.get_by_label("Motif (facultatif)")
    assert not reason.is_visible()
    card.get_by_text("Annuler ce trajet", exact=True).click()
    assert reason.is_visible()
    assert card.get_by_role("button", name="Oui, annuler ce trajet").is_visible()
    card.get_by_text("Annuler ce trajet", exact=True).click()  # closed again
    assert page.locator(".trip-card", has_text="Vous voyagez avec").count() >= 1
    assert_accessible(page, "my trips to come")
    screenshots(page, "my-trips-a-venir")

    tabs.get_by_role("link", name=re.compile(r"^Passés")).click()
    page.wait_for_url(re.compile(r".*\?vue=passes$"))
    assert page.get_by_role("heading", name="Ordino → Andorra la Vella").count() >= 1
    assert "Annuler ce trajet" not in main.inner_text()
    assert_accessible(page, "my past trips")
    screenshots(page, "my-trips-passes")

    tabs.get_by_role("link", name=re.compile(r"^Annulés")).click()
    page.wait_for_url(re.compile(r".*\?vue=annules$"))
    soldeu = page.locator(".trip-card", has_text="Soldeu → Andorra la Vella")
    assert soldeu.count() >= 1 and "annulé" in soldeu.first.inner_text()
    assert page.get_by_label("Motif (facultatif)").count() == 0
    assert_accessible(page, "my cancelled trips")
    screenshots(page, "my-trips-annules")


def live_status(page) -> str:
    page.wait_for_function("() => document.getElementById('live-status').textContent !== ''")
    return page.locator("#live-status").text_content()


def test_copy_the_link_says_so_or_selects_it(browser, demo_server, trips):
    context = browser.new_context(locale="fr-FR")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = signed_in(context.new_page(), demo_server)
    card = page.locator(".trip-card", has_text="Vous conduisez").filter(
        has=page.get_by_role("button", name="Accepter")
    )
    card.first.get_by_role(
        "button", name="Partager ce trajet avec une personne de confiance"
    ).click()
    page.wait_for_load_state()
    link = page.get_by_label("Lien privé").input_value()
    assert re.search(r"/shared/[\w-]+/$", link)
    page.get_by_role("button", name="Copier le lien").click()
    assert live_status(page) == "Lien copié"
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert page.locator("#share-status").inner_text() == "Lien copié"  # seen as well as heard
    assert_accessible(page, "share link copied")
    screenshots(page, "share-link-copied")
    # Where the clipboard is refused, the link is selected for the person to copy.
    page.evaluate(
        "() => { navigator.clipboard.writeText = () => Promise.reject(new Error('refused')); }"
    )
    page.get_by_role("button", name="Copier le lien").click()
    page.wait_for_function(
        "() => document.getElementById('live-status').textContent.startsWith('Le lien est')"
    )
    assert page.evaluate(
        "() => { const i = document.activeElement;"
        " return i.id === 'share-link' && i.selectionEnd - i.selectionStart === i.value.length; }"
    )
    context.close()


@pytest.fixture(scope="module")
def partner(trips, django_db_blocker):
    """Another platform speaking standard covoiturage on loopback, shown by Encamp (committed:
    the server reads it), removed afterwards."""
    with serving(standard_reply) as server:
        with django_db_blocker.unblock(), schema_context(trips["schema"]):
            provider = Provider.objects.create(
                name="Covoit Voisin", protocol="standard", base_url=f"{server.url}/sc", api_key="k"
            )
            outbound.breaker_reset(provider)
        yield server
        with django_db_blocker.unblock(), schema_context(trips["schema"]):
            Provider.objects.filter(pk=provider.pk).delete()


def test_partner_results_are_announced_when_they_arrive(page, demo_server, partner):
    page.goto(territory_url(demo_server, SLUG, "/?" + urlencode(SEARCH)))
    page.wait_for_selector("#partner-journeys .card.external")
    assert live_status(page) == "1 trajet de plateformes partenaires ajouté"
    assert len(partner.seen) == 1


def test_a_message_sent_and_the_route_preview_are_announced(page, demo_server, trips):
    """Sent over the socket (no page load), a message is announced as sent; the publish
    form's route preview says its distance and duration once."""
    signed_in(page, demo_server)
    page.goto(territory_url(demo_server, SLUG, f"/bookings/{trips['booking'].pk}/conversation/"))
    page.wait_for_timeout(500)  # the socket opens
    page.fill("#message-body", "Je serai à l'arrêt de bus")
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_selector("#messages li:has-text('arrêt de bus')")
    assert live_status(page) == "Message envoyé."
    page.goto(territory_url(demo_server, SLUG, "/rides/new/"))
    choose_place(page, "id_origin_0", "Encamp")
    choose_place(page, "id_destination_0", "Andorra la Vella")
    said = live_status(page)
    assert re.fullmatch(r"Itinéraire\s: [\d,]+ km, environ \d+ min\.", said), said
    assert page.locator(".route-preview-summary").text_content() == said
