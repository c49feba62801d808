"""Place search for type-ahead entry: named places and streets of the territory's road graph,
the national carpool meeting points (BNLC) and the areas (communes, parishes) it covers. No
external geocoder is called."""

from dataclasses import dataclass

from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q

from tenants.models import Area

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
    found += [FoundPlace(a.name, "area", a.inner.x, a.inner.y) for a in areas]
    found += [p for p in named if p.kind != "place"]
    seen, unique = set(), []
    for place in found:
        if place.label.lower() not in seen:
            seen.add(place.label.lower())
            unique.append(place)
    return unique[:limit]
