"""A territory's archive restored on a new deployment (its own database, nothing shared with
this one): every table comes back with the same number of rows, including those that point to
people who are not members — a partner's passenger, a banned person, a deleted account.

Regression: the export carried only the members' accounts, so the restore failed on the rows
of everyone else (their foreign keys)."""

import json
import os
import subprocess
import sys
import zipfile

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import schema_context

from interop.partners import partner_register
from interop.services import partner_passenger_account
from provisioning.archive import export_territory
from provisioning.services import BoundarySource, territory_create
from tenants.members.models import Role
from tenants.members.portability import account_delete
from tenants.members.services import membership_join
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, PASSWORD, book, tomorrow_at
from tests.servers import database_url
from trips.services.rides import offer_publish
from trust.moderation import member_ban

SLUG = "gamma"
SCHEMA = "t_gamma"


def _counts(dbname: str) -> dict[str, int]:
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"],
                         password=db["PASSWORD"], dbname=dbname) as conn:  # fmt: skip
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_type = 'BASE TABLE'", [SCHEMA])]  # fmt: skip
        return {t: conn.execute(f'SELECT count(*) FROM {SCHEMA}."{t}"').fetchone()[0]
                for t in tables}  # fmt: skip


def _manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
                   check=True, capture_output=True)  # fmt: skip


@pytest.fixture
def gamma(archipel, django_db_blocker):
    """A committed territory (pg_dump sees only what is committed) with a ride booked by a
    member, by a partner's passenger, by a person banned since and by one who deleted their
    account since."""
    with django_db_blocker.unblock():
        territory = territory_create(
            slug=SLUG, name="Gamma", domains=["gamma.localhost"],
            source=BoundarySource(area_codes=["AD-03"]), graph_name="andorra",
        )  # fmt: skip
        people = {}
        with schema_context(SCHEMA):
            User = get_user_model()
            for name in ("driver", "admin", "member", "banned", "leaver"):
                people[name] = User.objects.create_user(
                    email=f"{name}@gamma.test", password=PASSWORD, first_name=name.title()
                )
                roles = [Role.CITIZEN] + ([Role.TERRITORY_ADMIN] if name == "admin" else [])
                membership_join(people[name], roles=roles)
            ride = offer_publish(driver=people["driver"], origin=ENCAMP,
                                 destination=ANDORRA_LA_VELLA, departure_at=tomorrow_at(9),
                                 seats=4)  # fmt: skip
            partner, _key = partner_register(name="MaaS", operator="maas.example", endpoints=[])
            people["passenger"] = partner_passenger_account(partner, "ext-1", "Alex")
            for name in ("member", "passenger", "banned", "leaver"):
                book(ride, people[name], pickup=ESCALDES, dropoff=ANDORRA_LA_VELLA)
            member_ban(people["admin"], reason="Comportement dangereux", user=people["banned"])
            account_delete(people["leaver"])
        connection.set_schema_to_public()
    yield territory, people
    with django_db_blocker.unblock():
        territory.delete()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        # Nothing else points to these accounts any more (no e-mail address rows: made here).
        get_user_model().objects.filter(pk__in=[u.pk for u in people.values()])._raw_delete(
            connection.alias
        )


@pytest.fixture
def new_deployment():
    """An empty Archipel database: shared schema migrated, areas loaded (README, step 1)."""
    name = settings.DATABASES["default"]["NAME"] + "_restore"
    url = database_url(NAME=name)
    admin = database_url(NAME="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    subprocess.run(["scripts/setup-db.sh"], cwd=settings.BASE_DIR, check=True,
                   env={**os.environ, "DATABASE_URL": url}, capture_output=True)  # fmt: skip
    _manage(url, "migrate_schemas", "--shared", "-v", "0")
    _manage(url, "load_areas", "data/geo/andorra-parishes.geojson", "--country", "AD")
    yield name, url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_every_row_comes_back_on_a_new_deployment(
    gamma, new_deployment, tmp_path, django_db_blocker
):
    territory, people = gamma
    name, url = new_deployment
    before = _counts(settings.DATABASES["default"]["NAME"])
    assert before["trips_booking"] == 4 and before["trust_sanction"] == 1

    with django_db_blocker.unblock():
        path = export_territory(territory, tmp_path / "gamma.zip")
    exported = json.loads(zipfile.ZipFile(path).read("public.json"))["users"]
    ids = {person["id"] for person in exported}
    for who in ("passenger", "banned", "leaver", "member", "driver"):
        assert people[who].pk in ids, who
    leaver = next(p for p in exported if p["id"] == people["leaver"].pk)
    assert leaver["email"] is None and leaver["is_active"] is False

    _manage(url, "import_territory", str(path))
    assert _counts(name) == before
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        restored = conn.execute("SELECT count(*) FROM core_user").fetchone()[0]
    assert restored == len(ids)
