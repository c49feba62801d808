"""`manage.py create_territory`: every boundary source, and every bad input leaves nothing."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from tenants.members.models import Membership, Role
from tenants.models import Area, Domain, Territory
from themes.models import TerritorySettings, Theme


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None


def create(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("create_territory", *args, stdout=out)
    return out.getvalue()


def assert_nothing_created(slug: str, domain: str) -> None:
    connection.set_schema_to_public()
    assert not Territory.objects.filter(slug=slug).exists()
    assert not Domain.objects.filter(domain=domain).exists()
    assert not schema_exists("t_" + slug.replace("-", "_"))


def test_from_epci_takes_every_commune_of_the_epci(archipel, db):
    # Métropole Nice Côte d'Azur
    siren = Area.objects.get(code="06088").epci
    expected = set(Area.objects.filter(epci=siren).values_list("code", flat=True))
    assert len(expected) > 40

    create(
        "--slug",
        "nca",
        "--name",
        "Nice Côte d'Azur",
        "--epci",
        siren,
        "--domain",
        "nca.localhost",
        "--domain",
        "covoit.nca.localhost",
        "--admin-email",
        "Mobilite@NCA.example",
    )

    territory = Territory.objects.get(slug="nca")
    assert set(territory.areas.values_list("code", flat=True)) == expected
    assert territory.boundary.contains(Area.objects.get(code="06088").geometry.point_on_surface)
    assert sorted(territory.domains.values_list("domain", "is_primary")) == [
        ("covoit.nca.localhost", False),
        ("nca.localhost", True),
    ]
    assert schema_exists("t_nca")
    with schema_context("t_nca"):
        assert Theme.objects.get().display_name == "Nice Côte d'Azur"
        assert TerritorySettings.objects.get().cost_per_km_default > 0
        admin = Membership.objects.select_related("user").get()
        assert admin.user.email == "Mobilite@nca.example"
        assert admin.has_role(Role.TERRITORY_ADMIN)
        assert not admin.user.has_usable_password()


def test_from_commune_list(archipel, db):
    create(
        "--slug",
        "paillons",
        "--name",
        "Paillons",
        "--insee",
        "06088,06004",
        "--domain",
        "paillons.localhost",
    )
    territory = Territory.objects.get(slug="paillons")
    assert sorted(territory.areas.values_list("code", flat=True)) == ["06004", "06088"]
    with schema_context(territory.schema_name):
        assert Membership.objects.count() == 0


def test_from_departement(archipel, db):
    create(
        "--slug",
        "alpes-maritimes",
        "--name",
        "Alpes-Maritimes",
        "--departement",
        "06",
        "--domain",
        "am.localhost",
    )
    assert Territory.objects.get(slug="alpes-maritimes").areas.count() == 163


def test_from_geojson_boundary(archipel, db, tmp_path):
    path = tmp_path / "boundary.geojson"
    nice = Area.objects.get(code="06088").geometry
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": json.loads(nice.geojson)}
                ],
            }
        )
    )
    create(
        "--slug", "drawn", "--name", "Drawn", "--boundary", str(path), "--domain", "drawn.localhost"
    )
    territory = Territory.objects.get(slug="drawn")
    assert list(territory.areas.values_list("code", flat=True)) == ["06088"]
    assert abs(territory.boundary.area - nice.area) / nice.area < 1e-6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--insee", "06088,99999"], "Unknown area code: 99999"),
        (["--epci", "000000000"], "No commune matches EPCI 000000000"),
        (["--departement", "XX"], "No commune matches"),
        (["--region", "00"], "No commune matches"),
    ],
)
def test_codes_that_match_nothing(archipel, db, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create("--slug", "ghost", "--name", "Ghost", "--domain", "ghost.localhost", *args)
    assert_nothing_created("ghost", "ghost.localhost")


@pytest.mark.parametrize(
    "slug", ["Alpha", "a", "-x-", "9lives", "has_underscore", "double--hyphen", "public", "x" * 41]
)
def test_invalid_slug(archipel, db, slug):
    with pytest.raises(CommandError, match="Invalid slug"):
        create(f"--slug={slug}", "--name", "X", "--insee", "06088", "--domain", "x.localhost")
    assert_nothing_created(slug, "x.localhost")


def test_slug_already_used(alpha):
    with pytest.raises(CommandError, match="already used"):
        create(
            "--slug", "alpha", "--name", "Again", "--insee", "06004", "--domain", "again.localhost"
        )
    assert not Domain.objects.filter(domain="again.localhost").exists()
    assert Territory.objects.filter(slug="alpha").count() == 1


def test_domain_already_used(alpha):
    with pytest.raises(CommandError, match="Domain already used: alpha.localhost"):
        create(
            "--slug",
            "copycat",
            "--name",
            "Copycat",
            "--insee",
            "06004",
            "--domain",
            "fresh.localhost",
            "--domain",
            "alpha.localhost",
        )
    assert_nothing_created("copycat", "fresh.localhost")


def test_invalid_domain(archipel, db):
    with pytest.raises(CommandError, match="Invalid domain"):
        create("--slug", "baddomain", "--name", "X", "--insee", "06004", "--domain", "not a host")
    assert_nothing_created("baddomain", "not a host")


def test_geojson_without_polygon_is_an_empty_boundary(archipel, db, tmp_path):
    path = tmp_path / "points.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {"type": "Point", "coordinates": [7, 43]},
                    }
                ],
            }
        )
    )
    with pytest.raises(CommandError, match="no polygon"):
        create(
            "--slug", "empty", "--name", "Empty", "--boundary", str(path), "--domain", "e.localhost"
        )
    assert_nothing_created("empty", "e.localhost")


def test_geojson_not_json(archipel, db, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        create(
            "--slug", "broken", "--name", "B", "--boundary", str(path), "--domain", "b.localhost"
        )
    assert_nothing_created("broken", "b.localhost")


def test_failure_after_the_schema_exists_rolls_everything_back(archipel, db, monkeypatch):
    """A failure late in provisioning (here: the first admin) must not leave the schema."""
    import provisioning.services as services

    def explode(email):
        raise RuntimeError("mail server exploded")

    monkeypatch.setattr(services, "membership_grant_admin", explode)
    with pytest.raises(RuntimeError):
        create(
            "--slug",
            "halfway",
            "--name",
            "Halfway",
            "--insee",
            "06004",
            "--domain",
            "halfway.localhost",
            "--admin-email",
            "a@b.example",
        )
    assert_nothing_created("halfway", "halfway.localhost")
