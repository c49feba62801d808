"""Public-schema models: territories, their domains, and the geographic referential."""

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Area(models.Model):
    """A commune (INSEE code) or a foreign administrative area (ISO 3166-2 code, e.g. AD-07)."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("commune")
        FOREIGN = "foreign", _("foreign area")

    code = models.CharField(_("code"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, default="FR")
    name = models.CharField(_("name"), max_length=120)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True, db_index=True)
    departement_name = models.CharField(max_length=80, blank=True)
    region = models.CharField(_("région"), max_length=3, blank=True, db_index=True)
    region_name = models.CharField(max_length=80, blank=True)
    epci = models.CharField(_("EPCI (SIREN)"), max_length=9, blank=True, db_index=True)
    epci_name = models.CharField(max_length=160, blank=True)
    geometry = models.MultiPolygonField(srid=4326)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        indexes = [GinIndex(fields=["name"], name="area_name_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Territory(TenantMixin):
    """A local authority's branded instance: one PostgreSQL schema, one or more domains."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    boundary = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="territories")
    graph_name = models.CharField(_("road graph"), max_length=64, blank=True)
    # The archipel: searches here also show the rides of participating neighbours (same road
    # graph, boundary within reach of the trip's ends), and theirs show ours. Chosen by the
    # territory's admin; both sides must take part, and each may name its partners.
    federated = models.BooleanField(_("take part in the archipel's shared search"), default=True)
    federation_partners = ArrayField(
        models.SlugField(max_length=40),
        default=list,
        blank=True,
        verbose_name=_("only with these territories (empty: every participating territory)"),
    )
    federation_reach_km = models.PositiveSmallIntegerField(
        _("neighbours within (km of the trip's ends)"), default=20
    )
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"

    @property
    def primary_host(self) -> str | None:
        domain = self.domains.filter(is_primary=True).first() or self.domains.first()
        return domain.domain if domain else None


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain
