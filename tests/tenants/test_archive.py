"""A territory's whole data as a documented archive the authority can take elsewhere, and its
restoration (here: as a renamed copy in the same deployment)."""

import io
import json
import zipfile

import pytest
from django.test import Client

from provisioning.archive import ImportRefused, export_territory, import_territory
from tenants.models import Territory
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _drop_restored_schema():
    """psql creates the restored schema outside the test's transaction: drop it once the
    module's transactions are over."""
    yield
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
        dbname=db["NAME"], autocommit=True,
    ) as conn:  # fmt: skip
        conn.execute("DROP SCHEMA IF EXISTS t_alphacopy CASCADE")


def test_admin_downloads_the_whole_territory(alpha):
    assert alpha.client("citizen").post("/manage/export/").status_code == 403
    admin = alpha.client("admin")
    assert admin.get("/manage/export/").status_code == 200
    response = admin.post("/manage/export/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert set(archive.namelist()) == {"README.txt", "schema.sql", "public.json", "manifest.json"}
    sql = archive.read("schema.sql").decode()
    assert "CREATE SCHEMA t_alpha;" in sql and "COPY t_alpha.members_membership" in sql
    public = json.loads(archive.read("public.json"))
    emails = {u["email"] for u in public["users"]}
    assert alpha.email("citizen") in emails and alpha.email("admin") in emails
    assert "password" not in archive.read("public.json").decode()
    assert public["territory"]["areas"] == ["AD-03"]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["rows"]["members_membership"] >= 7
    assert "import_territory" in archive.read("README.txt").decode()


def _renamed(path, tmp_path):
    """The archive of Alpha, as if it were a territory called alphacopy."""
    source = zipfile.ZipFile(path)
    target = tmp_path / "copy.zip"
    with zipfile.ZipFile(target, "w") as out:
        for name in source.namelist():
            text = source.read(name).decode()
            if name == "schema.sql":
                text = text.replace("t_alpha", "t_alphacopy")
            if name == "public.json":
                text = (
                    text.replace('"t_alpha"', '"t_alphacopy"')
                    .replace('"slug": "alpha"', '"slug": "alphacopy"')
                    .replace("alpha.localhost", "alphacopy.localhost")
                )
            out.writestr(name, text)
    return target


def test_an_archive_restores_a_working_territory(alpha, tmp_path):
    path = export_territory(Territory.objects.get(slug="alpha"), tmp_path / "alpha.zip")
    with pytest.raises(ImportRefused):
        import_territory(path)  # Alpha is still here: refused, nothing written
    restored = import_territory(_renamed(path, tmp_path))
    assert restored.areas.count() == 1
    visitor = Client(HTTP_HOST="alphacopy.localhost")
    login = {"login": alpha.email("citizen"), "password": PASSWORD}
    assert visitor.post("/accounts/login/", login).status_code == 302
    home = visitor.get("/")
    assert home.status_code == 200  # a member there already: no consent screen
    assert visitor.get("/api/v1/me/").json()["roles"] == ["citizen"]
