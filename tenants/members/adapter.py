from allauth.account.adapter import DefaultAccountAdapter
from django.db import connection


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People sign up on a territory, which they join at the same time; the public site
        # only lists the archipel.
        return connection.schema_name != "public"
