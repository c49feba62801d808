"""What the platform tells a person in a territory (the bell's feed), and whether they also want
each kind by e-mail. Both live in the territory's schema, like everything the person does
there."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    BOOKING_REQUESTED = "booking_requested", _("A passenger asks for a seat on my ride")
    BOOKING_ACCEPTED = "booking_accepted", _("My booking is accepted")
    BOOKING_DECLINED = "booking_declined", _("My booking is declined")
    BOOKING_CANCELLED = "booking_cancelled", _("A booking is cancelled by the other side")
    RIDE_CHANGED = "ride_changed", _("The driver changes a ride I booked")
    RIDE_CANCELLED = "ride_cancelled", _("The driver cancels a ride I booked")
    DEPARTURE_REMINDER = "departure_reminder", _("Reminder before a departure")
    SOLIDARITY_PROPOSAL = "solidarity_proposal", _("A solidarity trip is proposed to me")
    SOLIDARITY_ASSIGNMENT = "solidarity_assignment", _("A solidarity trip I follow changes")
    ALERT_MATCH = "alert_match", _("A new ride matches one of my alerts")
    REVIEW = "review", _("Someone leaves a review about me")
    MODERATION = "moderation", _("Reports and moderators' decisions")
    MESSAGE = "message", _("New messages while I have no page open")
    INCENTIVE = "incentive", _("Incentives: what I earn, the campaigns I run")


# Kinds that appear in the feed; MESSAGE only decides e-mails (the header counts messages).
FEED_KINDS = [k for k in Kind if k != Kind.MESSAGE]


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The text's message id (English, marked with gettext_noop) and its parameters: the text
    # is translated when shown, in the reader's language.
    template = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.template[:40]}"

    @property
    def text(self) -> str:
        return gettext(self.template) % self.params


class EmailChoice(models.Model):
    """A person's choice for one kind; without a row, every kind is e-mailed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_email_choice_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.email}"


class Delivery(models.Model):
    """One side effect of a committed change — an e-mail, a live push, a partner's booking
    event — written in the change's own transaction and delivered afterwards, with retries
    (notifications.outbox). `key` is its idempotency key: sent with the delivery where the
    channel carries one (e-mail Message-ID, the push's `event_id`, the partner event's `id`),
    so that a retried delivery is recognised as the same one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENT = "sent", _("delivered")
        DEAD = "dead", _("given up")

    key = models.UUIDField(unique=True)
    kind = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"
