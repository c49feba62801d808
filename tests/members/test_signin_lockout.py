"""Wrong passwords lock an account from one address only (django-axes): whoever types them
cannot lock the owner out, who signs in from anywhere else. The locked answer is the French
sign-in page, status 429, saying when to retry — never a 500. Regression: allauth's own limit
locked the account itself, from everywhere, after five wrong passwords."""

import re

from asgiref.sync import async_to_sync
from django.core import mail
from django.test import AsyncClient, Client

from tests.factories import PASSWORD

A = "203.0.113.10"  # the one typing wrong passwords
B = "198.51.100.20"  # the owner, elsewhere
WRONG = "not-the-password"


def sign_in(cast, email: str, password: str, address: str, client: Client | None = None):
    client = client or Client(HTTP_HOST=cast.host)
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address
    )


def test_wrong_passwords_lock_the_account_from_that_address_only(alpha):
    email = alpha.email("citizen")
    for _ in range(4):
        assert sign_in(alpha, email, WRONG, A).status_code == 200  # the form, with its error
    assert sign_in(alpha, email, WRONG, A).status_code == 429  # the fifth: locked

    owner = sign_in(alpha, email, PASSWORD, B)
    assert owner.status_code == 302  # the owner signs in from elsewhere
    assert sign_in(alpha, email, PASSWORD, A).status_code == 429  # A stays locked, even right
    assert sign_in(alpha, alpha.email("driver"), PASSWORD, A).status_code == 302  # others: no


def test_the_locked_answer_is_the_french_sign_in_page(alpha):
    email = alpha.email("citizen")
    for _ in range(5):
        response = sign_in(alpha, email, WRONG, A)
    assert response.status_code == 429
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Trop de mots de passe erronés pour ce compte depuis votre connexion" in page
    assert "Réessayez dans 15 minutes." in page
    assert 'name="login"' in page and 'name="password"' in page  # the form, to retry later
    assert "/accounts/password/reset/" in page
    assert "Content-Security-Policy" in response.headers


def test_attempts_count_across_the_archipel_whatever_the_case(alpha, beta):
    """Accounts are shared, so are their attempts: trying territory after territory, or the
    address in capitals, does not start the count again."""
    email = alpha.email("citizen")
    for _ in range(3):
        assert sign_in(alpha, email, WRONG, A).status_code == 200
    assert sign_in(beta, email.upper(), WRONG, A).status_code == 200
    assert sign_in(beta, email, WRONG, A).status_code == 429
    assert sign_in(alpha, email, PASSWORD, A).status_code == 429


def test_a_password_reset_lifts_the_lock(alpha):
    email = alpha.email("citizen")
    for _ in range(5):
        sign_in(alpha, email, WRONG, A)
    client = Client(HTTP_HOST=alpha.host, REMOTE_ADDR=A)
    client.post("/accounts/password/reset/", {"email": email})
    body = mail.outbox[-1].body
    link = re.search(r"http://alpha\.localhost(/accounts/password/reset/key/[^\s]+/)", body)
    form_page = client.get(link.group(1), follow=True)
    new = {"password1": "a-brand-new-secret", "password2": "a-brand-new-secret"}
    assert client.post(form_page.request["PATH_INFO"], new).status_code == 302
    assert sign_in(alpha, email, "a-brand-new-secret", A).status_code == 302


def test_the_platform_admin_sign_in_locks_the_same_way(archipel, db):
    public = Client(HTTP_HOST="localhost")
    login = {"username": "nobody@archipel.test", "password": WRONG}
    for _ in range(5):
        response = public.post("/admin/login/", login, REMOTE_ADDR=A)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Trop de mots de passe erronés" in page and 'name="username"' in page
    assert public.post("/admin/login/", login, REMOTE_ADDR=B).status_code == 200


class AsgiVisitor(AsyncClient):
    """A browser reaching the ASGI application (as uvicorn serves it) from `address`."""

    def __init__(self, host: str, address: str):
        super().__init__()
        self.host, self.address = host.encode(), address

    def _base_scope(self, **request):
        scope = super()._base_scope(**request)
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"]
        scope["headers"].append((b"host", self.host))
        scope["client"] = [self.address, 0]
        return scope


def test_the_locked_answer_under_asgi(alpha):
    """Under ASGI django-axes hands its lockout callable other arguments: the page must not
    depend on them."""
    visitor = AsgiVisitor(alpha.host, A)
    login = {"login": alpha.email("citizen"), "password": WRONG}

    async def five_wrong_passwords():
        for _ in range(5):
            response = await visitor.post("/accounts/login/", login)
        return response

    response = async_to_sync(five_wrong_passwords)()
    assert response.status_code == 429
    assert "Trop de mots de passe erronés" in response.content.decode()
