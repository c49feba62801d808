"""Reads of the notifications feed and of a person's e-mail choices."""

from django.db.models import Q, QuerySet

from .models import Delivery, EmailChoice, Kind, Notification


def notifications_of(user) -> QuerySet[Notification]:
    """The person's notifications here, newest first (paged by the feed)."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def wants_email(user, kind: str) -> bool:
    if not user.email:
        return False
    choice = EmailChoice.objects.filter(user=user, kind=kind).values_list("email", flat=True)
    return next(iter(choice), True)


def email_choices(user) -> dict[str, bool]:
    chosen = dict(EmailChoice.objects.filter(user=user).values_list("kind", "email"))
    return {kind.value: chosen.get(kind.value, True) for kind in Kind}


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def deliveries_to_watch(limit: int = 100) -> QuerySet[Delivery]:
    """The outbox rows an admin may act on: waiting for a retry or given up, newest first."""
    return Delivery.objects.filter(
        Q(status=Delivery.Status.DEAD) | Q(status=Delivery.Status.PENDING, attempts__gt=0)
    )[:limit]


def deliveries_summary(since) -> dict[str, int]:
    rows = Delivery.objects
    return {
        "waiting": rows.filter(status=Delivery.Status.PENDING).count(),
        "dead": rows.filter(status=Delivery.Status.DEAD).count(),
        "sent": rows.filter(status=Delivery.Status.SENT, sent_at__gte=since).count(),
    }
