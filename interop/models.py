"""Other platforms and MaaS apps that call this territory through the public standards
(standard covoiturage, RDEX+), registered by the territory's admin; and what they called."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Endpoint(models.TextChoices):
    SEARCH = "search", _("search journeys")
    BOOKINGS = "bookings", _("create and follow bookings")
    MESSAGES = "messages", _("send messages")


class Partner(models.Model):
    name = models.CharField(_("name"), max_length=120)
    operator = models.CharField(
        _("operator domain"), max_length=255, help_text=_("e.g. maas.example.org")
    )
    # The key is shown once; only its first characters (to find it) and its hash are kept.
    key_prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    endpoints = ArrayField(
        models.CharField(max_length=20, choices=Endpoint.choices), default=list, blank=True
    )
    rate_per_minute = models.PositiveIntegerField(_("calls per minute"), default=60)
    # Where the partner serves the standard: booking changes are POSTed to
    # `<callback_url>/booking_events` (empty: the partner polls GET /bookings/{id}).
    callback_url = models.URLField(_("partner's API base URL"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.operator})"

    def endpoint_labels(self) -> list[str]:
        """What the partner may do, in words (« rechercher des trajets »), not the codes."""
        return [str(Endpoint(code).label) for code in self.endpoints if code in Endpoint.values]


class PartnerCall(models.Model):
    """The access log: every call of a partner (refused ones included)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.method} {self.path} {self.status}"


class PartnerBooking(models.Model):
    """A booking made through a partner: the standard's booking id (a UUID chosen by the
    partner; RDEX+'s MD5 is the same 128 bits) and the partner's passenger, for a booking that
    lives here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="bookings")
    booking = models.OneToOneField(
        "trips.Booking", on_delete=models.PROTECT, related_name="partner_booking"
    )
    passenger_id = models.CharField(max_length=255)  # the partner's id of its user
    # Which standard the partner booked through: its events are sent in that standard.
    protocol = models.CharField(
        max_length=10, choices=[("standard", "standard covoiturage"), ("rdex", "RDEX+")],
        default="standard",
    )  # fmt: skip
    passenger_journey_id = models.CharField(max_length=255, blank=True)  # RDEX+ only
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.id)


class PartnerPassenger(models.Model):
    """The local account standing for a partner's user (no e-mail, no password: they act
    only through the partner)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "external_id"], name="partner_user_once")
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.external_id}"


class Provider(models.Model):
    """Another platform whose journeys this territory shows in its search results (outbound:
    we call its RDEX+ or standard covoiturage API with the key it gave us)."""

    class Protocol(models.TextChoices):
        STANDARD = "standard", _("standard covoiturage")
        RDEX = "rdex", _("RDEX+")

    name = models.CharField(_("name"), max_length=120)
    protocol = models.CharField(_("standard"), max_length=10, choices=Protocol.choices)
    base_url = models.URLField(
        _("API base URL"), help_text=_("e.g. https://api.example.org/standard-covoiturage/v1")
    )
    # The key the provider gave us; needed in clear to call it, never shown back in full.
    api_key = models.CharField(_("API key"), max_length=255, blank=True)
    timeout_ms = models.PositiveIntegerField(
        _("timeout (ms)"),
        default=1500,
        validators=[MinValueValidator(100), MaxValueValidator(5000)],
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def key_hint(self) -> str:
        return f"…{self.api_key[-4:]}" if len(self.api_key) > 8 else "…"
