"""The shared cast: the public site and two territories, Alpha and Beta, each with one person
per role, created once per test session in the real test database; and the fixtures every test
directory shares (a ride in Alpha, a booking whose pickup is past, October's journeys).

Helpers shared between test modules live in non-test modules (tests/factories.py, forms.py,
websockets.py, reputation.py, interop/providers.py): test modules never import from one
another."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.services import user_ensure_verified
from demo.seed import ANDORRA_EXTRACT, DEMO_GRAPH, PARISHES_FILE, ensure_public_territory
from matching.graphs import graph_build
from matching.maps import tiles_build, tiles_path
from provisioning.services import BoundarySource, territory_create
from tenants.management.commands.load_areas import load_areas
from tenants.members.models import Role
from tenants.members.services import membership_join
from tenants.models import Territory
from trips.models import Journey
from trips.services.rides import offer_publish

# The cluster's fault tests run against a running cluster, on their own (make test-cluster).
collect_ignore = ["cluster"]

# The shared helpers' asserts report like the tests' own (before they are first imported).
pytest.register_assert_rewrite(
    "tests.factories",
    "tests.forms",
    "tests.reputation",
    "tests.websockets",
    "tests.interop.providers",
)

from .factories import (  # noqa: E402
    ANDORRA_LA_VELLA,
    ENCAMP,
    PASSWORD,
    booking_taken,
    october_journey,
    person,
    tomorrow_at,
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The browser tests run last, after pytest-django's own ordering (which puts the tests
    without a database after the others): Playwright's sync API keeps an event loop in the
    main thread and sets DJANGO_ALLOW_ASYNC_UNSAFE for the rest of the session, where
    async_to_sync can no longer run and a production check would object."""
    items.sort(key=lambda item: item.path.parent.name == "e2e")  # stable: the rest keep order


TEST_GRAPH = DEMO_GRAPH  # the real Andorra road network, shared by both test territories
CAST = {
    "citizen": [Role.CITIZEN],
    "driver": [Role.CITIZEN],
    "admin": [Role.CITIZEN, Role.TERRITORY_ADMIN],
    "data": [Role.CITIZEN, Role.DATA_OFFICER],
    "operator": [Role.CITIZEN, Role.OPERATOR],
    "volunteer": [Role.CITIZEN, Role.VOLUNTEER],
    "beneficiary": [Role.BENEFICIARY],
}


@dataclass
class Cast:
    territory: Territory
    host: str
    people: dict

    def __getitem__(self, role: str):
        return self.people[role]

    def email(self, role: str) -> str:
        return self.people[role].email

    def client(self, role: str | None = None) -> Client:
        """A browser on this territory's domain, signed in as `role` (anonymous when None)."""
        client = Client(HTTP_HOST=self.host)
        if role:
            response = client.post(
                "/accounts/login/", {"login": self.email(role), "password": PASSWORD}
            )
            assert response.status_code == 302, response.content[:500]
        return client


def _make_cast(slug: str, area_codes: list[str]) -> Cast:
    territory = territory_create(
        slug=slug,
        name=slug.capitalize(),
        domains=[f"{slug}.localhost"],
        source=BoundarySource(area_codes=area_codes),
        graph_name=TEST_GRAPH,
    )
    people = {}
    with schema_context(territory.schema_name):
        for role, roles in CAST.items():
            user = user_ensure_verified(
                f"{role}@{slug}.test", password=PASSWORD, first_name=f"{role.capitalize()}{slug}"
            )
            membership_join(user, roles=roles)
            people[role] = user
    return Cast(territory, f"{slug}.localhost", people)


@pytest.fixture(scope="session")
def archipel(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        # pytest-django sets the test database up only when a collected test asks for one;
        # never write the cast into the development database.
        assert connection.settings_dict["NAME"].startswith("test_"), "request the db fixture"
        call_command("load_communes", verbosity=0)
        load_areas(PARISHES_FILE, "AD")
        ensure_public_territory()
        graph_build(ANDORRA_EXTRACT, TEST_GRAPH)
        if not tiles_path(TEST_GRAPH).exists():  # kept between runs, like the graph's file
            tiles_build(ANDORRA_EXTRACT, TEST_GRAPH)
        alpha = _make_cast("alpha", ["AD-03"])  # Encamp
        beta = _make_cast("beta", ["AD-08"])  # Escaldes-Engordany
        # Alpha and Beta share their searches with each other only: the demo territories the
        # browser tests load share the same road graph and stay out of these tests' results.
        for cast, partner in ((alpha, "beta"), (beta, "alpha")):
            cast.territory.federation_partners = [partner]
            cast.territory.save(update_fields=["federation_partners"])
        connection.set_schema_to_public()
    yield {"alpha": alpha, "beta": beta}
    with django_db_blocker.unblock():
        _close_other_connections()


def _close_other_connections(timeout: float = 10) -> None:
    """The test database can only be dropped once no other backend uses it: the browser
    tests' server process and the websocket consumers' threads may leave one for a moment."""
    import time

    query = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_terminate_backend(pid) {query}")
        while time.monotonic() < deadline:
            cursor.execute(f"SELECT count(*) {query}")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture
def alpha(archipel, db) -> Cast:
    return archipel["alpha"]


@pytest.fixture
def beta(archipel, db) -> Cast:
    return archipel["beta"]


@pytest.fixture(autouse=True)
def _public_schema_and_clean_cache():
    """Each test starts in `public` with an empty cache (rate limits included)."""
    cache.clear()
    yield
    connection.set_schema_to_public()


@pytest.fixture
def session_for():
    """A signed-in session of `user` on the territory of `schema` (for websocket tests)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from core.middleware import SESSION_TERRITORY_KEY

    def make(user, schema: str) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SESSION_TERRITORY_KEY] = schema
        session.save()
        return session.session_key

    return make


@pytest.fixture
def in_alpha(alpha):
    with schema_context(alpha.territory.schema_name):
        yield alpha


@pytest.fixture
def ride(in_alpha):
    """Encamp → Andorra la Vella tomorrow at 08:00, 3 seats, by Alpha's driver."""
    return offer_publish(
        driver=in_alpha["driver"],
        origin=ENCAMP,
        destination=ANDORRA_LA_VELLA,
        departure_at=tomorrow_at(8),
    )


@pytest.fixture
def done(ride, in_alpha):
    """An accepted booking whose pickup was 20 minutes ago."""
    return booking_taken(ride, in_alpha, ago=timedelta(minutes=30), pickup_after=10, ride_min=10)


@pytest.fixture
def october(alpha):
    """Encamp → Andorra la Vella: 3 journeys, 6 people, 4 seats, 10 km each;
    Encamp → Escaldes: 1 journey, 2 people. Outside the period: one in September."""
    with schema_context(alpha.territory.schema_name):
        people = [person(n) for n in range(10)]
        october_journey(people[0], people[1])
        october_journey(people[2], people[3], seats=2)
        october_journey(people[4], people[5])
        october_journey(people[6], people[7], destination="AD-08", km=4.0)
        october_journey(people[8], people[9], day=1, km=99).pickup_at  # noqa: B018
        Journey.objects.filter(distance_m=99_000).update(
            pickup_at=timezone.make_aware(timezone.datetime(2026, 9, 30, 8, 0))
        )
        yield people
