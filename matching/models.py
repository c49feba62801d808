"""Registry of road graphs (public schema). Graphs are not tenant data: several territories
share one, and a territory names the graph it uses (`Territory.graph_name`)."""

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db.models import F, Func, Value
from django.db.models.functions import MD5, Concat, Left
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


def graph_terms(*fields: str) -> Func:
    """SQL: the words of `fields`, each prefixed with the token of the row's graph, "g" and
    ten hexadecimal digits of md5(graph) and "x" (matching.gazetteer.graph_token)."""
    parts = [F(fields[0])]
    for field in fields[1:]:
        parts += [Value(" "), F(field)]
    text = Concat(*parts) if len(parts) > 1 else parts[0]
    token = Concat(Value("g"), Left(MD5("graph"), 10), Value("x\\1"))
    return Func(
        text,
        Value("([a-z0-9]+)"),
        token,
        Value("g"),
        function="regexp_replace",
        output_field=models.TextField(),
    )


class PlaceName(models.Model):
    """One entry of a graph's place index, for type-ahead search and for naming a point of
    the map: a named place, a street (with its lines), an address, or a place people travel
    to (a ski area, a station, a hospital…), with its commune. See matching/gazetteer.py."""

    class Source(models.TextChoices):
        OSM = "osm", "OpenStreetMap"
        BAN = "ban", "Base Adresse Nationale"
        AREA = "area", "tenants.Area"  # the areas of the graph's extent, kept in step

    graph = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=20)  # a code of matching.places.KIND_LABELS
    name = models.CharField(max_length=200, blank=True)  # "" when labelled by its kind
    # The name normalised by matching.gazetteer.normalise (the kind's label when unnamed), the
    # words of its kind in every language, and its commune's name, normalised alike: stored
    # so that the search needs no unaccent() in an index.
    search = models.CharField(max_length=200)
    keywords = models.CharField(max_length=200, blank=True)
    commune = models.CharField(max_length=120, blank=True)
    commune_code = models.CharField(max_length=12, blank=True)
    commune_search = models.CharField(max_length=120, blank=True)
    weight = models.SmallIntegerField(default=0)  # ties: town > village > hamlet
    # weight, then shorter names first, in one indexed number (matching.places.place_rank)
    rank = models.IntegerField(default=0)
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.OSM)
    point = models.PointField(srid=4326)  # where a search result puts it: on the road
    shape = models.GeometryField(srid=4326)  # where it is: its point, or a street's lines
    # Full-text documents of the name, and of the name, kind words and commune. Each word is
    # prefixed with the graph's token (matching.gazetteer.graph_token): a prefix looked up in
    # one graph's index ("gra:*") never reads the words of the others.
    words = models.GeneratedField(
        expression=SearchVector(graph_terms("search"), config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    document = models.GeneratedField(
        expression=SearchVector(
            graph_terms("search", "keywords", "commune_search"), config="simple"
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        indexes = [
            GinIndex(fields=["document"], name="placename_document", fastupdate=False),
            GinIndex(fields=["words"], name="placename_words", fastupdate=False),
            models.Index(fields=["graph", "source", "kind"], name="placename_graph_kind"),
            models.Index(fields=["graph", "search"], name="placename_graph_search"),
            models.Index(fields=["graph", "-rank"], name="placename_graph_rank"),
            models.Index(fields=["graph", "commune_code", "-rank"], name="placename_commune_rank"),
        ]

    def __str__(self) -> str:
        return self.name or self.kind


class PlaceWord(models.Model):
    """The words of a graph's place index (names, kind words, communes), normalised, with how
    many entries use them: a word typed that starts none of them is a typing error, replaced
    by the most alike (trigrams)."""

    graph = models.CharField(max_length=64)
    word = models.CharField(max_length=100)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["graph", "word"], name="placeword_graph_word")
        ]
        indexes = [
            GinIndex(
                fields=["word"],
                name="placeword_word_trgm",
                opclasses=["gin_trgm_ops"],
                fastupdate=False,
            ),
            models.Index(
                fields=["graph", "word"],
                name="placeword_prefix",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.word


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
