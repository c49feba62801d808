"""Writes to memberships. Every function runs in the current territory's schema."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Membership, Role


@transaction.atomic
def membership_join(user, *, roles: list[str] | None = None) -> Membership:
    """The person explicitly accepted to join this territory (sign-up here, or the consent
    screen when they arrive with an account made elsewhere)."""
    now = timezone.now()
    membership, created = Membership.objects.get_or_create(
        user=user,
        defaults={
            "roles": roles or [Role.CITIZEN],
            "consented_at": now,
            "joined_at": now,
            "charter_accepted_at": now,  # the charter is accepted with the consent to join
        },
    )
    return membership


@transaction.atomic
def membership_grant_admin(email: str) -> Membership:
    """Provisioning: make the person with this e-mail a territory admin, inviting them if they
    have no account yet (they set a password through the reset link)."""
    User = get_user_model()
    email = User.objects.normalize_email(email.strip())
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email)
    membership = membership_join(user)
    membership.roles = sorted(set(membership.roles) | {Role.CITIZEN, Role.TERRITORY_ADMIN})
    membership.save(update_fields=["roles"])
    return membership


@transaction.atomic
def membership_set_roles(membership: Membership, roles: list[str], *, by) -> Membership:
    unknown = set(roles) - set(Role.values)
    if unknown:
        message = ngettext("Unknown role: %s", "Unknown roles: %s", len(unknown))
        raise ValidationError({"roles": message % ", ".join(sorted(unknown))})
    acting = Membership.objects.select_for_update().filter(user=by).first()
    if acting is None or not acting.has_role(Role.TERRITORY_ADMIN):
        raise PermissionDenied
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    removing_admin = Role.TERRITORY_ADMIN in membership.roles and Role.TERRITORY_ADMIN not in roles
    if removing_admin:
        other_admins = Membership.objects.filter(roles__contains=[Role.TERRITORY_ADMIN]).exclude(
            pk=membership.pk
        )
        if not other_admins.exists():
            raise ValidationError(
                {"roles": _("The territory must keep at least one administrator.")}
            )
    membership.roles = [role for role in Role.values if role in roles]
    membership.save(update_fields=["roles"])
    return membership
