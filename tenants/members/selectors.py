"""Reads of memberships for the territory's pages and API (current schema only), and the walk
over every territory a person belongs to."""

from collections.abc import Iterator

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Collate
from django_tenants.utils import schema_context

from tenants.models import Territory

from .models import Membership, Role


def membership_for(user) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user).first()


NATURAL = "archipel_natural"  # core migration 0004: "R2" before "R10", accents aside


def members_list(*, role: str | None = None, query: str | None = None) -> QuerySet[Membership]:
    members = Membership.objects.select_related("user").order_by(
        *(Collate(f"user__{name}", NATURAL) for name in ("first_name", "last_name", "email")),
        "pk",
    )
    if role:
        members = members.filter(roles__contains=[role])
    if query:
        members = members.filter(
            Q(user__email__icontains=query)
            | Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
        )
    return members


def members_counts() -> dict[str, int]:
    """Number of members in total and per role."""
    aggregates = {"total": Count("pk")}
    for role in Role.values:
        aggregates[role] = Count("pk", filter=Q(roles__contains=[role]))
    return Membership.objects.aggregate(**aggregates)


def memberships_everywhere(user, *, besides: str | None = None) -> Iterator[tuple]:
    """(territory, membership) for every territory the person belongs to (besides the schema
    `besides`), by name; the caller's loop body runs in that territory's schema. One query
    per territory of the deployment."""
    others = Territory.objects.exclude(schema_name__in=["public", besides or "public"])
    for territory in others.order_by("name"):
        with schema_context(territory.schema_name):
            membership = Membership.objects.filter(user_id=user.pk).first()
            if membership is not None:
                yield territory, membership
