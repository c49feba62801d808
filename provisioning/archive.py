"""A whole territory as one archive, so that the authority can take its data and leave.

`territory.zip` holds:

- `schema.sql` — `pg_dump` of the territory's PostgreSQL schema (every table of the territory:
  members and roles, rides, bookings, journeys, conversations, solidarity, observatory keys
  and logs, partners…), plain SQL without owners or privileges;
- `public.json` — what lives in the shared `public` schema for this territory: the territory
  row (name, slug, schema, boundary, road graph, archipel settings, area codes), its domains,
  and every account a row of the schema points to — its members, and the people who no longer
  are or never were (partners' passengers, banned people, deleted accounts) but whose
  bookings, reports or messages stay — (ids, e-mail, phone, names; never password hashes:
  people set a new password on the new deployment);
- `manifest.json` — format, date, row counts per table;
- `README.txt` — this description and how to restore (see `import_territory`)."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from tenants.models import Area, Domain, Territory

FORMAT = "archipel-territory/1"

README = """Archipel territory archive ({format})

schema.sql     pg_dump of the schema {schema}: every table of the territory, with its data.
public.json    the territory row, its domains, and every account its rows point to
               (members, partners' passengers, banned and deleted people; no passwords).
manifest.json  format, export date, rows per table.

Restore into another Archipel deployment (same or later version):
  1. make run (or: make system venv dbrole; manage.py migrate_schemas --shared) on the new
     deployment; load the same areas (communes) if the territory uses French communes.
  2. .venv/bin/python manage.py import_territory territory.zip
     It creates the accounts (same ids; an account whose e-mail exists already is reused when
     its id matches), the territory row and domains, then runs schema.sql with psql, and
     migrates the schema to the deployment's version.
  3. Members set a new password with "forgot password".
"""


def _db_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    return args + ["-d", db["NAME"]], env


def _account_ids(schema: str) -> set[int]:
    """Every account a row of `schema` points to, read from the schema's foreign keys to the
    accounts table: a new table that points to people is covered without a change here."""
    accounts = f"public.{get_user_model()._meta.db_table}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
            "WHERE c.contype = 'f' AND c.confrelid = %s::regclass "
            "AND c.connamespace = %s::regnamespace",
            [accounts, schema],
        )
        references = cursor.fetchall()
        ids: set[int] = set()
        for table, column in references:
            cursor.execute(f'SELECT DISTINCT "{column}" FROM {table} WHERE "{column}" IS NOT NULL')
            ids.update(row[0] for row in cursor.fetchall())
    return ids


def _public_part(territory: Territory) -> dict:
    users = get_user_model().objects.filter(pk__in=_account_ids(territory.schema_name))
    users = users.order_by("pk")
    return {
        "territory": {
            "slug": territory.slug,
            "name": territory.name,
            "schema_name": territory.schema_name,
            "graph_name": territory.graph_name,
            "boundary": territory.boundary.ewkt if territory.boundary else None,
            "federated": territory.federated,
            "federation_partners": territory.federation_partners,
            "federation_reach_km": territory.federation_reach_km,
            "areas": list(territory.areas.values_list("code", flat=True)),
        },
        "domains": [
            {"domain": d.domain, "is_primary": d.is_primary}
            for d in Domain.objects.filter(tenant=territory)
        ],
        "users": [
            {
                "id": u.pk,
                "email": u.email,
                "phone": u.phone,
                "first_name": u.first_name,
                "last_name": u.last_name,
                "date_joined": u.date_joined,
                "is_active": u.is_active,
                "deleted_at": u.deleted_at,
            }
            for u in users
        ],
    }


def _row_counts(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema],
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def export_territory(territory: Territory, path: Path) -> Path:
    args, env = _db_env()
    dump = subprocess.run(
        ["pg_dump", *args, "--schema", territory.schema_name, "--no-owner", "--no-privileges"],
        capture_output=True,
        env=env,
        check=True,
    ).stdout
    manifest = {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "territory": territory.slug,
        "schema": territory.schema_name,
        "rows": _row_counts(territory.schema_name),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(format=FORMAT, schema=territory.schema_name))
        archive.writestr("schema.sql", dump)
        archive.writestr(
            "public.json", json.dumps(_public_part(territory), cls=DjangoJSONEncoder, indent=2)
        )
        archive.writestr("manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, indent=2))
    return path


class ImportRefused(Exception):
    pass


def import_territory(path: Path) -> Territory:
    """Restore an archive made by `export_territory` into this deployment (see README)."""
    with zipfile.ZipFile(path) as archive:
        public = json.loads(archive.read("public.json"))
        sql = archive.read("schema.sql")
    data = public["territory"]
    if (
        Territory.objects.filter(slug=data["slug"]).exists()
        or Territory.objects.filter(schema_name=data["schema_name"]).exists()
    ):
        raise ImportRefused(f"A territory {data['slug']} already exists here.")
    taken = [d["domain"] for d in public["domains"] if Domain.objects.filter(domain=d["domain"])]
    if taken:
        raise ImportRefused(f"Domains already used here: {', '.join(taken)}.")
    User = get_user_model()
    clashes = []
    for person in public["users"]:
        same_id = User.objects.filter(pk=person["id"]).first()
        if same_id is not None and (same_id.email or "").lower() != (person["email"] or "").lower():
            clashes.append(str(person["id"]))
        elif (
            same_id is None
            and person["email"]
            and User.objects.filter(email__iexact=person["email"]).exists()
        ):
            clashes.append(person["email"])
    if clashes:
        raise ImportRefused(f"Accounts clash with this deployment's: {', '.join(clashes)}.")
    with transaction.atomic():
        for person in public["users"]:
            if not User.objects.filter(pk=person["id"]).exists():
                user = User(**person)
                user.set_unusable_password()
                user.save()
        territory = Territory(
            schema_name=data["schema_name"],
            slug=data["slug"],
            name=data["name"],
            graph_name=data["graph_name"],
            federated=data["federated"],
            federation_partners=data["federation_partners"],
            federation_reach_km=data["federation_reach_km"],
        )
        territory.boundary = data["boundary"]
        territory.auto_create_schema = False  # schema.sql creates it
        territory.save(verbosity=0)
        territory.areas.set(Area.objects.filter(code__in=data["areas"]))
        for domain in public["domains"]:
            Domain.objects.create(tenant=territory, **domain)
        with connection.cursor() as cursor:  # keep the ids of new accounts growing past them
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('core_user', 'id'), "
                "(SELECT max(id) FROM core_user))"
            )
    args, env = _db_env()
    subprocess.run(
        ["psql", *args, "-v", "ON_ERROR_STOP=1", "-q"], input=sql, env=env, check=True,
        capture_output=True,
    )  # fmt: skip
    call_command("migrate_schemas", schema_name=territory.schema_name, verbosity=0)
    return territory
