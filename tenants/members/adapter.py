"""django-allauth's adapter: sign-up only on a territory, and the links and site name in its
e-mails (address confirmation, password reset) taken from the territory — its primary domain
and `SITE_SCHEME` — never from the request's Host, which a client chooses; each mail also has
an HTML part in the territory's look (core.mail)."""

from dataclasses import dataclass
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.db import connection
from django.urls import reverse
from django.utils.http import urlencode

from core.mail import with_html
from tenants.selectors import current_territory, territory_link

from .selectors import membership_for


@dataclass(frozen=True)
class TerritorySite:
    """What allauth's e-mail templates read as `current_site`."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People sign up on a territory, which they join at the same time; the public site
        # only lists the archipel.
        return connection.schema_name != "public"

    def post_login(self, request, user, **kwargs):
        """Signing in on a territory one has not joined yet leads to its consent screen, then
        where the person was going (`next`, or the home page)."""
        response = super().post_login(request, user, **kwargs)
        wanted = response.get("Location", "") if response.status_code == 302 else ""
        join = reverse("join")
        if (
            not wanted
            or wanted.startswith(join)
            or connection.schema_name == "public"
            or membership_for(user) is not None
        ):
            return response
        response["Location"] = join + "?" + urlencode({"next": wanted})
        return response

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return territory_link(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return territory_link(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's text mail, with the HTML part in the territory's look (core.mail)."""
        return with_html(super().render_mail(template_prefix, email, context, headers))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        territory = current_territory()
        site = TerritorySite(name=territory.name, domain=territory.primary_host or "localhost")
        super().send_mail(template_prefix, email, {**context, "current_site": site})
