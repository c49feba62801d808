"""The place index of an OSM extract, library code (no Django): named places, streets along
their lines, addresses, and the places people travel to (ski areas and lifts, stations,
hospitals, town halls, schools, shopping centres, car parks), each with a kind and a weight
for ties. Also the text normalisation of place search (`normalise`): the index stores names
already normalised, so that its search column is immutable and indexable."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from .build import drivable

METRES_PER_DEGREE = 111_195.0

# Weights break ties between equally good matches: larger places first, the national carpool
# meeting points high (they are made for carpooling), addresses last.
KIND_WEIGHTS = {
    "city": 100,
    "town": 90,
    "meeting_point": 85,
    "area": 80,
    "village": 70,
    "ski": 65,
    "station": 60,
    "bus_station": 55,
    "hospital": 55,
    "suburb": 50,
    "town_hall": 50,
    "mall": 45,
    "hamlet": 40,
    "school": 40,
    "quarter": 35,
    "ski_lift": 35,
    "neighbourhood": 30,
    "parking": 30,
    "street": 25,
    "locality": 20,
    "place": 90,  # an index built before the kinds: its places came before the areas
    "address": 10,
}
SETTLEMENTS = ("city", "town", "village", "hamlet", "suburb", "quarter", "neighbourhood")
PLACE_KINDS = (*SETTLEMENTS, "locality")
# Kinds that are worth indexing without a name: they are labelled by kind and commune
# ("Hospital (Escaldes-Engordany)").
UNNAMED_KINDS = ("hospital", "town_hall", "station", "bus_station", "school", "mall", "parking")
# Lifts that carry people from a village or a car park (drag lifts start on the slopes).
PASSENGER_LIFTS = {"cable_car", "gondola", "chair_lift", "mixed_lift"}
LARGE_PARKING_M2 = 2_000  # ~80 spaces: an unnamed car park this big is a landmark
LARGE_PARKING_SPACES = 50
STREET_JOIN_M = 200  # pieces of a street of the same name this close are one street
SAME_PLACE_M = 500  # a point of the same kind and name this close is the same place
OFF_ROAD_M = 300  # a point further from every road is moved to the nearest road node


@dataclass
class Entry:
    kind: str
    name: str  # "" for an unnamed place of UNNAMED_KINDS
    lon: float  # where search results put it (on a street's line for streets)
    lat: float
    weight: int
    lines: list[list[tuple[float, float]]] | None = None  # a street's lines


_FOLDED = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "ı": "i"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, one space between words: "Hôpital
    Notre-Dame" → "hopital notre dame". PostgreSQL's unaccent() folds the same letters."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLDED))
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_FOLDED)
    return _NOT_WORD.sub(" ", text).strip()


def graph_token(graph: str) -> str:
    """The prefix of every indexed word of a graph (see matching.models.graph_terms)."""
    return "g" + hashlib.md5(graph.encode()).hexdigest()[:10] + "x"  # noqa: S324 - not security


def poi_kind(tags, node: bool) -> str | None:
    """The kind of a place people travel to, from its OSM tags (None for anything else)."""
    amenity = tags.get("amenity")
    if tags.get("place") in PLACE_KINDS:
        return tags["place"]
    if amenity == "hospital":
        return "hospital"
    if amenity == "townhall":
        return "town_hall"
    if amenity in ("school", "college", "university"):
        return "school"
    if amenity == "bus_station" or (
        tags.get("public_transport") == "station" and tags.get("bus") == "yes"
    ):
        return "bus_station"
    if tags.get("railway") in ("station", "halt") or (
        tags.get("public_transport") == "station" and tags.get("train") == "yes"
    ):
        return "station"
    if tags.get("shop") == "mall":
        return "mall"
    if amenity == "parking":
        return "parking"
    if tags.get("landuse") == "winter_sports" or tags.get("site") == "piste":
        return "ski"
    # A ski area drawn as one point (not a shop, not a piste).
    if node and tags.get("sport") == "skiing" and "shop" not in tags and "piste:type" not in tags:
        return "ski"
    if node and tags.get("aerialway") == "station" and tags.get("name"):
        return "ski_lift"
    return None


def population_bonus(population) -> int:
    """0 to 9 more weight by order of magnitude of the population (a tag or a number)."""
    text = str(population or "").replace(" ", "")
    return min(9, int(math.log10(int(text)))) if text.isdigit() and int(text) > 0 else 0


def _weight(kind: str, tags) -> int:
    return KIND_WEIGHTS[kind] + population_bonus(tags.get("population"))


def _wanted(kind: str | None, tags, area_m2: float = 0.0) -> bool:
    if kind is None:
        return False
    if tags.get("name"):
        return True
    if kind == "parking":
        spaces = str(tags.get("capacity", ""))
        large = spaces.isdigit() and int(spaces) >= LARGE_PARKING_SPACES
        return large or area_m2 >= LARGE_PARKING_M2
    return kind in UNNAMED_KINDS


def _area_m2(coords: list[tuple[float, float]]) -> float:
    """Area of a closed ring (shoelace in local metres); 0 for an open line."""
    if len(coords) < 4 or coords[0] != coords[-1]:
        return 0.0
    lon, lat = np.array(coords).T
    x = lon * METRES_PER_DEGREE * math.cos(math.radians(float(lat.mean())))
    y = lat * METRES_PER_DEGREE
    return float(abs(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) / 2)


def _centre(coords: list[tuple[float, float]]) -> tuple[float, float]:
    points = coords[:-1] if len(coords) > 1 and coords[0] == coords[-1] else coords
    lon, lat = np.array(points).T
    return float(lon.mean()), float(lat.mean())


def _address(tags) -> str | None:
    number = tags.get("addr:housenumber")
    street = tags.get("addr:street") or tags.get("addr:place")
    return f"{number} {street}"[:200] if number and street else None


@dataclass
class _Relation:
    kind: str
    name: str
    weight: int
    tags: dict
    ways: list[int]


def _relations(source: Path) -> dict[int, _Relation]:
    """Places drawn as relations (multipolygons, ski areas as `site=piste`), by id."""
    import osmium  # only graph builds need it (offline, by command), not the web processes

    found: dict[int, _Relation] = {}
    for rel in osmium.FileProcessor(str(source), osmium.osm.RELATION):
        tags = dict(rel.tags)
        if tags.get("type") not in ("multipolygon", "site"):
            continue
        kind = poi_kind(tags, node=False)
        if kind is None or (kind != "parking" and not _wanted(kind, tags)):
            continue
        ways = [m.ref for m in rel.members if m.type == "w" and m.role in ("", "outer", "entry")]
        if ways:
            found[rel.id] = _Relation(kind, tags.get("name", ""), _weight(kind, tags), tags, ways)
    return found


def extract_places(source: Path) -> list[Entry]:
    """Every indexed place of an extract (OSM XML, .gz, .bz2 or PBF)."""
    import osmium  # as above

    relations = _relations(source)
    member_ways = {ref for rel in relations.values() for ref in rel.ways}
    way_coords: dict[int, list[tuple[float, float]]] = {}
    streets: dict[str, list[list[tuple[float, float]]]] = defaultdict(list)
    points: list[Entry] = []
    processor = osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY)
    for obj in processor.with_locations():
        tags = obj.tags
        if obj.is_node():
            if not tags:
                continue
            lon, lat = obj.location.lon, obj.location.lat
            kind = poi_kind(tags, node=True)
            if _wanted(kind, tags):
                name = tags.get("name", "")[:200]
                points.append(Entry(kind, name, lon, lat, _weight(kind, tags)))
            if address := _address(tags):
                points.append(Entry("address", address, lon, lat, KIND_WEIGHTS["address"]))
            continue
        coords = [(n.location.lon, n.location.lat) for n in obj.nodes if n.location.valid()]
        if not coords:
            continue
        if obj.id in member_ways:
            way_coords[obj.id] = coords
        name = tags.get("name", "")[:200]
        if name and len(coords) >= 2 and drivable(tags):
            streets[name].append(coords)
            continue
        if name and tags.get("aerialway") in PASSENGER_LIFTS:
            # The lower station: lifts are drawn uphill.
            lon, lat = coords[0]
            points.append(Entry("ski_lift", name, lon, lat, KIND_WEIGHTS["ski_lift"]))
            continue
        kind = poi_kind(tags, node=False)
        if _wanted(kind, tags, _area_m2(coords)):
            lon, lat = _centre(coords)
            points.append(Entry(kind, name, lon, lat, _weight(kind, tags)))
        if address := _address(tags):
            lon, lat = _centre(coords)
            points.append(Entry("address", address, lon, lat, KIND_WEIGHTS["address"]))
    for rel in relations.values():
        rings = [way_coords[ref] for ref in rel.ways if ref in way_coords]
        if not rings:
            continue
        if rel.kind == "parking" and not _wanted(
            rel.kind, rel.tags, sum(_area_m2(r) for r in rings)
        ):
            continue
        lon, lat = _centre([point for ring in rings for point in ring])
        points.append(Entry(rel.kind, rel.name[:200], lon, lat, rel.weight))
    return _distinct(points) + [
        street for name, lines in streets.items() for street in street_entries(name, lines)
    ]


def _local_metres(lon: np.ndarray, lat: np.ndarray, lat0: float) -> np.ndarray:
    return np.column_stack(
        (lon * METRES_PER_DEGREE * math.cos(math.radians(lat0)), lat * METRES_PER_DEGREE)
    )


def _distinct(points: list[Entry]) -> list[Entry]:
    """One entry per place: the same kind and name within SAME_PLACE_M is drawn twice (a node
    and a building, a town's node and its polygon)."""
    groups: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in points:
        groups[(entry.kind, normalise(entry.name))].append(entry)
    kept: list[Entry] = []
    for group in groups.values():
        chosen: list[Entry] = []
        for entry in sorted(group, key=lambda e: -e.weight):
            if all(_metres(entry, other) > SAME_PLACE_M for other in chosen):
                chosen.append(entry)
        kept += chosen
    return kept


def _metres(a: Entry, b: Entry) -> float:
    dx = (a.lon - b.lon) * METRES_PER_DEGREE * math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot(dx, (a.lat - b.lat) * METRES_PER_DEGREE)


def street_entries(name: str, lines: list[list[tuple[float, float]]]) -> list[Entry]:
    """The streets of one name: ways whose ends come within STREET_JOIN_M of another way of
    that name (joined, dual carriageways, a piece cut by a square) are one street, kept with
    all its lines and located on its line nearest its middle."""
    arrays = [np.array(line, dtype=np.float64) for line in lines]
    owner = np.concatenate([np.full(len(a), i) for i, a in enumerate(arrays)])
    every = np.concatenate(arrays)
    xy = _local_metres(every[:, 0], every[:, 1], float(every[:, 1].mean()))
    parent = list(range(len(arrays)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(arrays) > 1:
        starts = np.cumsum([0] + [len(a) for a in arrays[:-1]])
        ends = np.concatenate([starts, starts + [len(a) - 1 for a in arrays]])
        tree = cKDTree(xy)
        for end, near in zip(ends.tolist(), tree.query_ball_point(xy[ends], STREET_JOIN_M)):
            for other in set(owner[near].tolist()):
                parent[root(other)] = root(int(owner[end]))
    components: dict[int, list[int]] = defaultdict(list)
    for i in range(len(arrays)):
        components[root(i)].append(i)
    entries = []
    for members in components.values():
        chosen = [arrays[i] for i in members]
        lon, lat = _middle_vertex(chosen)
        entries.append(
            Entry(
                "street",
                name,
                lon,
                lat,
                KIND_WEIGHTS["street"],
                lines=[[(float(x), float(y)) for x, y in a] for a in chosen],
            )
        )
    return entries


def _middle_vertex(lines: list[np.ndarray]) -> tuple[float, float]:
    """The vertex nearest the length-weighted centre of the lines: a point on the road."""
    lat0 = float(np.concatenate(lines)[:, 1].mean())
    centres, lengths = [], []
    for line in lines:
        xy = _local_metres(line[:, 0], line[:, 1], lat0)
        centres.append((xy[1:] + xy[:-1]) / 2)
        lengths.append(np.hypot(*(xy[1:] - xy[:-1]).T))
    weights = np.concatenate(lengths)
    mids = np.concatenate(centres)
    centre = (mids * weights[:, None]).sum(axis=0) / weights.sum() if weights.sum() else mids[0]
    every = np.concatenate(lines)
    xy = _local_metres(every[:, 0], every[:, 1], lat0)
    nearest = int(np.argmin(np.hypot(*(xy - centre).T)))
    return float(every[nearest, 0]), float(every[nearest, 1])
