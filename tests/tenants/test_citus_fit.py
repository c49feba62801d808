"""Citus schema-based sharding, checked against today's models (docs/operations.md, "Citus
schema-based sharding"): a territory's schema would become a distributed schema, whose tables
may point only to tables of the same schema or to reference tables. So every relation from a
territory's model (TENANT_APPS) to a shared one (SHARED_APPS, in `public`) names a public table
that must become a reference table: the list written between the doc's
`<!-- citus-reference-tables -->` markers is this set, compared here with the app registry (and
with the foreign keys of a territory's schema in the test database), so that it cannot rot.
The other direction — a public table pointing into a territory's schema — Citus would refuse:
there is none, and any that appears must be listed between `<!-- citus-public-to-tenant -->`."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def _labels(names: list[str]) -> set[str]:
    return {config.label for config in apps.get_app_configs() if config.name in names}


# Apps in both lists (contenttypes) have their tables in every schema: a territory's model that
# points to them points into its own schema.
SHARED = _labels(settings.SHARED_APPS) - _labels(settings.TENANT_APPS)
TENANT = _labels(settings.TENANT_APPS) - _labels(settings.SHARED_APPS)


def _relations(sources: set[str], targets: set[str]) -> dict[str, set[str]]:
    """Referenced table → the relations (`app.Model.field`: foreign keys, one-to-ones,
    many-to-manys, whose auto-created table is the relation's) from models of the `sources`
    apps to models of the `targets` apps."""
    found: dict[str, set[str]] = {}
    for model in apps.get_models():
        if model._meta.app_label not in sources:
            continue
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model):
                continue
            target = field.related_model._meta
            if target.app_label in targets:
                found.setdefault(target.db_table, set()).add(f"{model._meta.label}.{field.name}")
    return found


def _documented(marker: str) -> dict[str, set[str]]:
    """The doc's list between `<!-- marker -->` and `<!-- /marker -->`: one line per table,
    `- \\`table\\` (\\`app.Model\\`), from: \\`app.Model.field\\`, …`."""
    text = DOC.read_text()
    match = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", text, re.S)
    assert match, f"docs/operations.md has no <!-- {marker} --> … <!-- /{marker} --> list"
    listed: dict[str, set[str]] = {}
    for line in re.sub(r"\n\s+", " ", match.group(1)).splitlines():
        names = re.findall(r"`([^`]+)`", line)
        if line.startswith("- ") and names:
            table, _model, *fields = names
            listed[table] = set(fields)
    return listed


def test_reference_tables_documented_are_the_models_relations():
    relations = _relations(TENANT, SHARED)
    assert relations, "no relation from a territory's model to a shared one: the doc says one"
    assert _documented("citus-reference-tables") == relations


def test_no_public_table_points_into_a_territory():
    assert _relations(SHARED, TENANT) == _documented("citus-public-to-tenant")


def test_the_territory_schemas_foreign_keys_agree(alpha):
    """What Citus would see: the foreign keys of a territory's schema to tables of `public`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT confrelid::regclass::text, count(*) FROM pg_constraint WHERE contype = 'f' "
            "AND connamespace = %s::regnamespace AND confrelid IN (SELECT oid FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace) GROUP BY 1",
            [alpha.territory.schema_name],
        )
        constraints = dict(cursor.fetchall())
    documented = _documented("citus-reference-tables")
    assert constraints == {table: len(fields) for table, fields in documented.items()}
