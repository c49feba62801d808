"""The search page, the search results and the ride page make as many queries with 8 rides
(or bookings) as with 2: what each card or line shows (the driver's facts, the passenger's
name…) is read for all of them at once, never once per ride. And the territory's settings are
read once per page, however many parts of the response need them."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.members.services import membership_join
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, book, person, tomorrow_at
from tests.forms import SEARCH
from trips.services.rides import offer_publish


def _drivers(count: int, first: int = 0) -> list:
    """`count` people of the territory (the current schema), each to drive one ride."""
    people = [person(100 + first + n) for n in range(count)]
    for someone in people:
        membership_join(someone, roles=["citizen"])
    return people


def _publish(drivers, first_minute: int = 0) -> list:
    return [
        offer_publish(
            driver=driver,
            origin=ENCAMP,
            destination=ANDORRA_LA_VELLA,
            departure_at=tomorrow_at(8, first_minute + n),
            seats=8,
        )
        for n, driver in enumerate(drivers)
    ]


def _queries(client, path: str, data=None) -> tuple[list[str], object]:
    """The SQL of one request (after a first one that warms the session, graph and caches)."""
    client.get(path, data)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, data)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries], response


def test_search_results_make_as_many_queries_for_8_rides_as_for_2(alpha, in_alpha):
    client = alpha.client("citizen")
    _publish(_drivers(2))
    two, page = _queries(client, "/", SEARCH)
    assert len(page.context["matches"]) == 2
    _publish(_drivers(6, first=2), first_minute=2)
    eight, page = _queries(client, "/", SEARCH)
    assert len(page.context["matches"]) == 8
    assert len(eight) == len(two), "\n".join(eight)


def test_the_search_page_makes_as_many_queries_for_8_rides_as_for_2(alpha, in_alpha):
    client = alpha.client("citizen")
    _publish(_drivers(2))
    two, _ = _queries(client, "/")
    _publish(_drivers(6, first=2), first_minute=2)
    eight, _ = _queries(client, "/")
    assert len(eight) == len(two), "\n".join(eight)


def test_the_ride_page_makes_as_many_queries_for_8_bookings_as_for_2(alpha, in_alpha):
    """The driver's page lists each booking with its passenger; a passenger's page shows the
    driver's facts (journeys counted, whatever their number)."""
    ride = _publish([in_alpha["driver"]])[0]
    passengers = _drivers(8, first=20)
    for someone in passengers[:2]:
        book(ride, someone)
    driver, citizen = alpha.client("driver"), alpha.client("citizen")
    path = f"/rides/{ride.pk}/"
    two, page = _queries(driver, path)
    assert len(page.context["bookings"]) == 2
    two_seen, _ = _queries(citizen, path)
    for someone in passengers[2:]:
        book(ride, someone)
    _publish([in_alpha["driver"]] * 6, first_minute=10)  # more rides by the same driver
    eight, page = _queries(driver, path)
    assert len(page.context["bookings"]) == 8
    assert len(eight) == len(two), "\n".join(eight)
    eight_seen, _ = _queries(citizen, path)
    assert len(eight_seen) == len(two_seen), "\n".join(eight_seen)


def test_the_territory_settings_are_read_once_per_page(alpha):
    """The base template's context processor and the map tiles' middleware share one read
    (themes.selectors.settings_of_request)."""
    client = alpha.client("citizen")
    # The publish form's date field reads the publication horizon on its own (2 there; 4
    # before: the view, the form, the context processor and the middleware).
    expected = {"/": 1, "/my-trips/": 1, "/rides/new/": 2}
    reads = {}
    for path in expected:
        queries, _ = _queries(client, path)
        reads[path] = len([q for q in queries if 'FROM "themes_territorysettings"' in q])
    assert reads == expected
