"""Telling the other side when a booking changes: e-mail through the configured backend, sent
after the transaction commits so that a rolled-back change never notifies anyone. (The live
in-app feed comes with the websocket notifications.)"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tenants.selectors import current_territory

from .models import Booking

SUBJECTS = {
    "requested": gettext_noop("New booking request for your ride %(ride)s"),
    "accepted": gettext_noop("Your booking on %(ride)s is accepted"),
    "declined": gettext_noop("Your booking on %(ride)s is declined"),
    "cancelled": gettext_noop("A booking on %(ride)s was cancelled"),
    "ride_cancelled": gettext_noop("The ride %(ride)s is cancelled"),
}


def _link(path: str) -> str:
    host = current_territory().primary_host or "localhost"
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{host}{port}{path}"


def booking_changed(booking: Booking, event: str, recipient) -> None:
    if not recipient.email:
        return
    ride = str(booking.offer)
    link = _link(reverse("offer_detail", args=[booking.offer_id]))
    reason = booking.cancel_reason

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = _(SUBJECTS[event]) % {"ride": ride}
            body = "\n\n".join(
                filter(
                    None,
                    [
                        subject + ".",
                        reason and _("Reason: %s") % reason,
                        _("See the ride: %s") % link,
                    ],
                )
            )
            send_mail(subject, body, None, [recipient.email], fail_silently=True)

    transaction.on_commit(send)
