"""A member or admin of one territory never reads or changes another territory's data."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenants.members.models import Membership
from tests.factories import PASSWORD
from themes.models import Theme

MANAGEMENT_PAGES = ["/manage/", "/manage/members/", "/manage/appearance/"]


def signed_in_elsewhere(person, cast) -> Client:
    """Someone of Alpha signing in on Beta with the same credentials (no consent given)."""
    client = Client(HTTP_HOST=cast.host)
    assert (
        client.post("/accounts/login/", {"login": person.email, "password": PASSWORD}).status_code
        == 302
    )
    return client


@pytest.mark.parametrize("path", MANAGEMENT_PAGES)
def test_admin_of_alpha_is_refused_beta_management_pages(alpha, beta, path):
    client = signed_in_elsewhere(alpha["admin"], beta)
    assert client.get(path).status_code == 403
    # …and is refused on Alpha only if not an admin there: Alpha's own pages work.
    assert alpha.client("admin").get(path).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/members/", "/api/v1/me/"])
def test_admin_of_alpha_is_refused_beta_api(alpha, beta, path):
    response = signed_in_elsewhere(alpha["admin"], beta).get(path)
    assert response.status_code == 403
    assert response.json()["error"]


def test_admin_of_alpha_cannot_change_beta_roles_or_theme(alpha, beta):
    client = signed_in_elsewhere(alpha["admin"], beta)
    with schema_context(beta.territory.schema_name):
        target = Membership.objects.get(user=beta["citizen"])
    response = client.post(f"/manage/members/{target.pk}/", {"roles": ["territory_admin"]})
    assert response.status_code == 403
    response = client.post("/manage/appearance/", {"theme-display_name": "Hacked"})
    assert response.status_code == 403
    with schema_context(beta.territory.schema_name):
        target.refresh_from_db()
        assert target.roles == ["citizen"]
        assert Theme.objects.get().display_name != "Hacked"


def test_a_session_from_alpha_is_not_valid_on_beta(alpha, beta):
    """Browsers keep cookies per domain; the server refuses a replayed cookie as well."""
    client = alpha.client("admin")
    assert client.get("/manage/").status_code == 200
    alpha_cookie = client.cookies["sessionid"].value
    client.defaults["HTTP_HOST"] = beta.host
    response = client.get("/manage/members/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/me/").status_code == 403
    # The test client has one cookie jar for every host, a browser one per domain.
    client.cookies["sessionid"] = alpha_cookie
    client.defaults["HTTP_HOST"] = alpha.host
    assert client.get("/manage/").status_code == 200  # still signed in on Alpha


def test_member_lists_and_counts_only_hold_the_territory_own_people(alpha, beta):
    admin = beta.client("admin")
    page = admin.get("/manage/members/").content.decode()
    api = admin.get("/api/v1/members/").json()
    emails = {m["email"] for m in api["results"]}
    assert emails == {beta.email(role) for role in beta.people}
    for role in alpha.people:
        assert alpha.email(role) not in page
    counts = admin.get("/manage/").context["counts"]
    assert counts["total"] == len(beta.people)


@pytest.mark.parametrize("role", ["citizen", "data", "operator", "volunteer", "beneficiary"])
def test_members_without_the_admin_role_are_refused_management(alpha, role):
    client = alpha.client(role)
    for path in MANAGEMENT_PAGES:
        assert client.get(path).status_code == 403
    assert client.get("/api/v1/members/").status_code == 403
    assert client.get("/api/v1/me/").status_code == 200


def test_anonymous_is_sent_to_sign_in(alpha):
    client = Client(HTTP_HOST=alpha.host)
    response = client.get("/manage/members/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/members/").status_code == 403


def test_platform_superuser_has_no_implicit_role_in_a_territory(alpha):
    from core.services import user_ensure_verified

    root = user_ensure_verified("root@archipel.test", password=PASSWORD)
    root.is_superuser = root.is_staff = True
    root.save()
    client = Client(HTTP_HOST=alpha.host)
    client.post("/accounts/login/", {"login": "root@archipel.test", "password": PASSWORD})
    assert client.get("/join/").status_code == 200  # signed in, but not a member
    assert client.get("/manage/members/").status_code == 403
