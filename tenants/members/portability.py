"""The right to take one's data and to leave: everything a person has in the archipel as one
JSON document, and the deletion of their account.

Deleting keeps the rows the territories' figures need (journeys) but nothing that identifies
the person: the `User` row loses e-mail, phone, names and password and is marked deleted
(conversations then show "deleted user"); in every territory their rides and bookings still to
come are cancelled (the other side is told), and their membership, alerts, notifications and
choices are removed."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from . import signals
from .models import Membership
from .selectors import memberships_everywhere

FORMAT = "archipel-personal-data/1"


def _in_territory(user, membership) -> dict:
    sections = {
        "membership": {
            "roles": membership.roles,
            "joined_at": membership.joined_at,
            "consented_at": membership.consented_at,
        }
    }
    for _receiver, part in signals.personal_data_requested.send(sender=Membership, user=user):
        sections.update(part)
    return sections


def personal_data(user) -> dict:
    """Everything the archipel holds about the person, in every territory they belong to."""
    return {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "profile": {
            "email": user.email,
            "phone": user.phone,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
        },
        "territories": [
            {"slug": t.slug, "name": t.name, **_in_territory(user, membership)}
            for t, membership in memberships_everywhere(user)
        ],
    }


def _leave_territory(user, membership) -> None:
    signals.member_leaving.send(sender=Membership, user=user)
    membership.delete()


@transaction.atomic
def account_delete(user) -> None:
    """Delete the person's account everywhere (see the module's docstring)."""
    for territory, membership in list(memberships_everywhere(user)):
        with schema_context(territory.schema_name):
            _leave_territory(user, membership)
    User = get_user_model()
    User.objects.filter(pk=user.pk).update(
        email=None,
        phone="",
        first_name="",
        last_name="",
        is_active=False,
        is_staff=False,
        is_superuser=False,
        deleted_at=timezone.now(),
    )
    user.refresh_from_db()
    user.set_unusable_password()
    user.save(update_fields=["password"])
