"""What the authority's people did with the territory's data: every dashboard view, download
and API call, in the territory's schema."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("dashboard viewed")
        DOWNLOAD = "download", _("file downloaded")
        API = "api", _("API call")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    what = models.CharField(max_length=80)  # dataset or page
    period_start = models.DateField()
    period_end = models.DateField()  # inclusive
    detail = models.CharField(max_length=200, blank=True)  # format, level…

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.what}"


class ApiToken(models.Model):
    """A key for the authority's BI tools, scoped to this territory (it lives in its schema).
    Only a hash is stored; the key is shown once, when created."""

    name = models.CharField(_("name"), max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RpcSubmission(models.Model):
    """One carpool journey's way to the national registry: waiting, sent, or refused by the
    registry (or not sendable), with its attempts."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        SENT = "sent", _("sent")
        REJECTED = "rejected", _("rejected")

    journey = models.OneToOneField(
        "trips.Journey", on_delete=models.CASCADE, related_name="rpc_submission"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["journey_id"]

    def __str__(self) -> str:
        return f"journey {self.journey_id}: {self.status}"
