"""The territory's road network as the apps see it: places, snapping to the graph, the reach of
a ride (the box its detour ellipse fits in) and the commune under a point. Rides, solidarity
trips, partners' searches and alerts all go through here; the engine itself is `engine.py`."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.gis.geos import Point, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import Conflict
from tenants.models import Area
from tenants.selectors import current_territory

from .engine import RoadGraph
from .graphs import UnknownGraph, load_graph

MAX_SNAP_M = 1_000  # a point further than this from any road is outside the network
METRES_PER_DEGREE = 111_195.0
# Road lengths are sums of great-circle segments, so they are never shorter than the
# straight line; this slack only absorbs rounding and the sphere/spheroid difference.
REACH_SLACK = 1.002
REACH_SLACK_M = 20.0


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    label: str = ""


def territory_graph() -> RoadGraph:
    name = current_territory().graph_name
    try:
        return load_graph(name) if name else _no_graph()
    except UnknownGraph:
        return _no_graph()


def _no_graph():
    raise Conflict(_("This territory has no road network yet; an administrator must set one."))


def valid_coordinates(place: Place) -> bool:
    return (
        math.isfinite(place.lon)
        and math.isfinite(place.lat)
        and -180 <= place.lon <= 180
        and -90 <= place.lat <= 90
    )


def snap(graph: RoadGraph, place: Place, field: str) -> int:
    if not valid_coordinates(place):
        raise ValidationError({field: _("Invalid coordinates.")})
    node, distance = graph.snap(place.lon, place.lat)
    if distance[0] > MAX_SNAP_M:
        raise ValidationError({field: _("This place is outside the territory's road network.")})
    return int(node[0])


def node_point(graph: RoadGraph, node: int) -> Point:
    return Point(float(graph.lon[node]), float(graph.lat[node]), srid=4326)


def reach_box(a: Point, b: Point, reach_m: float) -> Polygon:
    """Box around every point P with |AP| + |PB| ≤ reach_m: such points are within reach_m/2
    of the midpoint of AB."""
    radius = reach_m / 2
    mid_lon, mid_lat = (a.x + b.x) / 2, (a.y + b.y) / 2
    dlat = radius / METRES_PER_DEGREE
    poleward = min(89.0, abs(mid_lat) + dlat)
    dlon = min(180.0, radius / (METRES_PER_DEGREE * math.cos(math.radians(poleward))))
    return Polygon.from_bbox((mid_lon - dlon, mid_lat - dlat, mid_lon + dlon, mid_lat + dlat))


def reach_metres(distance_m: float, ratio: float) -> float:
    return distance_m * (1 + ratio) * REACH_SLACK + REACH_SLACK_M


def commune_at(point: Point) -> str:
    area = Area.objects.filter(geometry__intersects=point).only("code").first()
    return area.code if area else ""
