"""Password reset by e-mail and signing out, on a territory's own domain."""

import re

from django.core import mail
from django.test import Client

from core.models import User
from tests.factories import PASSWORD


def test_password_reset_by_email_link_on_the_territory_domain(alpha):
    client = Client(HTTP_HOST=alpha.host)
    response = client.post("/accounts/password/reset/", {"email": alpha.email("citizen")})
    assert response.status_code == 302
    body = mail.outbox[-1].body
    link = re.search(r"http://alpha\.localhost/accounts/password/reset/key/[^\s]+/", body)
    assert link, body
    path = "/" + link.group(0).split("/", 3)[3]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.request["PATH_INFO"],
        {"password1": "a-brand-new-secret", "password2": "a-brand-new-secret"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=alpha["citizen"].pk).check_password("a-brand-new-secret")
    assert not User.objects.get(pk=alpha["citizen"].pk).check_password(PASSWORD)


def test_password_reset_for_unknown_address_reveals_nothing(alpha):
    client = Client(HTTP_HOST=alpha.host)
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302  # same answer as for a known address
    assert all("password/reset/key" not in m.body for m in mail.outbox)


def test_sign_out(alpha):
    client = alpha.client("citizen")
    assert client.get("/api/v1/me/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/api/v1/me/").status_code == 403


def test_links_in_account_emails_never_follow_the_request_host(alpha):
    """Regression: with ALLOWED_HOSTS=*, a reset asked through `WWW.Alpha.localhost.:9999`
    (or any Host routed to the territory) sent a link to that host. Links and the site's name
    come from the territory's primary domain and SITE_SCHEME."""
    client = Client(HTTP_HOST="WWW.Alpha.localhost.:9999")
    response = client.post("/accounts/password/reset/", {"email": alpha.email("citizen")})
    assert response.status_code == 302
    body = mail.outbox[-1].body
    assert re.search(r"http://alpha\.localhost/accounts/password/reset/key/[^\s]+/", body), body
    # The port asked never reaches the links (a reset key may contain "9999" by chance).
    assert ":9999" not in body and "www." not in body.lower() and "Alpha.localhost" not in body
