"""Per-territory branding and settings, stored in the territory's schema.

The logo is kept in the database rather than on disk so that a territory's schema, exported
alone, carries everything that is the territory's (reversibility)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))
# National ceiling: above this a contribution can no longer be cost sharing (DOMAIN.md §2).
COST_PER_KM_CEILING = Decimal("0.50")


class Theme(models.Model):
    display_name = models.CharField(_("display name"), max_length=80)
    primary_colour = models.CharField(_("primary colour"), max_length=7, validators=[HEX_COLOUR])
    on_primary_colour = models.CharField(
        _("text on primary colour"), max_length=7, validators=[HEX_COLOUR], default="#ffffff"
    )
    secondary_colour = models.CharField(
        _("secondary colour"), max_length=7, validators=[HEX_COLOUR]
    )
    on_secondary_colour = models.CharField(
        _("text on secondary colour"), max_length=7, validators=[HEX_COLOUR], default="#1b1b1b"
    )
    welcome_text = models.TextField(_("welcome text"), blank=True)
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    icon_192 = models.BinaryField(null=True, blank=True, editable=False)
    icon_512 = models.BinaryField(null=True, blank=True, editable=False)
    logo_version = models.CharField(max_length=16, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("theme")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="theme_singleton")]

    def __str__(self) -> str:
        return self.display_name


class TerritorySettings(models.Model):
    contact_text = models.TextField(_("contact"), blank=True)
    legal_notice = models.TextField(_("legal notice"), blank=True)
    cost_per_km_default = models.DecimalField(
        _("default cost per km (€)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.080"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(COST_PER_KM_CEILING)],
    )
    cost_per_km_max = models.DecimalField(
        _("maximum cost per km (€)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.120"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(COST_PER_KM_CEILING)],
    )
    solidarity_enabled = models.BooleanField(_("solidarity transport"), default=False)
    federation_enabled = models.BooleanField(_("federation with other territories"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("territory settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="settings_singleton"),
            models.CheckConstraint(
                condition=Q(cost_per_km_default__gt=0)
                & Q(cost_per_km_default__lte=F("cost_per_km_max"))
                & Q(cost_per_km_max__lte=COST_PER_KM_CEILING),
                name="settings_cost_per_km_bounds",
            ),
        ]

    def __str__(self) -> str:
        return str(_("territory settings"))
