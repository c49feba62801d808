"""What the place pickers of the forms ask: places by name, the place at a point of the map,
the route between two places (the publish form's preview)."""

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import ratelimit
from core.errors import Conflict
from matching.network import Place, node_point, snap, territory_graph
from matching.selectors import place_at as place_at_point
from matching.selectors import places_search
from tenants.selectors import area_codes, current_territory


@require_GET
def places(request):
    """Suggestions for the text typed: a JSON list of at most 8 places
    {label, name, kind, kind_label, commune, lon, lat}, best first."""
    territory = current_territory()
    found = places_search(
        territory.graph_name, request.GET.get("q", ""), local_areas=area_codes(territory)
    )
    return JsonResponse([asdict(p) for p in found], safe=False)


@require_GET
def place_at(request):
    """A point picked on the map: the place object of /places/ for the nearest street or named
    place (kind "map" when none is near), at the point itself; a JSON error when it is off
    the network."""
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
        snap(territory_graph(), Place(lon, lat), "point")
    except (KeyError, ValueError):
        return JsonResponse({"error": _("Give lon and lat as numbers.")}, status=400)
    except ValidationError as exc:
        return JsonResponse({"error": exc.message_dict["point"][0]}, status=400)
    except Conflict as exc:
        return JsonResponse({"error": exc.message}, status=409)
    return JsonResponse(asdict(place_at_point(current_territory().graph_name, lon, lat)))


PREVIEWS_PER_MINUTE = 60  # per visitor: a route is a search on the whole road graph


@require_GET
def route_preview(request):
    """The route a driver would take from one place to another, drawn on the publish form
    before publishing: `?from=lon,lat&to=lon,lat` → the road polyline, distance, duration."""
    address = ratelimit.client_address(request)
    if ratelimit.hit(f"route-preview-{address}", 60) > PREVIEWS_PER_MINUTE:
        return JsonResponse({"error": _("Too many requests: try again in a minute.")}, status=429)
    try:
        ends = [Place(*(float(v) for v in request.GET[k].split(","))) for k in ("from", "to")]
    except (KeyError, ValueError, TypeError):
        return JsonResponse({"error": _("Give from and to as lon,lat.")}, status=400)
    try:
        graph = territory_graph()
        a, b = snap(graph, ends[0], "from"), snap(graph, ends[1], "to")
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        return JsonResponse({"error": messages[0], "field": field}, status=400)
    except Conflict as exc:
        return JsonResponse({"error": exc.message}, status=409)
    route = graph.route(a, b) if a != b else None
    if route is None:
        message = (
            _("No road leads from the origin to this place.")
            if a != b
            else _("Origin and destination are the same place.")
        )
        return JsonResponse({"error": message}, status=409)
    start, end = node_point(graph, a), node_point(graph, b)
    return JsonResponse(
        {
            "route": [[round(lat, 6), round(lon, 6)] for lon, lat in route.coords],
            "distance_m": round(route.distance_m),
            "duration_s": round(route.duration_s),
            "from": [round(start.y, 6), round(start.x, 6)],
            "to": [round(end.y, 6), round(end.x, 6)],
        }
    )
