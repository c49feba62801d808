"""Membership: what one person is in one territory. Lives in the territory's schema."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    TERRITORY_ADMIN = "territory_admin", _("Territory administrator")
    DATA_OFFICER = "data_officer", _("Data officer")
    OPERATOR = "operator", _("Solidarity operator")
    VOLUNTEER = "volunteer", _("Volunteer driver")
    BENEFICIARY = "beneficiary", _("Beneficiary")
    MODERATOR = "moderator", _("Moderator")
    INCENTIVE_MANAGER = "incentive_manager", _("Incentive manager")


class Membership(models.Model):
    """A person becomes a member of a territory only through an explicit consent step
    (`consented_at`); before that the territory does not see them at all."""

    # A foreign key from the territory's schema to the shared identity table in `public`.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices), default=list, verbose_name=_("roles")
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    consented_at = models.DateTimeField(_("consent given"))
    charter_accepted_at = models.DateTimeField(_("charter accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(roles__contained_by=Role.values), name="membership_roles_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({', '.join(self.roles)})"

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in Role.values if role in self.roles]
