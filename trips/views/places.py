"""What the place pickers of the forms ask: places by name, the place at a point of the map,
the roads drawn under the map."""

import json
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.errors import Conflict
from matching.network import Place, snap, territory_graph
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


_outlines: dict[tuple[str, int], bytes] = {}


@require_GET
def road_outline(request):
    """The territory's main roads as GeoJSON, the background of the place-picking map (no tile
    server is called)."""
    try:
        graph = territory_graph()
    except Conflict as exc:
        return JsonResponse({"error": exc.message}, status=409)
    key = (graph.name, id(graph))
    if key not in _outlines:
        feature = {
            "type": "Feature",
            "properties": {"graph": graph.name},
            "geometry": {"type": "MultiLineString", "coordinates": graph.outline()},
        }
        _outlines[key] = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    response = HttpResponse(_outlines[key], content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response
