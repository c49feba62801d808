"""The ride pages: search on the home page, publish, ride detail with booking, my trips."""

import re

from django.test import Client
from django_tenants.utils import schema_context

from tenants.members.models import Membership
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, book, tomorrow_at
from tests.forms import place_fields
from trips.models import Booking, Offer


def ride_form() -> dict:
    """The publish form: Encamp → Andorra la Vella tomorrow at 08:00."""
    return {
        **place_fields("origin", ENCAMP),
        **place_fields("destination", ANDORRA_LA_VELLA),
        "date": tomorrow_at(8).date().isoformat(),
        "time": "08:00",
        "margin_minutes": 15,
        "seats": 3,
        "cost_per_km": "0.08",
        "max_detour_ratio": "0.25",
    }


def test_place_search_suggests_parishes_places_and_streets(alpha):
    client = Client(HTTP_HOST=alpha.host)
    found = client.get("/places/", {"q": "Encamp"}).json()
    assert found and found[0]["label"] == "Encamp"
    assert {"lon", "lat", "kind"} <= set(found[0])
    streets = client.get("/places/", {"q": "Carrer"}).json()
    assert any(p["kind"] == "street" for p in streets)
    assert client.get("/places/", {"q": "x"}).json() == []


def test_publish_then_search_then_book_then_accept(alpha):
    driver, passenger = alpha.client("driver"), alpha.client("citizen")
    response = driver.post("/rides/new/", {**ride_form(), "comment": "Départ mairie"})
    assert response.status_code == 302
    offer_url = response["Location"]
    detail = driver.get(offer_url)
    assert "route-map" in detail.content.decode()

    results = passenger.get(
        "/",
        {
            **place_fields("origin", ESCALDES),
            **place_fields("destination", ANDORRA_LA_VELLA),
            "date": tomorrow_at(8).date().isoformat(),
            "time": "08:15",
            "window": 60,
            "seats": 1,
        },
    )
    page = results.content.decode()
    assert "Encamp → Andorra la Vella" in page
    link = re.search(r'href="(/rides/\d+/\?[^"]+)"', page).group(1).replace("&amp;", "&")
    booking_page = passenger.get(link)
    assert booking_page.context["book_form"]["pickup"].value()[0] == "Escaldes-Engordany"
    booked = passenger.post(
        link.split("?")[0],
        {
            **place_fields("pickup", ESCALDES),
            **place_fields("dropoff", ANDORRA_LA_VELLA),
            "seats": 1,
        },
    )
    assert booked.status_code == 302 and booked["Location"] == "/my-trips/"
    with schema_context(alpha.territory.schema_name):
        booking = Booking.objects.get()
    assert booking.status == "pending"
    driver.post(f"/bookings/{booking.pk}/accept/", {"next": offer_url})
    with schema_context(alpha.territory.schema_name):
        booking.refresh_from_db()
    assert booking.status == "accepted"
    assert "accept" in passenger.get("/my-trips/").content.decode().lower()


def test_publish_form_errors_are_shown_and_nothing_saved(alpha):
    response = alpha.client("driver").post(
        "/rides/new/",
        {
            **place_fields("origin", ENCAMP),
            "destination_0": "Nowhere",
            "date": "2020-01-01",
            "time": "08:00",
            "margin_minutes": 15,
            "seats": 12,
            "cost_per_km": "0.08",
            "max_detour_ratio": "0.25",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"destination", "seats"} <= set(errors)
    with schema_context(alpha.territory.schema_name):
        assert not Offer.objects.exists()


def test_every_error_of_the_publish_form_shows_at_once_with_a_summary(alpha):
    """Regression: 99 seats, a past day and 5 € per km showed the seats alone, then the day
    once the seats were fixed, then the cost."""
    response = alpha.client("driver").post(
        "/rides/new/",
        {**ride_form(), "date": "2020-01-01", "seats": 99, "cost_per_km": "5"},
    )
    assert response.status_code == 400
    assert {"seats", "date", "cost_per_km"} <= set(response.context["form"].errors)
    page = response.content.decode()
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', page, re.S)
    assert "Le formulaire contient 3\xa0erreurs" in summary.group()
    for field in ("id_date", "id_seats", "id_cost_per_km"):
        assert f'href="#{field}"' in summary.group()
        assert f'id="{field}"' in page
    assert "js/form-errors.js" in page


def test_a_weekly_ride_shows_its_schedule_errors_with_the_others(alpha):
    response = alpha.client("driver").post(
        "/rides/new/",
        {**ride_form(), "frequency": "regular", "valid_from": "2020-01-01",
         "valid_until": "2020-02-01", "seats": 0},
    )  # fmt: skip
    errors = response.context["form"].errors
    assert {"seats", "valid_from", "day_mon"} <= set(errors)


def test_no_error_summary_without_errors(alpha):
    page = alpha.client("driver").get("/rides/new/").content.decode()
    assert "error-summary" not in page and "form-errors" not in page


def test_the_cost_per_km_is_shown_and_read_in_french(alpha):
    client = alpha.client("driver")
    page = client.get("/rides/new/").content.decode()
    assert re.search(r'name="cost_per_km" value="0,\d+"', page)
    assert 'aria-describedby="id_cost_per_km_helptext"' in page
    response = client.post("/rides/new/", {**ride_form(), "cost_per_km": "0,08"})
    assert response.status_code == 302
    with schema_context(alpha.territory.schema_name):
        assert str(Offer.objects.get().cost_per_km) == "0.080"


def test_a_ride_of_alpha_is_not_found_on_beta(alpha, beta):
    response = alpha.client("driver").post("/rides/new/", ride_form())
    assert beta.client("citizen").get(response["Location"]).status_code == 404
    assert beta.client("citizen").post("/bookings/1/cancel/").status_code == 404


def test_booking_actions_return_only_to_this_site(ride, in_alpha):
    """Regression: `next=//evil.example/` sent people to another site (open redirect)."""
    booking = book(ride, in_alpha["citizen"])
    driver = in_alpha.client("driver")
    for target in ("//evil.example/", "https://evil.example/x", "/\\evil.example", "http:evil"):
        answer = driver.post(f"/bookings/{booking.pk}/accept/", {"next": target})
        assert answer.status_code == 302 and answer["Location"] == "/my-trips/", target
    kept = driver.post(f"/bookings/{booking.pk}/decline/", {"next": f"/rides/{ride.pk}/"})
    assert kept["Location"] == f"/rides/{ride.pk}/"


def test_the_consent_screen_returns_only_to_this_site(alpha, beta):
    """The join page's `next` goes through the same check."""
    with schema_context(beta.territory.schema_name):
        Membership.objects.filter(user=alpha["citizen"]).delete()
    client = Client(HTTP_HOST=beta.host)
    client.force_login(alpha["citizen"])
    session = client.session
    session["archipel_schema"] = beta.territory.schema_name
    session.save()
    joined = client.post(
        "/join/", {"decision": "accept", "charter": "on", "next": "//evil.example/"}
    )
    assert joined.status_code == 302 and joined["Location"] == "/"


def test_seats_are_counted_in_french_plurals(ride, in_alpha, alpha):
    """Regression: « 1 place(s) »; now « 1 place », « 2 places »."""
    book(ride, in_alpha["citizen"], seats=1)
    book(ride, in_alpha["volunteer"], seats=2)
    page = alpha.client("driver").get(f"/rides/{ride.pk}/").content.decode()
    assert "— 1 place," in page and "— 2 places," in page
    assert "place(s)" not in page
