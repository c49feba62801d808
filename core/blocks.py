"""Blocks between people, for the whole archipel (the accounts are shared, so are blocks):
once one of two people blocks the other, neither sees the other's rides, books them or
writes to them, in any territory. Stored in the public schema (`core.Block`)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .errors import Conflict
from .models import Block


def hidden_from(user) -> set[int]:
    """The people `user` must not meet: those they blocked and those who blocked them."""
    if user is None or not user.is_authenticated:
        return set()
    pairs = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list(
        "blocker_id", "blocked_id"
    )
    return {a if b == user.pk else b for a, b in pairs}


def between(a, b) -> bool:
    """Whether one of the two people (accounts or ids) blocked the other."""
    a_id, b_id = (getattr(x, "pk", x) for x in (a, b))
    if a_id is None or b_id is None:
        return False
    return Block.objects.filter(
        Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)
    ).exists()


def ensure_not_blocked(a, b) -> None:
    if between(a, b):
        raise Conflict(_("This is not possible: one of you has blocked the other."))


def block_create(user, other) -> Block:
    if other.pk == user.pk:
        raise Conflict(_("You cannot block yourself."))
    try:
        with transaction.atomic():
            return Block.objects.create(blocker=user, blocked=other)
    except IntegrityError:
        return Block.objects.get(blocker=user, blocked=other)


def block_remove(user, other_id: int) -> bool:
    return Block.objects.filter(blocker=user, blocked_id=other_id).delete()[0] > 0
