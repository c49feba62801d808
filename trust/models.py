"""Trust between people and the territory's moderation: reviews after a journey (owned by the
person reviewed, exportable and signed), reports, sanctions and the moderators' audit log.
Blocks live with the accounts (core.Block): they hold in every territory."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Review(models.Model):
    """One side of a completed journey about the other: a short text and a few yes/no facts.
    No stars: nothing here is averaged or used to rank anyone."""

    MAX_LENGTH = 1000

    journey = models.ForeignKey("trips.Journey", on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("review"), max_length=MAX_LENGTH)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    as_described = models.BooleanField(_("as described"), null=True, blank=True)
    safe_driving = models.BooleanField(_("safe driving"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), max_length=MAX_LENGTH, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)  # by a moderator

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "author"], name="review_once_per_journey"),
            models.CheckConstraint(condition=~Q(author=F("subject")), name="review_not_self"),
        ]

    def __str__(self) -> str:
        return f"review of journey {self.journey_id} by {self.author_id}"

    @property
    def facts(self) -> dict[str, bool]:
        return {
            name: value
            for name in ("on_time", "as_described", "safe_driving")
            if (value := getattr(self, name)) is not None
        }


class SigningKey(models.Model):
    """The territory's Ed25519 key that signs reputation exports; its public half is published
    at /.well-known/jwks.json. Older keys stay published so that old exports still verify."""

    kid = models.CharField(max_length=32, unique=True)
    private_pem = models.TextField()
    public_x = models.CharField(max_length=64)  # base64url of the raw 32-byte public key
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.kid


class ReportReason(models.TextChoices):
    DANGEROUS = "dangerous", _("Dangerous driving or behaviour")
    HARASSMENT = "harassment", _("Harassment, insults or discrimination")
    NO_SHOW = "no_show", _("Did not come, or cancelled at the last minute")
    PROFESSIONAL = "professional", _("Paid transport disguised as carpooling")
    FAKE = "fake", _("False profile or ride")
    SPAM = "spam", _("Advertising or spam")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """Someone reports a person, a ride or a message to the territory's moderators; they are
    told what was decided."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for a moderator")
        DISMISSED = "dismissed", _("dismissed")
        ACTIONED = "actioned", _("acted upon")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    offer = models.ForeignKey(
        "trips.Offer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        "trips.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    text = models.TextField(_("what happened"), max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.TextField(blank=True)  # what the reporter is told

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reporter=F("reported")), name="report_not_self"),
        ]

    def __str__(self) -> str:
        return f"report {self.pk} about {self.reported_id}"


class Sanction(models.Model):
    """A moderator's measure against a person in this territory: a warning, a suspension
    (until a date: no publishing, no booking) or a ban (no membership, cannot join again).
    Its reason stays in this territory."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("warning")
        SUSPENSION = "suspension", _("suspension")
        BAN = "ban", _("ban")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    until = models.DateTimeField(null=True, blank=True)  # a suspension's end
    reason = models.TextField()
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="sanctions"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="suspension") | Q(until__isnull=False),
                name="suspension_has_an_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id}"


class AuditEntry(models.Model):
    """The moderation desk's log: who did what, to whom, why. Never edited, never deleted."""

    ACTIONS = {  # the codes trust.moderation writes, as the log shows them
        "dismiss": _("report dismissed"),
        "warn": _("person warned"),
        "hide_ride": _("ride hidden"),
        "suspend": _("person suspended"),
        "ban": _("person banned"),
        "lift": _("measure lifted"),
        "charter": _("charter changed"),
    }

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=30)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, related_name="+")
    offer_id = models.BigIntegerField(null=True)
    reason = models.TextField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def action_label(self) -> str:
        return str(self.ACTIONS.get(self.action, self.action))


class TripShare(models.Model):
    """A private link to a ride's details for someone the driver or a passenger trusts;
    it expires an hour after the arrival (see trust.share)."""

    token = models.CharField(max_length=64, unique=True)
    offer = models.ForeignKey("trips.Offer", on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(
        "trips.Booking", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"share of ride {self.offer_id}"
