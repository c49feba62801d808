"""Django side of the road graphs: where their files live, the registry, and the per-process
cache (a process loads a graph once and keeps it in memory)."""

import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.db import transaction
from django.utils import timezone

from core.availability import CheckFailed
from tenants.models import Territory

from .build import BuildSummary, Progress, build_graph
from .engine import RoadGraph
from .gazetteer import extract_places
from .models import RoadGraphRecord
from .places import places_areas_index, places_index

_cache: dict[str, tuple[float, RoadGraph]] = {}
_lock = threading.Lock()


class UnknownGraph(LookupError):
    pass


def graph_path(name: str) -> Path:
    return Path(settings.GRAPH_DIR) / f"{name}.npz"


def graph_names() -> list[str]:
    return list(RoadGraphRecord.objects.values_list("name", flat=True))


def load_graph(name: str) -> RoadGraph:
    """The graph `name`, loaded on first use and kept; reloaded if its file was rebuilt."""
    path = graph_path(name)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError as exc:
        raise UnknownGraph(name) from exc
    cached = _cache.get(name)
    if cached and cached[0] == mtime:
        return cached[1]
    with _lock:
        cached = _cache.get(name)
        if cached and cached[0] == mtime:
            return cached[1]
        graph = RoadGraph.load(path, name=name)
        _cache[name] = (mtime, graph)
        return graph


@transaction.atomic
def graph_build(source: Path, name: str, progress: Progress = lambda stage: None) -> BuildSummary:
    """Build and register `name`. On any error the previous file and record stay in use."""
    started = time.monotonic()
    summary = build_graph(source, graph_path(name), progress)
    progress("indexing places")
    places = extract_places(source)
    west, south, east, north = summary.bbox
    RoadGraphRecord.objects.update_or_create(
        name=name,
        defaults={
            "source": source.name,
            "built_at": timezone.now(),
            "nodes": summary.nodes,
            "edges": summary.edges,
            "extent": Polygon.from_bbox((west, south, east, north)),
            "build_seconds": time.monotonic() - started,
        },
    )
    # The index only snaps: the reference engine loads without customising a hierarchy.
    places_index(name, places, RoadGraph.load(graph_path(name), name=name, engine="dijkstra"))
    return summary


def areas_reindex(sender=None, **kwargs) -> None:
    """Receiver of tenants.signals.areas_loaded: every graph's index takes the new areas."""
    for name in graph_names():
        try:
            roads = load_graph(name)
        except UnknownGraph:
            roads = None
        places_areas_index(name, roads)


def graphs_check() -> str:
    """Readiness (core.availability): every road graph a territory uses is loaded here."""
    names = sorted(
        set(Territory.objects.exclude(graph_name="").values_list("graph_name", flat=True))
    )
    missing = []
    for name in names:
        try:
            load_graph(name)
        except UnknownGraph:
            missing.append(name)
    if missing:
        raise CheckFailed("missing: " + ", ".join(missing))
    return f"{len(names)} loaded"
