"""Registry of road graphs (public schema). Graphs are not tenant data: several territories
share one, and a territory names the graph it uses (`Territory.graph_name`)."""

from django.contrib.gis.db import models
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
