"""This app's part of a person's data and of their leaving (tenants/members/signals.py)."""

from .models import Volunteer


def personal_data(user, **_signal) -> dict:
    return {
        "volunteering": [
            {
                "structure": v.structure.name,
                "status": v.status,
                "home": v.home_label,
                "phone": v.phone,
            }
            for v in Volunteer.objects.filter(user_id=user.pk).select_related("structure")
        ],
    }


def member_leaving(user, **_signal) -> None:
    """A volunteer who leaves is suspended, their phone and home forgotten."""
    Volunteer.objects.filter(user_id=user.pk).update(
        status=Volunteer.Status.SUSPENDED, phone="", home_label=""
    )
