"""Searches leave a trace for the territory's figures, never a person's identity."""

from __future__ import annotations

from django.contrib.gis.geos import Point

from matching.network import Place, commune_at

from ..models import SearchLog


def search_logged(pickup: Place, dropoff: Place, matches: list) -> None:
    """Record a search for the territory's figures: areas and result count, nobody's
    identity."""
    SearchLog.objects.create(
        origin_area=commune_at(Point(pickup.lon, pickup.lat, srid=4326)),
        destination_area=commune_at(Point(dropoff.lon, dropoff.lat, srid=4326)),
        results=min(len(matches), 32_767),
    )
