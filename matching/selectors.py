"""Place search for type-ahead entry: named places and streets of the territory's road graph,
the national carpool meeting points (BNLC) and the areas (communes, parishes) it covers. No
external geocoder is called."""

import math
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Distance, PointOnSurface
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q
from django.utils.translation import gettext as _

from tenants.models import Area

from .graphs import UnknownGraph, load_graph
from .models import MeetingPoint, PlaceName, RoadGraphRecord

MIN_QUERY = 2


@dataclass(frozen=True)
class FoundPlace:
    label: str
    kind: str
    lon: float
    lat: float


def places_search(graph: str, query: str, limit: int = 8) -> list[FoundPlace]:
    query = " ".join(query.split())[:100]
    if len(query) < MIN_QUERY or not graph:
        return []
    extent = RoadGraphRecord.objects.filter(name=graph).values_list("extent", flat=True).first()
    if extent is None:
        return []
    match = Q(name__icontains=query) | Q(similarity__gt=0.45)
    areas = (
        Area.objects.filter(geometry__intersects=extent)
        .annotate(similarity=TrigramWordSimilarity(query, "name"), inner=PointOnSurface("geometry"))
        .filter(match)
        .order_by("-similarity", "name")[:limit]
    )
    names = (
        PlaceName.objects.filter(graph=graph)
        .annotate(similarity=TrigramWordSimilarity(query, "name"))
        .filter(match)
        .order_by("-similarity", "kind", "name")[: limit * 2]
    )
    meeting_points = (
        MeetingPoint.objects.filter(point__intersects=extent)
        .annotate(similarity=TrigramWordSimilarity(query, "name"))
        .filter(match)
        .order_by("-similarity", "name")[:limit]
    )
    # A town's own point (its centre) beats the interior point of its whole area.
    named = [FoundPlace(p.name, p.kind, p.point.x, p.point.y) for p in names]
    found = [p for p in named if p.kind == "place"]
    found += [FoundPlace(m.name, "meeting_point", m.point.x, m.point.y) for m in meeting_points]
    found += _on_roads(graph, [FoundPlace(a.name, "area", a.inner.x, a.inner.y) for a in areas])
    found += [p for p in named if p.kind != "place"]
    seen, unique = set(), []
    for place in found:
        if place.label.lower() not in seen:
            seen.add(place.label.lower())
            unique.append(place)
    return unique[:limit]


def _on_roads(graph: str, places: list[FoundPlace]) -> list[FoundPlace]:
    """An area's interior point may lie in a forest or on a summit: use the road node nearest
    to it, so that choosing a commune always gives a place on the network."""
    if not places:
        return places
    try:
        roads = load_graph(graph)
    except UnknownGraph:
        return places
    nodes, _distances = roads.snap([p.lon for p in places], [p.lat for p in places])
    return [
        FoundPlace(p.label, p.kind, float(roads.lon[n]), float(roads.lat[n]))
        for p, n in zip(places, nodes.tolist(), strict=True)
    ]


NEAR_NAME_M = 250  # a clicked point takes the name of a place or street this close


def place_near(graph: str, lon: float, lat: float) -> str:
    """A label for a point picked on the map: the nearest named place or street (if close)
    and the area around it, e.g. "Carrer Major (Encamp)"."""
    point = Point(lon, lat, srid=4326)
    # An indexed box in degrees (wide enough at this latitude), then the exact distance.
    degrees = NEAR_NAME_M / (111_195 * max(0.01, math.cos(math.radians(lat))))
    name = (
        PlaceName.objects.filter(graph=graph, point__dwithin=(point, degrees))
        .filter(point__distance_lte=(point, D(m=NEAR_NAME_M)))
        .annotate(distance=Distance("point", point))
        .order_by("distance")
        .values_list("name", flat=True)
        .first()
    )
    area = Area.objects.filter(geometry__intersects=point).values_list("name", flat=True).first()
    label = name or _("Point on the map")
    return f"{label} ({area})" if area and area != label else label
