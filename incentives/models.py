"""Incentive campaigns the authority funds (docs/incentives.md): the campaigns and their audit
log, the append-only ledger of what each person is owed, the journeys held or annulled by the
moderators, the monthly statements and their payouts, and the people's bank accounts."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PERSON = settings.AUTH_USER_MODEL


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    class Paid(models.TextChoices):
        DRIVER = "driver", _("drivers")
        PASSENGER = "passenger", _("passengers")
        BOTH = "both", _("drivers and passengers")

    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    budget = models.DecimalField(_("budget (€)"), max_digits=10, decimal_places=2)
    paid = models.CharField(_("who is paid"), max_length=10, choices=Paid.choices)
    funder_name = models.CharField(_("funder"), max_length=120)
    funder_siret = models.CharField(_("funder's SIRET"), max_length=14)
    # The funder's own account, debited by the transfers (an organisation's: not personal data).
    funder_iban = models.CharField(_("funder's IBAN"), max_length=34, blank=True)
    funder_bic = models.CharField(_("funder's BIC"), max_length=11, blank=True)
    rules = models.JSONField(_("rules"), default=dict)
    thresholds = ArrayField(models.PositiveSmallIntegerField(), default=list)
    # The sum of the campaign's lines, kept with each line under the campaign's lock (the
    # budget is checked against it without summing a year of lines; a test reconciles them).
    spent = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    warned_percent = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(PERSON, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="campaign_budget_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def pays(self, role: str) -> bool:
        return self.paid in (role, self.Paid.BOTH)


class CampaignEvent(models.Model):
    """The audit log of a campaign: every change, who made it and what it was."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(PERSON, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=20)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class Line(models.Model):
    """One line of the ledger: what a campaign owes a person for a journey. Lines are never
    changed: a new computation adds the difference, an annulment adds the reversal."""

    class Kind(models.TextChoices):
        ACCRUAL = "accrual", _("earned")
        ADJUSTMENT = "adjustment", _("recomputed")
        REVERSAL = "reversal", _("reversed")

    class Role(models.TextChoices):
        DRIVER = "driver", _("driver")
        PASSENGER = "passenger", _("passenger")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="lines")
    journey = models.ForeignKey("trips.Journey", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What the rules give before the caps (cents): the trips counted by the caps on trips.
    raw_cents = models.IntegerField(default=0)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    explanation = models.TextField()
    journey_at = models.DateTimeField()  # the journey's pickup: the caps' day, month and year
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["campaign", "person", "journey_at"]),
            models.Index(fields=["journey", "campaign"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} € to {self.person_id} for journey {self.journey_id}"


class Hold(models.Model):
    """A journey the registry's anomaly rules flag, held until a moderator releases it (it is
    then computed) or refuses it (nothing is paid), with the reason."""

    class Status(models.TextChoices):
        HELD = "held", _("held")
        RELEASED = "released", _("released")
        REFUSED = "refused", _("refused")

    journey = models.OneToOneField("trips.Journey", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    held_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        PERSON, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"journey {self.journey_id}: {self.status}"


class Annulment(models.Model):
    """A journey a moderator found fraudulent or annulled: no campaign pays it any more."""

    journey = models.OneToOneField("trips.Journey", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    by = models.ForeignKey(PERSON, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"journey {self.journey_id} annulled"


class Statement(models.Model):
    """A campaign's month: the ledger's lines recorded in it; once paid, its payouts."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="statements")
    month = models.DateField()  # its first day
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        PERSON, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "month"], name="statement_one_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.month:%Y-%m}"


class Payout(models.Model):
    """A transfer made to a person when a statement was marked paid."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="payouts")
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    iban_end = models.CharField(max_length=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["statement", "person"], name="payout_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} € to {self.person_id}"


class BankAccount(models.Model):
    """Where a person is paid: the IBAN encrypted (incentives/iban.py), its end in clear."""

    person = models.OneToOneField(PERSON, on_delete=models.CASCADE, related_name="+")
    holder = models.CharField(_("account holder"), max_length=70)
    iban_encrypted = models.TextField()
    country = models.CharField(max_length=2)
    iban_end = models.CharField(max_length=4)
    bic = models.CharField(max_length=11, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"…{self.iban_end}"


class Simulation(models.Model):
    """A campaign run on the territory's past journeys of a period: what it would have cost."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="simulations")
    first = models.DateField()
    last = models.DateField()
    result = models.JSONField()
    seconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(PERSON, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.first}–{self.last}"
