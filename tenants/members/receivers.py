from allauth.account.signals import password_reset, user_signed_up
from django.db import connection
from django.dispatch import receiver

from .services import membership_join
from .signin import account_unlock


@receiver(user_signed_up)
def join_on_signup(sender, request, user, **kwargs):
    # The sign-up form carries the consent checkbox for the territory it was shown on.
    if connection.schema_name != "public":
        membership_join(user)


@receiver(password_reset)
def unlock_on_password_reset(sender, request, user, **kwargs):
    account_unlock(user)
