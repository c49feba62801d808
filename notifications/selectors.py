"""Reads of the notifications feed and of a person's e-mail choices."""

from django.db.models import QuerySet

from .models import EmailChoice, Kind, Notification


def notifications_of(user, limit: int) -> QuerySet[Notification]:
    """The person's latest notifications here, newest first."""
    return Notification.objects.filter(user=user)[:limit]


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
