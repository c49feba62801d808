"""The base maps beside the road graphs: a graph `name` has its vector tiles in
`GRAPH_DIR/name.mbtiles`, built from the same extract (`manage.py build_map_tiles`), served by
the territories that use the graph (`trips.views.maps`)."""

from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from tenants.selectors import current_territory
from themes.selectors import settings_get

from .tiles import TileProgress, TileSet, TilesSummary, build_tiles

ATTRIBUTION = "© OpenStreetMap contributors"

_cache: dict[str, tuple[int, TileSet]] = {}


def tiles_path(graph: str) -> Path:
    return Path(settings.GRAPH_DIR) / f"{graph}.mbtiles"


def tiles_build(
    source: Path, graph: str, progress: TileProgress = lambda done, total: None
) -> TilesSummary:
    """Build the graph's tiles; on any error the previous file, if any, stays in use."""
    summary = build_tiles(source, tiles_path(graph), progress)
    _cache.pop(graph, None)
    return summary


def tileset(graph: str) -> TileSet | None:
    """The graph's tiles, opened once per process and again when the file was rebuilt."""
    path = tiles_path(graph)
    try:
        mtime = path.stat().st_mtime_ns
    except (FileNotFoundError, ValueError):
        return None
    cached = _cache.get(graph)
    if cached is None or cached[0] != mtime:
        cached = (mtime, TileSet(path))
        _cache[graph] = cached
    return cached[1]


def base_map() -> dict[str, str]:
    """Where the current territory's maps take their base map from, as js/basemap.js reads it
    (the element's data attributes, or /map/base.json): the tiles' URL template (its own, with
    the tile set's version, or the external service its settings name), their bounds, the
    attribution, the zoom buttons' names."""
    found = {"zoom_in": _("Zoom in"), "zoom_out": _("Zoom out")}
    external = settings_get()
    if external.map_tiles_url:  # a tile service named by the territory, drawn the same way
        found["tiles"] = external.map_tiles_url
        found["attribution"] = external.map_attribution or ATTRIBUTION
        return found
    tiles = tileset(current_territory().graph_name)
    if tiles is not None:
        tile = reverse("map_tile", args=[tiles.version, 0, 0, 0])
        found["tiles"] = tile.replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf")
        found["tiles_bounds"] = ",".join(f"{v:.5f}" for v in tiles.bounds or ())
        found["attribution"] = ATTRIBUTION
    return found
