"""This app's part of a person's data and of their leaving (tenants/members/signals.py)."""

from .models import EmailChoice, Notification


def personal_data(user, **_signal) -> dict:
    return {
        "notifications": [
            {"at": n.created_at, "text": n.text, "read_at": n.read_at}
            for n in Notification.objects.filter(user_id=user.pk)
        ],
        "email_choices": dict(
            EmailChoice.objects.filter(user_id=user.pk).values_list("kind", "email")
        ),
    }


def member_leaving(user, **_signal) -> None:
    Notification.objects.filter(user_id=user.pk).delete()
    EmailChoice.objects.filter(user_id=user.pk).delete()
