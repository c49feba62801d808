"""The platform admin (public site) is for superusers; territories' own admins cannot use it."""

from django.test import Client

from core.services import user_ensure_verified
from tests.factories import PASSWORD


def admin_client(email: str, *, superuser: bool) -> Client:
    user = user_ensure_verified(email, password=PASSWORD)
    user.is_staff = user.is_superuser = superuser
    user.save()
    client = Client(HTTP_HOST="localhost")
    client.post("/admin/login/", {"username": email, "password": PASSWORD})
    return client


def test_superuser_sees_territories_domains_people_and_areas(archipel, db):
    client = admin_client("root@archipel.test", superuser=True)
    for path in ["/admin/tenants/territory/", "/admin/core/user/", "/admin/tenants/area/?q=Nice"]:
        assert client.get(path).status_code == 200, path
    page = client.get("/admin/tenants/territory/").content.decode()
    assert "Alpha" in page and "Beta" in page
    alpha = archipel["alpha"].territory
    assert client.get(f"/admin/tenants/territory/{alpha.pk}/change/").status_code == 200


def test_territory_admin_is_not_a_platform_admin(alpha):
    client = Client(HTTP_HOST="localhost")
    client.post("/admin/login/", {"username": alpha.email("admin"), "password": PASSWORD})
    response = client.get("/admin/tenants/territory/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_platform_admin_is_not_served_on_territory_domains(alpha):
    assert alpha.client("admin").get("/admin/").status_code == 404
