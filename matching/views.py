"""The base map's tiles, served by the territory's own site from its graph's MBTiles file:
no tile server, nothing asked of a third party."""

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tenants.selectors import current_territory

from .maps import base_map, tileset

YEAR_S = 365 * 24 * 3600


@require_GET
def tile(request, version: str, z: int, x: int, y: int):
    """One vector tile (Mapbox Vector Tile, gzip). The URL carries the tile set's version, so a
    browser keeps a tile for a year and a rebuilt map has new URLs; an old version's URL gets
    today's tile with a short lifetime. Outside the map's area: an empty tile."""
    tiles = tileset(current_territory().graph_name)
    if tiles is None:
        return JsonResponse({"error": _("This territory has no base map yet.")}, status=404)
    if not 0 <= z <= 22 or not (0 <= x < 2**z and 0 <= y < 2**z):
        return JsonResponse({"error": _("No such tile.")}, status=404)
    data = tiles.tile(z, x, y) or b""
    response = HttpResponse(data, content_type="application/vnd.mapbox-vector-tile")
    if data:
        response["Content-Encoding"] = "gzip"  # as stored by tilemaker
    current = version == tiles.version
    response["Cache-Control"] = (
        f"public, max-age={YEAR_S}, immutable" if current else "public, max-age=300"
    )
    return response


@require_GET
def base_map_settings(request):
    """The base map of the territory's maps, for maps opened by script (the map picker)."""
    response = JsonResponse(base_map())
    response["Cache-Control"] = "private, max-age=300"
    return response
