"""One account across the archipel: sign up on Alpha, sign in on Beta, join Beta only after
consenting; until then Beta's members, admins and API do not see the person."""

import re

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from core.models import User
from tenants.members.models import Membership, Role
from tests.factories import PASSWORD


def sign_up(host: str, email: str, *, consent: bool = True) -> Client:
    client = Client(HTTP_HOST=host)
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "first_name": "Léa"}
    if consent:
        data["consent"] = data["charter"] = "on"
    response = client.post("/accounts/signup/", data)
    return client, response


def confirm_email(client: Client) -> None:
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    path = "/" + link.group(0).split("/", 3)[3]
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302


def members_of(cast) -> set[str]:
    with schema_context(cast.territory.schema_name):
        return set(Membership.objects.values_list("user__email", flat=True))


def test_sign_up_joins_only_the_territory_it_happens_on(alpha, beta):
    client, response = sign_up(alpha.host, "lea@example.org")
    assert response.status_code == 302
    assert "alpha.localhost" in mail.outbox[-1].body
    # E-mail verification is mandatory before signing in.
    login = Client(HTTP_HOST=alpha.host).post(
        "/accounts/login/", {"login": "lea@example.org", "password": PASSWORD}
    )
    assert login.status_code == 302 and "confirm-email" in login["Location"]
    confirm_email(client)

    assert "lea@example.org" in members_of(alpha)
    assert "lea@example.org" not in members_of(beta)
    with schema_context(alpha.territory.schema_name):
        membership = Membership.objects.get(user__email="lea@example.org")
        assert membership.roles == [Role.CITIZEN] and membership.consented_at is not None
    assert User.objects.get(email="lea@example.org").first_name == "Léa"


def test_sign_up_requires_consent_and_leaves_nothing_without_it(alpha):
    _client, response = sign_up(alpha.host, "noconsent@example.org", consent=False)
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not User.objects.filter(email="noconsent@example.org").exists()


def test_sign_up_is_closed_on_the_public_site(archipel, db):
    response = Client(HTTP_HOST="localhost").post(
        "/accounts/signup/", {"email": "x@example.org", "password1": PASSWORD}
    )
    assert response.status_code == 404
    assert not User.objects.filter(email="x@example.org").exists()


def test_same_credentials_on_another_territory_lead_to_the_consent_screen(alpha, beta):
    person = alpha["citizen"]
    client = Client(HTTP_HOST=beta.host)
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/join/")
    consent = client.get(response["Location"])
    assert consent.status_code == 200
    assert "votre prénom et votre adresse e-mail" in consent.content.decode()

    # Before accepting, Beta sees nothing of this person.
    assert person.email not in members_of(beta)
    admin = beta.client("admin")
    assert person.email not in admin.get("/manage/members/").content.decode()
    assert person.email not in str(admin.get("/api/v1/members/").json())
    # And the person cannot use Beta's API as a member.
    assert client.get("/api/v1/me/").status_code == 403

    # The charter must be accepted to join.
    refused = client.post("/join/", {"decision": "accept", "next": "/"})
    assert refused.status_code == 400 and person.email not in members_of(beta)
    assert "acceptez la charte" in refused.content.decode()
    response = client.post("/join/", {"decision": "accept", "charter": "on", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert person.email in members_of(beta)
    assert client.get("/api/v1/me/").json()["roles"] == [Role.CITIZEN]
    assert person.email in admin.get("/manage/members/").content.decode()


def test_declining_leaves_no_membership_and_lets_her_browse_signed_in(alpha, beta):
    person = alpha["driver"]
    client = Client(HTTP_HOST=beta.host)
    client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    asked = client.get("/join/", {"next": "/rides/new/"}).content.decode()
    assert "rejoignez d’abord ce territoire" in asked  # she is told why she is asked
    response = client.post("/join/", {"decision": "decline"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert person.email not in members_of(beta)
    assert client.get("/api/v1/me/").status_code == 403
    assert client.session["_auth_user_id"] == str(person.pk)  # still signed in
    home = client.get("/")
    assert home.status_code == 200 and "Vous pouvez toujours chercher des trajets" in (
        home.content.decode()
    )


def test_join_redirect_target_stays_on_the_site(alpha, beta):
    client = Client(HTTP_HOST=beta.host)
    client.post("/accounts/login/", {"login": alpha.email("data"), "password": PASSWORD})
    response = client.post(
        "/join/", {"decision": "accept", "charter": "on", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize("lang_cookie, expected", [(None, "Se connecter"), ("en", "Sign in")])
def test_pages_are_french_unless_another_language_is_chosen(alpha, lang_cookie, expected):
    client = Client(HTTP_HOST=alpha.host, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    if lang_cookie:
        client.cookies["django_language"] = lang_cookie
    page = client.get("/accounts/login/").content.decode()
    assert expected in page


def test_a_signed_in_non_member_browses_as_a_visitor_and_joins_to_act(alpha, beta, ride):
    """Someone of Beta, signed in on Alpha without having joined it: they search and open
    rides like a visitor; their own pages and acting (booking) ask them to join first."""
    person = beta["citizen"]
    client = Client(HTTP_HOST=alpha.host)
    client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    home = client.get("/")
    assert home.status_code == 200
    # The header offers to join, not member pages that would all send to the consent screen.
    assert 'href="/join/?next=/"' in home.content.decode().replace("%2F", "/")
    assert 'href="/my-trips/"' not in home.content.decode()
    assert client.get("/places/", {"q": "encamp"}).status_code == 200
    assert client.get(f"/rides/{ride.pk}/").status_code == 200
    acting = client.post(f"/rides/{ride.pk}/", {"seats": 1})
    assert acting.status_code == 303
    assert acting["Location"] == f"/join/?next=%2Frides%2F{ride.pk}%2F%3Fseats%3D1"
    mine = client.get("/my-trips/")
    assert mine.status_code == 302 and mine["Location"].startswith("/join/")
    assert client.get("/manage/").status_code == 403
    assert person.email not in members_of(alpha)  # browsing joined nothing
