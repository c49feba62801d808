"""Writes to identities (public schema)."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction


@transaction.atomic
def user_ensure_verified(email: str, *, password: str, first_name: str = "", last_name: str = ""):
    """Create (or find) a person whose e-mail address is already verified: used by the demo and
    by provisioning scripts, never by self sign-up, which verifies by e-mail."""
    User = get_user_model()
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=password, first_name=first_name, last_name=last_name
        )
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user
