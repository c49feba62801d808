"""Solidarity transport: structures and their operators, beneficiaries registered on the phone,
volunteer drivers, and requests dispatched to them through explicit states. All in the
territory's schema (docs/solidarity.md explains the workflow and the ranking)."""

from datetime import time

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

USER = settings.AUTH_USER_MODEL


class Structure(models.Model):
    """An association or social service running solidarity transport in the territory."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    operators = models.ManyToManyField(USER, related_name="+", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Purpose(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="purposes")
    name = models.CharField(_("name"), max_length=80)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "name"], name="purpose_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Need(models.Model):
    """A special need (wheelchair, must be accompanied…). A volunteer handles a request only if
    they accept every need of it, and a wheelchair need also requires an accessible vehicle."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="needs")
    name = models.CharField(_("name"), max_length=80)
    requires_accessible_vehicle = models.BooleanField(
        _("requires a wheelchair-accessible vehicle"), default=False
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "name"], name="need_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Beneficiary(models.Model):
    """A person the structure drives; registered by an operator, no e-mail or smartphone
    needed. Erasure blanks the identity and keeps the anonymous trips."""

    class Basis(models.TextChoices):
        COMMUNE = "commune", _("home commune below the population threshold")
        SOCIAL = "social", _("social criterion attested by the operator")
        TERRITORY = "territory", _("territory rule: every registered person")
        NONE = "none", _("not eligible")

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="beneficiaries")
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    home_label = models.CharField(_("home address"), max_length=200)
    home = models.PointField(srid=4326, null=True)
    home_area = models.CharField(max_length=12, blank=True)  # commune / area code
    needs = models.ManyToManyField(Need, blank=True, related_name="+", verbose_name=_("needs"))
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    eligible = models.BooleanField(default=False)
    eligibility_basis = models.CharField(max_length=10, choices=Basis.choices)
    eligibility_detail = models.CharField(max_length=300)
    social_criterion = models.CharField(max_length=40, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    user = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Volunteer(models.Model):
    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("candidate")
        ACCEPTED = "accepted", pgettext_lazy("volunteer status", "accepted")  # un·e bénévole
        SUSPENDED = "suspended", _("suspended")

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="volunteers")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CANDIDATE)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    seats = models.PositiveSmallIntegerField(_("passenger seats"), default=3)
    accessible_vehicle = models.BooleanField(_("wheelchair-accessible vehicle"), default=False)
    home_label = models.CharField(_("home base"), max_length=200)
    home = models.PointField(srid=4326)
    home_node = models.IntegerField()
    max_trip_km = models.PositiveSmallIntegerField(
        _("most driving I accept per trip (km)"), default=60
    )
    needs = models.ManyToManyField(Need, blank=True, related_name="+", verbose_name=_("needs"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure"], name="volunteer_once_per_structure"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1, seats__lte=8), name="volunteer_seats"),
        ]

    def __str__(self) -> str:
        return self.user.display_name


class Period(models.TextChoices):
    MORNING = "morning", _("morning")
    AFTERNOON = "afternoon", _("afternoon")
    EVENING = "evening", _("evening")


# Default time ranges of the three parts of a day (a volunteer may narrow or widen them).
PERIOD_HOURS = {
    Period.MORNING: (time(8, 0), time(12, 0)),
    Period.AFTERNOON: (time(12, 0), time(18, 0)),
    Period.EVENING: (time(18, 0), time(22, 0)),
}


class Availability(models.Model):
    """One of the 21 weekly slots (day × part of the day) with its time range."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday
    period = models.CharField(max_length=10, choices=Period.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "weekday", "period"], name="availability_one_per_slot"
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="availability_order"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_weekday"),
        ]


class Absence(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="absences")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="absence_order")
        ]


class Request(models.Model):
    """One trip need of a beneficiary, from the phone call to the closed trip."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        PROPOSED = "proposed", _("proposed to volunteers")
        ACCEPTED = "accepted", _("accepted by a volunteer")
        CONFIRMED = "confirmed", _("confirmed")
        DONE = "done", _("done")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", pgettext_lazy("request status", "cancelled")  # une demande
        UNMET = "unmet", _("unmet")

    class Return(models.TextChoices):
        NONE = "none", _("no return")
        WAIT = "wait", _("the driver waits and brings the person back")
        AGAIN = "again", _("pick the person up again at a time")

    OCCUPIES = ("accepted", "confirmed", "done", "closed")  # the volunteer's time is taken

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="requests")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="requests")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    pickup_label = models.CharField(_("pickup"), max_length=200)
    pickup = models.PointField(srid=4326)
    pickup_node = models.IntegerField()
    # The area (commune) of the pickup: what a volunteer sees before accepting the trip.
    pickup_area = models.CharField(max_length=120, blank=True)
    destination_label = models.CharField(_("destination"), max_length=200)
    destination = models.PointField(srid=4326)
    destination_node = models.IntegerField()
    distance_m = models.PositiveIntegerField()  # pickup → destination on the road
    duration_s = models.PositiveIntegerField()
    window_start = models.DateTimeField(_("earliest pickup"))
    window_end = models.DateTimeField(_("latest pickup"))
    return_kind = models.CharField(max_length=5, choices=Return.choices, default=Return.NONE)
    return_at = models.DateTimeField(_("return pickup time"), null=True, blank=True)
    # The time the assigned volunteer is taken: see `busy_range` in services/requests.py.
    busy = DateTimeRangeField()
    needs = models.ManyToManyField(Need, blank=True, related_name="+", verbose_name=_("needs"))
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    status_reason = models.CharField(max_length=300, blank=True)
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    actual_km = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    actual_minutes = models.PositiveIntegerField(null=True, blank=True)
    indemnity = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    journey = models.OneToOneField(
        "trips.Journey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="solidarity_request",
    )
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["window_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=F("window_start")), name="request_window_order"
            ),
            # A volunteer is never assigned two trips at the same time.
            ExclusionConstraint(
                name="request_volunteer_no_overlap",
                expressions=[
                    ("volunteer", RangeOperators.EQUAL),
                    ("busy", RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["accepted", "confirmed", "done", "closed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} → {self.destination_label} ({self.window_start:%Y-%m-%d})"

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000

    @property
    def duration_minutes(self) -> int:
        return round(self.duration_s / 60)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.PROPOSED, self.Status.ACCEPTED)


class Proposal(models.Model):
    """A request offered to one volunteer, with the rank and the reason the system gave."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("waiting for the volunteer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        RELEASED = "released", _("released")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="proposals")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="proposals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    driving_m = models.PositiveIntegerField()
    driving_s = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)
    decline_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    @property
    def driving_km(self) -> float:
        return self.driving_m / 1000

    @property
    def driving_minutes(self) -> int:
        return max(1, round(self.driving_s / 60))

    class Meta:
        ordering = ["driving_m"]
        constraints = [
            models.UniqueConstraint(fields=["request", "volunteer"], name="proposal_once")
        ]


class DiaryEntry(models.Model):
    """Who did what to a request, and when."""

    ACTIONS = {  # the `action` codes the services write, as the diary shows them
        "created": _("request created by an operator"),
        "created online": _("request made online"),
        "proposed": _("proposed to volunteers"),
        "accepted": _("accepted by a volunteer"),
        "declined": _("declined by a volunteer"),
        "confirmed": _("volunteer confirmed"),
        "done": _("trip recorded by the volunteer"),
        "closed": _("request closed"),
        "cancelled": _("request cancelled"),
        "unmet": _("no solution found"),
    }

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="diary")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=30)
    status = models.CharField(max_length=10)  # the request's status after the action
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    @property
    def action_label(self) -> str:
        return str(self.ACTIONS.get(self.action, self.action))

    @property
    def status_label(self) -> str:
        try:
            return str(Request.Status(self.status).label)
        except ValueError:
            return self.status


class OutboxMessage(models.Model):
    """A message to a volunteer, operator or beneficiary, stored before any sender runs: the
    development sender only records, a production one sends and stamps `sent_at`."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    channel = models.CharField(max_length=5, choices=Channel.choices)
    recipient = models.CharField(max_length=254)  # address or phone number
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    request = models.ForeignKey(Request, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
