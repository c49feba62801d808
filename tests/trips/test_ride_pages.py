"""Deciding on a ride and booking it (issue 17, 1–2): what the result cards and the ride page
tell a passenger, the defaults of the booking form, the messages after each action, the second
step before cancelling, and the queries those pages make."""

import html
import re
from datetime import timedelta

from django.contrib.messages import get_messages
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.factories import ANDORRA_LA_VELLA, ENCAMP, book, tomorrow_at
from tests.forms import SEARCH, place_fields
from trips.models import Booking
from trips.services.bookings import booking_decide
from trips.services.rides import offer_publish

NBSP = "\u00a0"


def text(response) -> str:
    return html.unescape(re.sub(r"[ \t\r\n]+", " ", response.content.decode()))


def said(response) -> str:
    """The last message left (the earlier ones wait for a page that shows them)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_a_result_card_says_the_day_times_driver_pickup_and_why_it_ranks_here(
    ride, alpha, django_assert_max_num_queries
):
    client = alpha.client("citizen")
    client.get("/", SEARCH)  # warm the session, the graph and the caches
    with django_assert_max_num_queries(30):  # 28 on 1 December 2026
        page = client.get("/", SEARCH)
    assert page.status_code == 200
    card = text(page).split('class="card result"', 1)[1].split("</ol>", 1)[0]
    match = page.context["matches"][0]
    day = timezone.localtime(match.pickup_at)
    assert f"{day.day} " in card and page.context["matches"][0].pickup_at.date() == day.date()
    assert f"{timezone.localtime(match.dropoff_at):%H:%M}, Andorra la Vella" in card
    assert f"{timezone.localtime(match.pickup_at):%H:%M}, Escaldes" in card
    assert f"{match.duration_text})" in card and re.search(r"\d+" + NBSP + "min", card)
    assert alpha["driver"].display_name in card
    assert "e-mail" in card and "téléphone non vérifié" in card and "0 trajet effectué" in card
    assert "membre depuis" in card
    assert "Détour du conducteur" not in card  # the driver's side is not the passenger's
    assert "l’heure demandée" in card and "min de détour pour le conducteur" not in card
    assert re.search(r"\d+,\d0" + NBSP + "€", card)  # French price


def test_the_reason_follows_the_ranking_terms(ride, alpha):
    early = {**SEARCH, "time": "09:00", "window": 240}
    reason = alpha.client("citizen").get("/", early).context["matches"][0].reason
    assert re.match(r"Prise en charge \d+ minutes avant l’heure demandée\xa0; ", reason)


def test_driver_facts_do_not_grow_the_queries_with_the_drivers(
    ride, alpha, in_alpha, django_assert_max_num_queries
):
    client = alpha.client("citizen")
    client.get("/", SEARCH)
    with django_assert_max_num_queries(40) as one:
        client.get("/", SEARCH)
    for n, who in enumerate(["operator", "volunteer", "admin"]):
        offer_publish(
            driver=in_alpha[who],
            origin=ENCAMP,
            destination=ANDORRA_LA_VELLA,
            departure_at=tomorrow_at(8, 5 * n),
        )
    with django_assert_max_num_queries(len(one.captured_queries)) as four:
        page = client.get("/", SEARCH)
    assert len(page.context["matches"]) == 4 and len(four.captured_queries) <= len(
        one.captured_queries
    )


def test_a_search_for_a_past_day_is_refused_with_a_form_error(alpha):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = alpha.client("citizen").get("/", {**SEARCH, "date": yesterday})
    assert page.status_code == 400
    assert "Ce jour est passé\xa0: cherchez aujourd’hui ou un jour à venir." in text(page)
    assert "trajet trouvé" not in text(page)


def test_the_results_come_first_with_the_search_folded_above_them(ride, alpha):
    client = alpha.client("citizen")
    home = text(client.get("/"))
    assert 'class="hero"' in home and "search-again" not in home
    page = text(client.get("/", SEARCH))
    folded = page.split('<details class="search-again">', 1)[1].split("</details>", 1)[0]
    assert "Modifier la recherche" in folded and "→" in folded
    assert 'class="search-form"' in folded  # the form is inside, to change the search
    assert 'class="hero"' not in page
    wrong = text(client.get("/", {**SEARCH, "seats": 0}))  # an error: the form stays open
    assert "search-again" not in wrong and 'class="search-form"' in wrong


def test_the_ride_page_gives_the_passengers_price_times_and_distance(
    ride, alpha, django_assert_max_num_queries
):
    client = alpha.client("citizen")
    query = {**place_fields("pickup", ENCAMP), **place_fields("dropoff", ANDORRA_LA_VELLA)}
    client.get(f"/rides/{ride.pk}/", query)
    with django_assert_max_num_queries(25):  # 23 on 1 December 2026
        page = client.get(f"/rides/{ride.pk}/", {**query, "seats": 2})
    body = text(page)
    km = f"{ride.distance_m / 1000:.1f}".replace(".", ",")
    assert f"{km}{NBSP}km" in body and f"{ride.distance_m} m" not in body
    trip = page.context["trip"]
    assert trip["seats"] == 2 and "Prix pour 2 places" in body
    assert re.fullmatch(r"\d+,\d0" + NBSP + "€", trip["price"]) and trip["price"] in body
    arrival = timezone.localtime(ride.departure_at + timedelta(seconds=ride.duration_s))
    assert f"{arrival:%H:%M} (" in body
    assert "Votre trajet" in body and "Arrivée" in body


def test_from_a_direct_link_the_booking_form_holds_the_rides_ends_and_books(ride, alpha):
    client = alpha.client("citizen")
    page = client.get(f"/rides/{ride.pk}/")
    form = page.context["book_form"]
    assert form["pickup"].value().label == "Encamp"
    assert form["dropoff"].value().label == "Andorra la Vella"
    body = page.content.decode()
    assert 'value="Encamp"' in body and f'value="{ride.origin.x}"' in body
    assert page.context["trip"]["price"].endswith("€")
    # What the browser sends back from those initial values books the ride.
    sent = {
        "pickup_0": "Encamp", "pickup_1": ride.origin.x, "pickup_2": ride.origin.y,
        "dropoff_0": "Andorra la Vella", "dropoff_1": ride.destination.x,
        "dropoff_2": ride.destination.y, "seats": 1,
    }  # fmt: skip
    booked = client.post(f"/rides/{ride.pk}/", sent)
    assert booked.status_code == 302 and booked["Location"] == "/my-trips/"
    assert said(booked).startswith("Votre demande est envoyée au conducteur.")


def test_a_field_error_leaves_no_empty_error_box(ride, alpha):
    client = alpha.client("citizen")
    refused = client.post(
        f"/rides/{ride.pk}/",
        {**place_fields("pickup", ENCAMP), **place_fields("dropoff", ANDORRA_LA_VELLA)},
    )
    assert refused.status_code == 400
    assert 'class="form-errors"' not in refused.content.decode()


def test_each_booking_action_says_what_happened(ride, alpha, in_alpha):
    driver, passenger = alpha.client("driver"), alpha.client("citizen")
    first = book(ride, in_alpha["citizen"])
    accepted = driver.post(f"/bookings/{first.pk}/accept/", {"next": f"/rides/{ride.pk}/"})
    assert said(accepted) == "Réservation acceptée\xa0; le passager est prévenu."
    cancelled = passenger.post(f"/bookings/{first.pk}/cancel/")
    assert said(cancelled) == "Votre réservation est annulée\xa0; le conducteur est prévenu."
    second = book(ride, in_alpha["data"])
    declined = driver.post(f"/bookings/{second.pk}/decline/")
    assert said(declined) == "Réservation refusée\xa0; le passager est prévenu."
    third = book(ride, in_alpha["volunteer"])
    by_driver = driver.post(f"/bookings/{third.pk}/cancel/")
    assert said(by_driver) == "Réservation annulée\xa0; le passager est prévenu."
    gone = driver.post(f"/rides/{ride.pk}/cancel/")
    assert said(gone) == "Trajet annulé\xa0; les passagers réservés sont prévenus."
    page = driver.get("/my-trips/").content.decode()
    assert 'class="messages" role="status"' in page and "Trajet annulé" in page
    assert 'class="messages"' not in driver.get("/my-trips/").content.decode()  # said once


def test_instant_booking_says_the_seat_is_confirmed(alpha, in_alpha):
    ride = offer_publish(
        driver=in_alpha["driver"],
        origin=ENCAMP,
        destination=ANDORRA_LA_VELLA,
        departure_at=tomorrow_at(8),
        instant_booking=True,
    )
    booked = alpha.client("citizen").post(
        f"/rides/{ride.pk}/",
        {**place_fields("pickup", ENCAMP), **place_fields("dropoff", ANDORRA_LA_VELLA), "seats": 1},
    )
    assert said(booked) == "Réservé\xa0: votre place est confirmée."


def test_cancelling_asks_a_second_time_without_script(ride, alpha, in_alpha):
    booking = book(ride, in_alpha["citizen"])
    driver_page = text(alpha.client("driver").get("/my-trips/"))
    ride_block = driver_page.split("<summary>Annuler ce trajet</summary>", 1)
    assert len(ride_block) == 2 and "Oui, annuler ce trajet" in ride_block[1]
    assert ride_block[0].rfind("<details") > ride_block[0].rfind("</details>")
    passenger_page = text(alpha.client("citizen").get("/my-trips/"))
    assert "<summary>Annuler ma réservation</summary>" in passenger_page
    assert "Oui, annuler ma réservation" in passenger_page
    with schema_context(alpha.territory.schema_name):
        assert Booking.objects.get(pk=booking.pk).status == "pending"


def test_confirming_the_ride_is_offered_from_the_pickup_time_on(ride, done, alpha, in_alpha):
    later = offer_publish(
        driver=in_alpha["driver"],
        origin=ENCAMP,
        destination=ANDORRA_LA_VELLA,
        departure_at=tomorrow_at(8) + timedelta(days=8),
    )
    future = book(later, in_alpha["data"])
    booking_decide(future, by=in_alpha["driver"], accept=True)
    page = alpha.client("data").get("/my-trips/").content.decode()  # « À venir »
    assert f"/bookings/{future.pk}/confirm/" not in page
    assert "Confirmer que le trajet a eu lieu" not in page
    # The driver's ride that took place is in « Passés », where it can be confirmed.
    past = alpha.client("driver").get("/my-trips/", {"vue": "passes"}).content.decode()
    assert f"/bookings/{done.pk}/confirm/" in past and f"/bookings/{future.pk}/confirm/" not in past


def test_the_ride_page_of_another_territory_is_not_found_here(ride, beta):
    assert beta.client("citizen").get(f"/rides/{ride.pk}/").status_code == 404
