"""Failed sign-ins (django-axes, configured in settings): which account an attempt names, and
the page a locked-out attempt gets — the sign-in page again, status 429, saying when to retry.

The lock holds for one account *from one address* (AXES_LOCKOUT_PARAMETERS): whoever types
wrong passwords cannot lock the owner out, who still signs in from anywhere else."""

from math import ceil

from allauth.account.views import LoginView
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import connection
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name


def login_name(request, credentials: dict | None) -> str:
    """The account an attempt names, spelt one way (e-mail addresses match case-insensitively
    at sign-in, so they must here too): allauth's `email`, the platform admin's `username`, or
    the posted form when axes has no credentials at hand."""
    credentials = credentials or {}
    name = (
        credentials.get("email")
        or credentials.get("username")
        or credentials.get("login")
        or request.POST.get("login")
        or request.POST.get("username")
        or ""
    )
    return str(name).strip().lower()


def account_unlock(user) -> None:
    """Lift the locks on `user`'s account, from every address (after a password reset through
    the e-mailed link: whoever did it holds the mailbox)."""
    if user.email:
        axes_reset(username=login_name(None, {"email": user.email}))


def lockout_minutes() -> int:
    return ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE. Reads nothing but the request: under ASGI django-axes passes its
    arguments in another order."""
    if connection.schema_name == get_public_schema_name():
        return _admin_login_locked(request)
    view = LoginView()
    view.setup(request)
    form = view.get_form_class()(request=request, initial={"login": request.POST.get("login")})
    context = view.get_context_data(form=form)
    context["locked_minutes"] = lockout_minutes()
    # Rendered here: the answer is made in a middleware, after Django renders responses.
    return TemplateResponse(request, "members/login_locked.html", context, status=429).render()


def _admin_login_locked(request):
    """The public site signs in only the platform's administrators (Django's admin)."""
    context = {
        **admin.site.each_context(request),
        "title": _("Log in"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
        "form": AdminAuthenticationForm(request),
        REDIRECT_FIELD_NAME: request.POST.get(REDIRECT_FIELD_NAME) or reverse("admin:index"),
        "locked_minutes": lockout_minutes(),
    }
    request.current_app = admin.site.name
    return TemplateResponse(request, "admin/login.html", context, status=429).render()
