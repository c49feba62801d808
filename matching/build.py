"""Offline road-graph build: OSM extract → drivable roads → osmnx → compact arrays (.npz).

Library code, no Django. osmnx is used only here: it reads a road-only OSM XML that pyosmium
writes first (osmnx cannot read PBF, nor clipped raw extracts whose ways reference nodes that
are not in the file), simplifies the topology, keeps the largest strongly connected component
and imputes speeds and travel times. The run-time engine (`engine.py`) needs only numpy/scipy.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np

from .hierarchy import hierarchy_arrays

FORMAT_VERSION = 1

DRIVABLE = {
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "road",
    "service",
}
EXCLUDED_SERVICE = {"parking", "parking_aisle", "driveway", "private", "emergency_access"}
NO_ACCESS = {"no", "private"}

# Default speeds (km/h) where `maxspeed` is missing, from the French Code de la route
# (R413-2 to R413-3: 130 on motorways, 110 on dual carriageways, 80 on other roads outside
# built-up areas, 50 inside; many towns at 30) and usual practice on links and service roads.
FRENCH_DEFAULT_SPEEDS = {
    "motorway": 130,
    "motorway_link": 70,
    "trunk": 110,
    "trunk_link": 70,
    "primary": 80,
    "primary_link": 50,
    "secondary": 80,
    "secondary_link": 50,
    "tertiary": 70,
    "tertiary_link": 50,
    "unclassified": 50,
    "road": 50,
    "residential": 30,
    "living_street": 20,
    "service": 20,
}
FALLBACK_SPEED = 50
# French implicit limits written as maxspeed=FR:… in OpenStreetMap.
FRENCH_IMPLICIT_MAXSPEED = {
    "FR:urban": "50",
    "FR:rural": "80",
    "FR:motorway": "130",
    "FR:zone30": "30",
    "FR:walk": "20",
    "FR:living_street": "20",
}
KEPT_TAGS = ("highway", "oneway", "junction", "maxspeed", "name", "ref", "lanes")

Progress = Callable[[str], None]


class GraphBuildError(ValueError):
    """The extract cannot give a road graph; the message is for the operator."""


@dataclass(frozen=True)
class BuildSummary:
    nodes: int
    edges: int
    bbox: tuple[float, float, float, float]  # west, south, east, north


def drivable(tags) -> bool:
    highway = tags.get("highway")
    if highway not in DRIVABLE:
        return False
    if tags.get("area") == "yes":
        return False
    if highway == "service" and tags.get("service") in EXCLUDED_SERVICE:
        return False
    for key in ("access", "motor_vehicle", "motorcar"):
        if tags.get(key) in NO_ACCESS:
            return False
    return True


def write_drivable_xml(source: Path, target: Path) -> int:
    """Write the drivable ways of an OSM file (XML, .gz, .bz2 or PBF) as plain OSM XML.

    A way that leaves a clipped extract is cut where its nodes go missing; each run of two or
    more present nodes is kept as its own way. Returns the number of ways written."""
    import osmium  # only graph builds need it (offline, by command), not the web processes

    nodes: dict[int, tuple[float, float]] = {}
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    next_id = 10**15  # ids for the extra pieces of cut ways
    try:
        processor = osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY)
        for obj in processor.with_locations():
            if not obj.is_way() or not drivable(obj.tags):
                continue
            tags = {k: obj.tags[k] for k in KEPT_TAGS if k in obj.tags}
            if tags.get("maxspeed") in FRENCH_IMPLICIT_MAXSPEED:
                tags["maxspeed"] = FRENCH_IMPLICIT_MAXSPEED[tags["maxspeed"]]
            run: list[int] = []
            runs: list[list[int]] = []
            for node in obj.nodes:
                if node.location.valid():
                    nodes[node.ref] = (node.location.lat, node.location.lon)
                    run.append(node.ref)
                else:
                    if len(run) >= 2:
                        runs.append(run)
                    run = []
            if len(run) >= 2:
                runs.append(run)
            for index, piece in enumerate(runs):
                if index == 0:
                    ways.append((obj.id, piece, tags))
                else:
                    ways.append((next_id, piece, tags))
                    next_id += 1
    except RuntimeError as exc:  # osmium reports unreadable or corrupt input this way
        raise GraphBuildError(f"cannot read {source.name}: {exc}") from exc
    if not ways:
        raise GraphBuildError(f"{source.name} contains no drivable road")
    used = {ref for _id, refs, _tags in ways for ref in refs}
    with open(target, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n')
        for ref in sorted(used):
            lat, lon = nodes[ref]
            out.write(f'<node id="{ref}" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
        for way_id, refs, tags in ways:
            out.write(f'<way id="{way_id}">')
            out.write("".join(f'<nd ref="{ref}"/>' for ref in refs))
            out.write("".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()))
            out.write("</way>\n")
        out.write("</osm>\n")
    return len(ways)


def graph_from_drivable_xml(path: Path):
    """osmnx: simplified graph, largest strongly connected component, speeds, travel times."""
    import osmnx as ox  # seconds to import; only graph builds need it (docs/ARCHITECTURE.md §3)

    graph = ox.graph_from_xml(path, simplify=True, retain_all=True)
    graph = ox.truncate.largest_component(graph, strongly=True)
    if graph.number_of_edges() == 0:
        raise GraphBuildError("the road network has no connected part")
    graph = ox.add_edge_speeds(graph, hwy_speeds=FRENCH_DEFAULT_SPEEDS, fallback=FALLBACK_SPEED)
    return ox.add_edge_travel_times(graph)


def arrays_from_graph(graph) -> dict[str, np.ndarray]:
    """Compact arrays: CSR adjacency with travel time (s) and length (m) of the fastest of any
    parallel edges, node coordinates and OSM ids, and every edge's polyline."""
    osm_ids = np.array(sorted(graph.nodes), dtype=np.int64)
    index = {osm_id: i for i, osm_id in enumerate(osm_ids.tolist())}
    lon = np.array([graph.nodes[n]["x"] for n in osm_ids.tolist()], dtype=np.float64)
    lat = np.array([graph.nodes[n]["y"] for n in osm_ids.tolist()], dtype=np.float64)

    best: dict[tuple[int, int], tuple[float, float, list]] = {}
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        key = (index[u], index[v])
        time = float(data["travel_time"])
        if key in best and best[key][0] <= time:
            continue
        geometry = data.get("geometry")
        coords = (
            list(geometry.coords)
            if geometry is not None
            else [
                (graph.nodes[u]["x"], graph.nodes[u]["y"]),
                (graph.nodes[v]["x"], graph.nodes[v]["y"]),
            ]
        )
        best[key] = (time, float(data["length"]), coords)

    keys = sorted(best)
    tails = np.array([k[0] for k in keys], dtype=np.int64)
    heads = np.array([k[1] for k in keys], dtype=np.int32)
    indptr = np.zeros(len(osm_ids) + 1, dtype=np.int64)
    np.add.at(indptr, tails + 1, 1)
    indptr = np.cumsum(indptr)
    geom_ptr = np.zeros(len(keys) + 1, dtype=np.int64)
    geom_ptr[1:] = np.cumsum([len(best[k][2]) for k in keys])
    geom = np.array([pt for k in keys for pt in best[k][2]], dtype=np.float64).reshape(-1, 2)
    return {
        "format_version": np.array(FORMAT_VERSION),
        "osm_ids": osm_ids,
        "lon": lon,
        "lat": lat,
        "indptr": indptr,
        "indices": heads,
        "time": np.array([best[k][0] for k in keys], dtype=np.float64),
        "length": np.array([best[k][1] for k in keys], dtype=np.float64),
        "geom_ptr": geom_ptr,
        "geom_lon": geom[:, 0].astype(np.float32),
        "geom_lat": geom[:, 1].astype(np.float32),
    }


def save_arrays(arrays: dict[str, np.ndarray], target: Path) -> None:
    """Write next to the target, then rename: a failed build never replaces a good graph."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".npz.tmp")
    os.close(fd)
    try:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def build_graph(
    source: Path, target: Path, progress: Progress = lambda stage: None
) -> BuildSummary:
    """Build `target` (.npz) from the OSM extract `source`."""
    if not source.exists():
        raise GraphBuildError(f"file not found: {source}")
    if source.stat().st_size == 0:
        raise GraphBuildError(f"{source.name} is empty")
    with tempfile.TemporaryDirectory() as workdir:
        progress("filtering drivable roads")
        roads = Path(workdir) / "roads.osm"
        write_drivable_xml(source, roads)
        progress("building the graph (osmnx)")
        graph = graph_from_drivable_xml(roads)
    arrays = arrays_from_graph(graph)
    progress("ordering the nodes for the contraction hierarchy")
    arrays |= hierarchy_arrays(arrays)
    progress("writing arrays")
    save_arrays(arrays, target)
    bbox = (
        float(arrays["lon"].min()),
        float(arrays["lat"].min()),
        float(arrays["lon"].max()),
        float(arrays["lat"].max()),
    )
    return BuildSummary(nodes=len(arrays["osm_ids"]), edges=len(arrays["indices"]), bbox=bbox)
