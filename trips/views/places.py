"""What the place pickers of the forms ask: places by name, the place at a point of the map."""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.errors import Conflict
from matching.network import Place, snap, territory_graph
from matching.selectors import place_near, places_search
from tenants.selectors import current_territory


@require_GET
def places(request):
    found = places_search(current_territory().graph_name, request.GET.get("q", ""))
    return JsonResponse([p.__dict__ for p in found], safe=False)


@require_GET
def place_at(request):
    """A point picked on the map: its label, or a JSON error when it is off the network."""
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
        snap(territory_graph(), Place(lon, lat), "point")
    except (KeyError, ValueError):
        return JsonResponse({"error": _("Give lon and lat as numbers.")}, status=400)
    except ValidationError as exc:
        return JsonResponse({"error": exc.message_dict["point"][0]}, status=400)
    except Conflict as exc:
        return JsonResponse({"error": exc.message}, status=409)
    label = place_near(current_territory().graph_name, lon, lat)
    return JsonResponse({"label": label, "kind": "map", "lon": lon, "lat": lat})
