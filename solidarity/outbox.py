"""Messages to volunteers and operators: written to the structure's record (OutboxMessage, in
the territory's schema) in the same transaction as the change, and handed to the configured
sender through the platform's outbox (notifications.outbox: after commit, retried when the
sender fails, given up rows shown to the territory's admin). The development sender only
records; a production sender (e-mail, SMS gateway) sends and stamps `sent_at`.
Settings: SOLIDARITY_SENDER (dotted path)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from notifications import outbox as deliveries
from notifications.models import Kind
from notifications.selectors import wants_email
from notifications.services import notify

from .models import OutboxMessage, Request

SUBJECTS = {
    "proposed": gettext_noop("A solidarity trip is proposed to you: %(trip)s"),
    "released": gettext_noop("Another volunteer takes the trip %(trip)s: thank you"),
    "confirmed": gettext_noop("The trip %(trip)s is confirmed"),
    "cancelled": gettext_noop("The trip %(trip)s is cancelled"),
    "accepted": gettext_noop("A volunteer accepted the trip %(trip)s"),
    "declined": gettext_noop("A volunteer declined the trip %(trip)s"),
    "done": gettext_noop("The trip %(trip)s was driven"),
    "requested": gettext_noop("New request made online: %(trip)s"),
}


class RecordingSender:
    """Development and tests: the outbox is the record; nothing leaves the machine."""

    def send(self, message: OutboxMessage) -> None:
        return None


class EmailSender:
    """E-mail through Django's configured backend; SMS stay in the outbox for a gateway."""

    def send(self, message: OutboxMessage) -> None:
        if message.channel == OutboxMessage.Channel.EMAIL:
            send_mail(message.subject, message.body, None, [message.recipient])
            OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now())


def sender():
    return import_string(
        getattr(settings, "SOLIDARITY_SENDER", "solidarity.outbox.RecordingSender")
    )()


def _trip(request: Request) -> str:
    when = timezone.localtime(request.window_start).strftime("%d/%m %H:%M")
    return f"{request.destination_label} ({when})"


def _queue(user, phone: str, request: Request, event: str, link: str) -> None:
    """The person's feed (when they have an account), and the outbox: e-mail when they want
    this kind by e-mail, SMS to the phone the structure holds."""
    subject = _(SUBJECTS[event]) % {"trip": _trip(request)}
    kind = Kind.SOLIDARITY_PROPOSAL if event == "proposed" else Kind.SOLIDARITY_ASSIGNMENT
    messages = []
    if user is not None:
        notify(user, kind, SUBJECTS[event], {"trip": _trip(request)}, link, by_email=False)
        if wants_email(user, kind):
            messages.append((OutboxMessage.Channel.EMAIL, user.email))
    if phone:
        messages.append((OutboxMessage.Channel.SMS, phone))
    for channel, recipient in messages:
        message = OutboxMessage.objects.create(
            channel=channel,
            recipient=recipient,
            user=user,
            subject=subject[:200],
            body=subject + ".",
            request=request,
        )
        deliveries.enqueue("solidarity.message", {"id": message.pk})


@deliveries.handler(
    "solidarity.message", gettext_lazy("Solidarity message (e-mail, SMS)"), immediate=True
)
def message_deliver(payload: dict, key: str) -> None:
    message = OutboxMessage.objects.filter(pk=payload["id"], sent_at__isnull=True).first()
    if message is not None:  # already stamped sent: a retried row sends nothing twice
        sender().send(message)


def to_volunteer(volunteer, request: Request, event: str) -> None:
    _queue(volunteer.user, volunteer.phone, request, event, reverse("volunteer_home"))


def to_operators(request: Request, event: str) -> None:
    link = reverse("solidarity_request", args=[request.pk])
    for operator in request.structure.operators.all():
        _queue(operator, "", request, event, link)
