"""Registry of road graphs (public schema). Graphs are not tenant data: several territories
share one, and a territory names the graph it uses (`Territory.graph_name`)."""

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.utils.translation import gettext_lazy as _


class RoadGraphRecord(models.Model):
    name = models.SlugField(_("name"), max_length=64, unique=True)
    source = models.CharField(_("source file"), max_length=255)
    built_at = models.DateTimeField(_("built at"))
    nodes = models.PositiveIntegerField(_("nodes"))
    edges = models.PositiveIntegerField(_("edges"))
    extent = models.PolygonField(_("extent"), srid=4326)
    build_seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("road graph")
        verbose_name_plural = _("road graphs")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.nodes} nodes)"


class PlaceName(models.Model):
    """A named place or street of a graph's extract, for type-ahead place search."""

    graph = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=10)  # place | street
    name = models.CharField(max_length=200)
    point = models.PointField(srid=4326)

    class Meta:
        indexes = [
            GinIndex(fields=["name"], name="placename_name_trgm", opclasses=["gin_trgm_ops"])
        ]

    def __str__(self) -> str:
        return self.name


class MeetingPoint(models.Model):
    """A carpool meeting point of the national base (BNLC, transport.data.gouv.fr, ODbL)."""

    ref = models.CharField(max_length=40, unique=True)  # id_lieu
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    insee = models.CharField(max_length=5, blank=True)
    kind = models.CharField(max_length=60, blank=True)
    spaces = models.PositiveIntegerField(null=True, blank=True)
    point = models.PointField(srid=4326)

    class Meta:
        indexes = [
            GinIndex(fields=["name"], name="meetingpoint_name_trgm", opclasses=["gin_trgm_ops"])
        ]

    def __str__(self) -> str:
        return self.name
