"""One journey per kind of person, on the demo (issue 17, how the result is checked): each page
they reach is saved at 1280 and 390 px, must not scroll sideways, keeps the header to one row
on a phone and passes axe in the territory's theme; each action that changes something says so
in the messages region. A journey goes to its end and then lists every page that failed.

What the journeys write is committed (the server is another process): the rides and the
solidarity requests they create are cancelled when the module ends."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tenants.utils import tenant_context

from demo.seed import CROSS_TERRITORY_EMAIL, demo_email
from matching.network import Place
from solidarity.models import Beneficiary, Purpose, Request, Volunteer
from solidarity.services.dispatch import request_propose
from solidarity.services.requests import request_cancel, request_create
from tenants.models import Territory
from trips.models import Offer
from trips.services.rides import offer_cancel, offer_publish

from .conftest import sign_in, territory_url
from .steps import PHONE, assert_message, check_page, choose_place, fill_trip, publish

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

ENCAMP = Place(1.5800, 42.5360, "Encamp")
ESCALDES = Place(1.5410, 42.5100, "Escaldes-Engordany")
ANDORRA = Place(1.5215, 42.5070, "Andorra la Vella")
# Days no other browser test uses, so that the rides of one never show in another's search.
RIDE_DAY = date.today() + timedelta(days=3)
DRIVER_DAY = date.today() + timedelta(days=4)


def weekday_after(days: int, weekday: int) -> date:
    day = date.today() + timedelta(days=days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def user(email: str):
    return get_user_model().objects.get(email=email)


def territory(slug: str) -> Territory:
    return Territory.objects.get(slug=slug)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture(scope="module")
def leave_no_trace(demo_server, django_db_blocker):
    """Cancel, at the end of the module, the rides and solidarity requests created during it."""
    with django_db_blocker.unblock():
        marks = {}
        for t in Territory.objects.exclude(schema_name="public"):
            with tenant_context(t):
                last_offer = Offer.objects.order_by("-pk").values_list("pk", flat=True).first()
                last_request = Request.objects.order_by("-pk").values_list("pk", flat=True).first()
                marks[t.slug] = (last_offer or 0, last_request or 0)
    yield
    with django_db_blocker.unblock():
        for slug, (last_offer, last_request) in marks.items():
            with tenant_context(territory(slug)):
                for offer in Offer.objects.filter(pk__gt=last_offer, status=Offer.Status.ACTIVE):
                    offer_cancel(offer, by=offer.driver, reason="Fin des parcours de test")
                for request in Request.objects.filter(pk__gt=last_request).exclude(
                    status__in=("cancelled", "unmet", "done", "closed")
                ):
                    request_cancel(
                        request, operator=request.created_by, reason="Fin des parcours de test"
                    )


@pytest.fixture(scope="module")
def encamp_ride(leave_no_trace, django_db_blocker):
    """A ride Encamp → Andorra la Vella in three days at 17:20, by Encamp's data officer
    (Dominique), that the passenger and the person who has not joined find."""
    with django_db_blocker.unblock(), tenant_context(territory("encamp")):
        offer = offer_publish(
            driver=user(demo_email("data", "encamp")),
            origin=ENCAMP,
            destination=ANDORRA,
            departure_at=at(RIDE_DAY, 17, 20),
        )
    return offer.pk


def new_page(browser, **options):
    return browser.new_context(locale="fr-FR", **options).new_page()


def test_passenger_searches_books_and_writes_to_the_driver(browser, demo_server, encamp_ride):
    slug, problems = "encamp", []
    page = new_page(browser)
    sign_in(page, demo_server, slug, demo_email("citizen", slug))
    page.goto(territory_url(demo_server, slug, "/"))
    check_page(page, "journey-passenger-search", problems=problems)
    fill_trip(page, "Encamp", "Andorra la Vella", RIDE_DAY.isoformat(), "17:30")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state()
    card = page.locator(".results > li", has=page.locator(f"a[href*='/rides/{encamp_ride}/']"))
    assert "Dominique" in card.inner_text()
    check_page(page, "journey-passenger-results", problems=problems)
    card.get_by_role("link").first.click()
    page.wait_for_selector(".leaflet-container svg path")
    check_page(page, "journey-passenger-ride", problems=problems)
    page.get_by_role("button", name="Demander au conducteur").click()
    page.wait_for_url(re.compile(r".*/my-trips/$"))
    assert_message(page, "Votre demande est envoyée au conducteur")
    check_page(page, "journey-passenger-my-trips", problems=problems)
    booking = page.locator(".card", has=page.locator(f"a[href$='/rides/{encamp_ride}/']"))
    booking.get_by_role("link", name="Conversation").click()
    page.wait_for_url(re.compile(r".*/conversation/$"))
    page.wait_for_timeout(300)  # the socket opens
    page.fill("#message-body", "Bonjour, je vous attends devant l’église.")
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_selector("#messages li:has-text('devant l’église')")
    check_page(page, "journey-passenger-conversation", problems=problems)
    page.context.close()
    assert not problems, "\n".join(problems)


def test_driver_publishes_accepts_a_request_and_cancels_with_confirmation(
    browser, demo_server, leave_no_trace
):
    slug, problems = "escaldes-engordany", []
    page = new_page(browser)
    sign_in(page, demo_server, slug, demo_email("citizen", slug))
    page.goto(territory_url(demo_server, slug, "/rides/new/"))
    check_page(page, "journey-driver-publish", problems=problems)
    fill_trip(page, "les Escaldes", "Encamp", DRIVER_DAY.isoformat(), "07:50")
    publish(page)
    page.wait_for_url(re.compile(r".*/rides/\d+/$"))
    assert_message(page, "Trajet publié")
    page.wait_for_selector(".leaflet-container svg path")
    check_page(page, "journey-driver-ride", problems=problems)
    pk = int(re.search(r"/rides/(\d+)/$", page.url).group(1))
    passenger = new_page(browser)  # Escaldes' admin asks for a seat
    sign_in(passenger, demo_server, slug, demo_email("admin", slug))
    passenger.goto(page.url)
    passenger.get_by_role("button", name="Demander au conducteur").click()
    passenger.wait_for_url(re.compile(r".*/my-trips/$"))
    passenger.context.close()

    page.goto(territory_url(demo_server, slug, "/my-trips/"))
    ride = page.locator(".card", has=page.locator(f"h3 a[href$='/rides/{pk}/']"))
    assert "Alex" in ride.inner_text()
    check_page(page, "journey-driver-my-trips", problems=problems)
    ride.get_by_role("button", name="Accepter").click()
    page.wait_for_load_state()
    assert_message(page, "Réservation acceptée")
    check_page(page, "journey-driver-accepted", axe=False, problems=problems)
    ride.locator("summary", has_text="Annuler ce trajet").click()
    assert ride.get_by_role("button", name="Oui, annuler ce trajet").is_visible()
    check_page(page, "journey-driver-cancel-confirm", problems=problems)
    ride.get_by_role("button", name="Oui, annuler ce trajet").click()
    page.wait_for_load_state()
    assert_message(page, "Trajet annulé")
    check_page(page, "journey-driver-cancelled", problems=problems)
    page.context.close()
    assert not problems, "\n".join(problems)


def test_territory_admin_manages_members_appearance_and_moderation(page, demo_server):
    slug, problems = "escaldes-engordany", []
    sign_in(page, demo_server, slug, demo_email("admin", slug))
    for path, name in [
        ("/manage/", "manage"),
        ("/manage/charter/", "charter"),
        ("/manage/moderation/", "moderation"),
        ("/manage/moderation/log/", "moderation-log"),
        ("/manage/members/", "members"),
    ]:
        page.goto(territory_url(demo_server, slug, path))
        check_page(page, f"journey-admin-{name}", problems=problems)
    page.get_by_role("link", name=re.compile("Modifier les rôles")).first.click()
    page.wait_for_load_state()
    check_page(page, "journey-admin-member", problems=problems)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert_message(page, "mis à jour")
    check_page(page, "journey-admin-member-saved", axe=False, problems=problems)
    page.goto(territory_url(demo_server, slug, "/manage/appearance/"))
    check_page(page, "journey-admin-appearance", problems=problems)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert_message(page, "enregistrés")
    check_page(page, "journey-admin-appearance-saved", axe=False, problems=problems)
    assert not problems, "\n".join(problems)


def test_data_officer_reads_the_observatory_and_downloads(page, demo_server):
    slug, problems = "andorra-la-vella", []
    sign_in(page, demo_server, slug, demo_email("data", slug))
    page.goto(territory_url(demo_server, slug, "/observatory/"))
    page.wait_for_selector("#flows-map svg path")
    check_page(page, "journey-data-observatory", problems=problems)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").first.click()
    assert download.value.suggested_filename.endswith(".zip")
    page.goto(territory_url(demo_server, slug, "/observatory/?kind=year&day=2026-06-01"))
    check_page(page, "journey-data-observatory-year", problems=problems)
    assert not problems, "\n".join(problems)


def test_operator_takes_a_request_and_dispatches_it(page, demo_server, leave_no_trace):
    slug, problems = "andorra-la-vella", []
    sign_in(page, demo_server, slug, demo_email("operator", slug))
    page.goto(territory_url(demo_server, slug, "/solidarity/"))
    check_page(page, "journey-operator-board", problems=problems)
    for path, name in [("volunteers/", "volunteers"), ("structures/", "structures")]:
        page.goto(territory_url(demo_server, slug, f"/solidarity/{path}"))
        check_page(page, f"journey-operator-{name}", problems=problems)
    page.goto(territory_url(demo_server, slug, "/solidarity/beneficiaries/"))
    check_page(page, "journey-operator-beneficiaries", problems=problems)
    page.get_by_role("link", name=re.compile("Puig Berthe")).click()
    page.wait_for_load_state()
    check_page(page, "journey-operator-beneficiary", problems=problems)
    page.get_by_role("link", name="Nouvelle demande pour cette personne").click()
    page.wait_for_load_state()
    check_page(page, "journey-operator-request-new", problems=problems)
    page.locator("#id_purpose").select_option(label="Rendez-vous médical")
    choose_place(page, "id_destination_0", "Escaldes-Engordany")
    page.fill("#id_date", weekday_after(7, 1).isoformat())  # a Tuesday, a week or more away
    page.locator("#id_timing").select_option(label="L’après-midi")
    page.get_by_role("button", name="Créer la demande").click()
    page.wait_for_url(re.compile(r".*/solidarity/requests/\d+/$"))
    assert_message(page, "Demande créée")
    page.wait_for_selector("#request-map .leaflet-tile-container canvas")
    check_page(page, "journey-operator-request", problems=problems)
    page.locator("ol.ranked li input[type=checkbox]").first.check()
    page.get_by_role("button", name="Proposer", exact=True).click()
    page.wait_for_load_state()
    assert_message(page, "Proposé aux bénévoles choisis")
    check_page(page, "journey-operator-proposed", problems=problems)
    page.fill("#cancel-reason", "Rendez-vous déplacé")
    page.get_by_role("button", name="Annuler la demande").click()
    page.wait_for_load_state()
    assert "annulée" in page.locator("main").inner_text().lower()
    check_page(page, "journey-operator-cancelled", problems=problems)
    if not page.locator(".messages").count():
        problems.append(f"no message after cancelling a solidarity request ({page.url})")
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def proposal_to_victor(leave_no_trace, django_db_blocker):
    """A request of Berthe's on Andorra la Vella, a Wednesday morning, proposed to Victor."""
    slug = "andorra-la-vella"
    with django_db_blocker.unblock(), tenant_context(territory(slug)):
        operator = user(demo_email("operator", slug))
        berthe = Beneficiary.objects.get(first_name="Berthe")
        day = weekday_after(7, 2)
        request = request_create(
            operator=operator,
            beneficiary=berthe,
            purpose=Purpose.objects.get(structure=berthe.structure, name="Rendez-vous médical"),
            destination=ESCALDES,
            window_start=at(day, 9),
            window_end=at(day, 11),
        )
        victor = Volunteer.objects.get(user=user(demo_email("volunteer", slug)))
        request_propose(request, [victor], operator=operator)
    return slug


def test_volunteer_answers_on_a_phone(browser, demo_server, proposal_to_victor):
    slug, problems = proposal_to_victor, []
    page = new_page(browser, viewport=PHONE)
    sign_in(page, demo_server, slug, demo_email("volunteer", slug))
    page.goto(territory_url(demo_server, slug, "/volunteer/"))
    check_page(page, "journey-volunteer-proposal", problems=problems)
    page.get_by_role("button", name="Je le prends").first.click()
    page.wait_for_load_state()
    assert_message(page, "Le trajet est pour vous")
    page.wait_for_selector(".card .route-map .leaflet-tile-container canvas")
    check_page(page, "journey-volunteer-trip", problems=problems)
    page.goto(territory_url(demo_server, slug, "/volunteer/availability/"))
    check_page(page, "journey-volunteer-availability", problems=problems)
    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_load_state()
    assert_message(page, "Disponibilités enregistrées")
    check_page(page, "journey-volunteer-availability-saved", axe=False, problems=problems)
    page.context.close()
    assert not problems, "\n".join(problems)


def test_someone_who_has_not_joined_browses_as_a_visitor_and_is_asked_to_join_to_act(
    page, demo_server, encamp_ride
):
    """Marie, of two other territories, on Encamp: she searches and reads a ride like a
    visitor; booking or publishing asks her to join first."""
    slug, problems = "encamp", []
    sign_in(page, demo_server, slug, CROSS_TERRITORY_EMAIL)
    assert "/join/" in page.url
    check_page(page, "journey-nonmember-join", problems=problems)
    page.goto(territory_url(demo_server, slug, "/"))
    assert page.get_by_role("link", name="Rejoindre").first.count()
    check_page(page, "journey-nonmember-home", problems=problems)
    fill_trip(page, "Encamp", "Andorra la Vella", RIDE_DAY.isoformat(), "17:30")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state()
    card = page.locator(".results > li", has=page.locator(f"a[href*='/rides/{encamp_ride}/']"))
    check_page(page, "journey-nonmember-results", problems=problems)
    card.get_by_role("link").first.click()
    page.wait_for_selector(".leaflet-container svg path")
    check_page(page, "journey-nonmember-ride", problems=problems)
    page.get_by_role("button", name="Demander au conducteur").click()
    page.wait_for_url(re.compile(r".*/join/\?next=.*"))
    assert "Rejoindre" in page.locator("h1").inner_text()
    check_page(page, "journey-nonmember-join-to-book", problems=problems)
    page.goto(territory_url(demo_server, slug, "/rides/new/"))
    assert "/join/" in page.url
    assert not problems, "\n".join(problems)
