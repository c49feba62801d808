"""Rides offered by drivers, bookings by passengers, and journeys (what was travelled).
All live in the territory's schema."""

from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Func, Q
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()


class RegularRide(models.Model):
    """A driver's weekly schedule (days of the week, a time per day, a validity period).

    Each departure it covers is published as its own `Offer` (an *occurrence*): searching,
    seats and bookings then work per date exactly as for a one-off ride, and the prefilter's
    index stays one range per row. The route is computed once for the whole schedule."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        CANCELLED = "cancelled", _("cancelled")

    driver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # departure_times[d] is the departure time on weekday d (0 = Monday), null when not driving.
    departure_times = ArrayField(models.TimeField(null=True), size=7)
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="regular_ride_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.days_label()} ({self.valid_from} – {self.valid_until})"

    @property
    def schedule(self) -> dict[str, object]:
        """{"mon": time, …} for the days driven, in weekday order."""
        return {day: at for day, at in zip(WEEKDAYS, self.departure_times, strict=True) if at}

    def days_label(self) -> str:
        return ", ".join(
            _("%(day)s at %(time)s") % {"day": DAY_NAMES[d], "time": f"{at:%H:%M}"}
            for d, at in enumerate(self.departure_times)
            if at
        )


class Offer(models.Model):
    """A driver's ride: one departure with a margin, alone or one occurrence of a
    `RegularRide`."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        CANCELLED = "cancelled", _("cancelled")

    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("driver"),
    )
    origin_label = models.CharField(_("from"), max_length=200)
    destination_label = models.CharField(_("to"), max_length=200)
    origin = models.PointField(srid=4326)
    destination = models.PointField(srid=4326)
    graph_name = models.CharField(max_length=64)
    origin_node = models.IntegerField()
    destination_node = models.IntegerField()
    route = models.LineStringField(srid=4326)
    distance_m = models.PositiveIntegerField()
    duration_s = models.PositiveIntegerField()
    # Bounding box of every point a passenger could be picked up at within the detour budget
    # (see docs/matching.md): indexed, it lets PostGIS discard most rides at once.
    reach = models.PolygonField(srid=4326)
    departure_at = models.DateTimeField(_("departure"), db_index=True)
    # When this ride could be picking someone up: [departure − margin, departure + margin +
    # duration × (1 + detour ratio)]. Indexed with `reach`, it lets PostgreSQL keep only the
    # rides near the request in space *and* time in one index scan.
    active_window = DateTimeRangeField()
    margin_minutes = models.PositiveSmallIntegerField(_("margin (minutes)"), default=15)
    seats = models.PositiveSmallIntegerField(_("seats"))
    seats_taken = models.PositiveSmallIntegerField(default=0)
    cost_per_km = models.DecimalField(_("cost per km (€)"), max_digits=4, decimal_places=3)
    max_detour_ratio = models.DecimalField(
        _("accepted detour"), max_digits=3, decimal_places=2, default=Decimal("0.25")
    )
    instant_booking = models.BooleanField(_("instant booking"), default=False)
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    car = models.CharField(_("car"), max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    regular_ride = models.ForeignKey(
        RegularRide,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # departure reminder sent

    class Meta:
        ordering = ["departure_at"]
        indexes = [GistIndex(fields=["reach", "active_window"], name="offer_reach_window")]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=8), name="offer_seats_range"
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("seats")), name="offer_never_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(max_detour_ratio__gte=0, max_detour_ratio__lte=1),
                name="offer_detour_ratio_range",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.origin_label} → {self.destination_label} ({self.departure_at:%Y-%m-%d %H:%M})"
        )

    @property
    def seats_left(self) -> int:
        return self.seats - self.seats_taken

    @property
    def detour_budget_s(self) -> float:
        return float(self.max_detour_ratio) * self.duration_s

    @property
    def detour_budget_m(self) -> float:
        return float(self.max_detour_ratio) * self.distance_m


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the driver")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", pgettext_lazy("booking status", "cancelled")  # une réservation

    HOLDS_SEATS = (Status.PENDING, Status.ACCEPTED)

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="bookings")
    passenger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    seats = models.PositiveSmallIntegerField(_("seats"))
    status = models.CharField(max_length=10, choices=Status.choices)
    pickup_label = models.CharField(max_length=200)
    dropoff_label = models.CharField(max_length=200)
    pickup = models.PointField(srid=4326)
    dropoff = models.PointField(srid=4326)
    pickup_at = models.DateTimeField()
    dropoff_at = models.DateTimeField()
    distance_m = models.PositiveIntegerField()  # the passenger's trip on the road
    detour_s = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=7, decimal_places=2)  # for all seats booked
    cancelled_by = models.CharField(max_length=10, blank=True)
    cancel_reason = models.TextField(blank=True, max_length=500)
    driver_confirmed_at = models.DateTimeField(null=True, blank=True)
    passenger_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # departure reminder sent

    class Meta:
        ordering = ["pickup_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=8), name="booking_seats_range"
            ),
            models.CheckConstraint(
                condition=Q(dropoff_at__gt=F("pickup_at")), name="booking_times_order"
            ),
            # A person may travel out and back on the same day, never twice at the same time.
            ExclusionConstraint(
                name="booking_no_overlap_per_passenger",
                expressions=[
                    ("passenger", RangeOperators.EQUAL),
                    (TsTzRange("pickup_at", "dropoff_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["pending", "accepted"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.passenger} on {self.offer} ({self.status})"

    @property
    def holds_seats(self) -> bool:
        return self.status in self.HOLDS_SEATS


class Confirmation(models.Model):
    """One side's statement that a booked ride took place, with what their browser reported
    (optional): the pickup and drop-off times and positions. Both statements together make
    the journey; their agreement later decides the national proof class."""

    class Side(models.TextChoices):
        DRIVER = "driver", _("driver")
        PASSENGER = "passenger", _("passenger")

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="confirmations")
    side = models.CharField(max_length=10, choices=Side.choices)
    confirmed_at = models.DateTimeField(auto_now_add=True)
    pickup_at = models.DateTimeField(null=True, blank=True)
    dropoff_at = models.DateTimeField(null=True, blank=True)
    pickup = models.PointField(srid=4326, null=True, blank=True)
    dropoff = models.PointField(srid=4326, null=True, blank=True)

    class Meta:
        ordering = ["confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "side"], name="one_confirmation_per_side"),
            models.CheckConstraint(
                condition=Q(pickup_at__isnull=True)
                | Q(dropoff_at__isnull=True)
                | Q(dropoff_at__gt=F("pickup_at")),
                name="confirmation_times_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.side} confirmed {self.booking_id}"


class Journey(models.Model):
    """One driver–passenger couple that actually travelled (the national registry's atom): a
    confirmed carpool booking, or a completed solidarity trip (whose passenger may have no
    account)."""

    class Kind(models.TextChoices):
        CARPOOL = "carpool", _("carpool")
        SOLIDARITY = "solidarity", _("solidarity transport")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CARPOOL)
    booking = models.OneToOneField(
        Booking, on_delete=models.PROTECT, related_name="journey", null=True, blank=True
    )
    driver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    passenger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    pickup_at = models.DateTimeField()
    dropoff_at = models.DateTimeField()
    pickup = models.PointField(srid=4326)
    dropoff = models.PointField(srid=4326)
    distance_m = models.PositiveIntegerField()
    duration_s = models.PositiveIntegerField()
    seats = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=7, decimal_places=2)
    pickup_commune = models.CharField(max_length=12, blank=True)
    dropoff_commune = models.CharField(max_length=12, blank=True)
    driver_confirmed_at = models.DateTimeField()
    passenger_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pickup_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="solidarity")
                | Q(
                    booking__isnull=False,
                    passenger__isnull=False,
                    passenger_confirmed_at__isnull=False,
                ),
                name="carpool_journey_complete",
            )
        ]


class SearchLog(models.Model):
    """A search, without who made it: the areas it went between and whether anything was
    found (the unmet-demand figures of the territory)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    origin_area = models.CharField(max_length=12, blank=True)
    destination_area = models.CharField(max_length=12, blank=True)
    results = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.origin_area} → {self.destination_area}: {self.results}"


class Conversation(models.Model):
    """People talking about one thing: the driver and the passenger of a booking, or the
    operators of a solidarity structure and the volunteer assigned to one of its trips."""

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="conversation", null=True, blank=True
    )
    request = models.OneToOneField(
        "solidarity.Request",
        on_delete=models.CASCADE,
        related_name="conversation",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False, request__isnull=True)
                | Q(booking__isnull=True, request__isnull=False),
                name="conversation_about_one_thing",
            )
        ]

    def __str__(self) -> str:
        if self.booking_id:
            return f"conversation of booking {self.booking_id}"
        return f"conversation of solidarity request {self.request_id}"


class Message(models.Model):
    MAX_LENGTH = 2000

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author_id}: {self.body[:30]}"


class ReadMark(models.Model):
    """Up to when a participant has read a conversation."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_read_mark")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.conversation_id} at {self.read_at}"


class Alert(models.Model):
    """A passenger's saved search: be told when a ride is published that serves this trip on
    one of these weekdays within this pickup time window, until `expires_on`."""

    MAX_ACTIVE = 20  # per person and territory

    passenger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    origin_label = models.CharField(_("from"), max_length=200)
    destination_label = models.CharField(_("to"), max_length=200)
    origin = models.PointField(srid=4326)
    destination = models.PointField(srid=4326)
    # Communes of both ends: alerts per origin–destination are an unmet-demand figure.
    origin_area = models.CharField(max_length=12, blank=True)
    destination_area = models.CharField(max_length=12, blank=True)
    days = ArrayField(models.PositiveSmallIntegerField(), size=7)  # 0 = Monday
    earliest = models.TimeField(_("earliest pickup"))
    latest = models.TimeField(_("latest pickup"))
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    expires_on = models.DateField(_("until"))
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [GistIndex(fields=["origin"], name="alert_origin")]
        constraints = [
            models.CheckConstraint(condition=Q(latest__gt=F("earliest")), name="alert_window"),
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=8), name="alert_seats_range"
            ),
            models.CheckConstraint(condition=~Q(days=[]), name="alert_some_day"),
        ]

    def __str__(self) -> str:
        return f"{self.origin_label} → {self.destination_label}"

    def days_label(self) -> str:
        return ", ".join(str(DAY_NAMES[d]) for d in sorted(self.days))


class AlertMatch(models.Model):
    """A ride an alert fired for (at most once per ride)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="matches")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    pickup_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pickup_at"]
        constraints = [models.UniqueConstraint(fields=["alert", "offer"], name="alert_match_once")]
