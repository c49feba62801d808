"""Per-territory branding and settings, stored in the territory's schema.

The logo is kept in the database rather than on disk so that a territory's schema, exported
alone, carries everything that is the territory's (reversibility)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))
# National ceiling: above this a contribution can no longer be cost sharing (docs/trips.md,
# "Prices").
COST_PER_KM_CEILING = Decimal("0.50")
# How far ahead a territory may let rides be published: three years at most (well within the
# ten years any date may lie ahead, core.inputs.YEARS_AHEAD).
PUBLICATION_HORIZON_MAX_DAYS = 3 * 365


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
    # The territory's rules for its members (accepted when they join); empty: the default text.
    charter = models.TextField(_("charter"), blank=True, max_length=10_000)
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
    # Rides (one-off, and every departure of a weekly ride) leave within this many days;
    # searches look no further (docs/trips.md, "Publication horizon").
    publication_horizon_days = models.PositiveSmallIntegerField(
        _("publication horizon (days)"),
        default=365,
        validators=[MinValueValidator(7), MaxValueValidator(PUBLICATION_HORIZON_MAX_DAYS)],
        help_text=_("How many days ahead a ride may be published, and searched."),
    )
    solidarity_enabled = models.BooleanField(_("solidarity transport"), default=False)
    # Solidarity transport ("transport d'utilité sociale", décret 2019-850): see
    # docs/solidarity.md for these defaults and their sources.
    solidarity_rule = models.CharField(
        _("who may use solidarity transport"),
        max_length=10,
        choices=[
            ("french", _("French frame: small home commune or a social criterion")),
            ("anyone", _("anyone the structure registers")),
        ],
        default="french",
    )
    solidarity_population_threshold = models.PositiveIntegerField(
        _("largest home commune population (inhabitants)"), default=12_000
    )
    solidarity_max_trip_km = models.PositiveSmallIntegerField(
        _("longest solidarity trip (km)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    solidarity_cost_per_km = models.DecimalField(
        _("volunteer mileage indemnity (€ per km)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.320"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2"))],
    )
    solidarity_cost_per_km_cap = models.DecimalField(
        _("legal maximum indemnity (€ per km)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.320"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2"))],
    )
    # The authority's data (docs/observatory.md).
    observatory_min_people = models.PositiveSmallIntegerField(
        _("smallest group of people shown in figures"),
        default=11,
        validators=[MinValueValidator(5), MaxValueValidator(100)],
    )
    co2_kg_per_km = models.DecimalField(
        _("CO2 of an average car (kg per km)"),
        max_digits=5,
        decimal_places=3,
        default=Decimal("0.218"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    data_licence = models.CharField(
        _("licence of the data returned"),
        max_length=40,
        default="Licence Ouverte 2.0",
        choices=[
            ("Licence Ouverte 2.0", "Licence Ouverte 2.0 (Etalab)"),
            ("ODbL 1.0", "ODbL 1.0"),
            ("CC BY 4.0", "CC BY 4.0"),
        ],
    )
    # Sending journeys to the national carpool proof registry (off while the URL is empty).
    rpc_url = models.URLField(_("national registry URL (POST /journeys)"), blank=True)
    rpc_token = models.CharField(_("national registry access token"), max_length=500, blank=True)
    # The base map: the territory's own tiles (empty) or an external vector tile service in the
    # OpenMapTiles schema, asked by the visitors' browsers (docs/maps.md).
    map_tiles_url = models.CharField(
        _("external map tiles (URL with {z}, {x} and {y})"),
        max_length=500,
        blank=True,
        help_text=_(
            "Leave empty to use the territory's own base map. Otherwise a vector tile service in"
            " the OpenMapTiles schema, e.g. https://tiles.example.fr/{z}/{x}/{y}.pbf."
        ),
    )
    map_attribution = models.CharField(
        _("attribution of the external map tiles"),
        max_length=200,
        blank=True,
        help_text=_("Shown on every map; empty: © OpenStreetMap contributors."),
    )
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
