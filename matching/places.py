"""The place index of a graph, Django side: the kinds' labels and search words, and the
services that write the index — from the graph's OSM extract (`places_index`, run by
`graph_build`) and from the Base Adresse Nationale (`addresses_import`)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.gis.geos import LineString, MultiLineString, Point
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import pgettext_lazy

from .engine import RoadGraph
from .gazetteer import KIND_WEIGHTS, OFF_ROAD_M, Entry, normalise, population_bonus
from .models import PlaceName, PlaceWord

# The kinds in the reader's language ("place kind": "Quarter" is also a quarter of a year).
KIND_LABELS = {
    "city": pgettext_lazy("place kind", "City"),
    "town": pgettext_lazy("place kind", "Town"),
    "village": pgettext_lazy("place kind", "Village"),
    "hamlet": pgettext_lazy("place kind", "Hamlet"),
    "suburb": pgettext_lazy("place kind", "District"),
    "quarter": pgettext_lazy("place kind", "Quarter"),
    "neighbourhood": pgettext_lazy("place kind", "Neighbourhood"),
    "locality": pgettext_lazy("place kind", "Locality"),
    "place": pgettext_lazy("place kind", "Place"),
    "street": pgettext_lazy("place kind", "Street"),
    "address": pgettext_lazy("place kind", "Address"),
    "ski": pgettext_lazy("place kind", "Ski resort"),
    "ski_lift": pgettext_lazy("place kind", "Ski lift"),
    "station": pgettext_lazy("place kind", "Railway station"),
    "bus_station": pgettext_lazy("place kind", "Bus station"),
    "hospital": pgettext_lazy("place kind", "Hospital"),
    "town_hall": pgettext_lazy("place kind", "Town hall"),
    "school": pgettext_lazy("place kind", "School"),
    "mall": pgettext_lazy("place kind", "Shopping centre"),
    "parking": pgettext_lazy("place kind", "Car park"),
    "meeting_point": pgettext_lazy("place kind", "Carpool meeting point"),
    "area": pgettext_lazy("place kind", "Commune"),
    "map": pgettext_lazy("place kind", "Point on the map"),
}
# Words people type for a kind besides its labels (normalised; any language).
SYNONYMS = {
    "hospital": "hopital hospital chu urgences",
    "station": "gare sncf train",
    "bus_station": "gare routiere autocar bus",
    "town_hall": "mairie hotel ville comu",
    "school": "ecole college lycee",
    "mall": "centre commercial galerie",
    "parking": "parking stationnement aparcament",
    "ski": "ski station domaine skiable",
    "ski_lift": "telesiege telecabine telepherique remontee",
    "meeting_point": "covoiturage aire covoit",
}
SEARCHED_BY_KIND = (*SYNONYMS,)  # kinds whose words find them ("hopital", "gare", "parking")
BATCH = 5_000


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, KIND_LABELS["place"]))


def place_label(name: str, commune: str) -> str:
    """The text that goes into a place field: "Name (Commune)", or "Name" alone when the
    commune is the name or unknown."""
    if not commune or normalise(commune) == normalise(name):
        return name
    return f"{name} ({commune})"


@functools.cache  # the catalogues do not change while a process runs
def kind_keywords(kind: str) -> str:
    """The words that find a kind: its label in every language and its synonyms."""
    if kind not in SEARCHED_BY_KIND:
        return ""
    texts = [SYNONYMS[kind]]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.append(str(KIND_LABELS[kind]))
    words = normalise(" ".join(texts)).split()
    return " ".join(dict.fromkeys(w for w in words if len(w) > 2))[:200]


@functools.cache
def unnamed_search(kind: str) -> str:
    """An unnamed place is found by its kind's label in the site's default language."""
    with translation.override(settings.LANGUAGE_CODE):
        return normalise(str(KIND_LABELS[kind]))


_COMMUNES_SQL = """
SELECT p.i, a.code, a.name
FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS p(lon, lat, i)
CROSS JOIN LATERAL (
    SELECT code, name FROM tenants_area
    WHERE ST_Intersects(geometry, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))
    ORDER BY code LIMIT 1
) a
"""


def communes_at(lons: Sequence[float], lats: Sequence[float]) -> list[tuple[str, str]]:
    """The (code, name) of the area under each point, ("", "") outside every area."""
    found = [("", "")] * len(lons)
    with connection.cursor() as cursor:
        for start in range(0, len(lons), 20_000):
            cursor.execute(
                _COMMUNES_SQL,
                [list(lons[start : start + 20_000]), list(lats[start : start + 20_000])],
            )
            for i, code, name in cursor.fetchall():
                found[start + i - 1] = (code, name)
    return found


def place_rank(weight: int, search: str) -> int:
    """The order of equally good matches: the weight, then shorter names first."""
    return weight * 1000 - min(len(search), 999)


def _row(graph: str, entry: Entry, commune: tuple[str, str], point: tuple[float, float]):
    code, commune_name = commune
    if entry.lines:
        shape = MultiLineString([LineString(line) for line in entry.lines], srid=4326)
    else:
        shape = Point(entry.lon, entry.lat, srid=4326)
    search = (normalise(entry.name) or unnamed_search(entry.kind))[:200]
    return PlaceName(
        graph=graph,
        kind=entry.kind,
        name=entry.name,
        search=search,
        keywords=kind_keywords(entry.kind),
        commune=commune_name[:120],
        commune_code=code[:12],
        commune_search=normalise(commune_name)[:120],
        weight=entry.weight,
        rank=place_rank(entry.weight, search),
        point=Point(*point, srid=4326),
        shape=shape,
    )


@transaction.atomic
def places_index(graph: str, entries: list[Entry], roads: RoadGraph | None) -> int:
    """Replace `graph`'s place index from its extract by `entries` and the areas its extent
    touches: each entry gets the commune under it, and a place drawn far from every road (a ski
    area on its mountain) is located at the nearest road node, where one can be picked up.
    The rows are written best-ranked first (place search reads them in that order). Returns
    the number of entries."""
    points = [(e.lon, e.lat) for e in entries]
    if roads is not None and entries:
        nodes, distances = roads.snap([e.lon for e in entries], [e.lat for e in entries])
        for i, entry in enumerate(entries):
            if entry.kind not in ("street", "address") and distances[i] > OFF_ROAD_M:
                points[i] = (float(roads.lon[nodes[i]]), float(roads.lat[nodes[i]]))
    communes = communes_at([p[0] for p in points], [p[1] for p in points])
    rows = [_row(graph, e, c, p) for e, c, p in zip(entries, communes, points, strict=True)]
    rows += _area_rows(graph, roads)
    PlaceName.objects.filter(
        graph=graph, source__in=[PlaceName.Source.OSM, PlaceName.Source.AREA]
    ).delete()
    PlaceName.objects.bulk_create(sorted(rows, key=lambda r: -r.rank), batch_size=BATCH)
    place_words_refresh(graph)
    return len(entries)


_AREAS_SQL = """
SELECT a.code, a.name, a.population, ST_X(p.inner), ST_Y(p.inner)
FROM tenants_area a
JOIN matching_roadgraphrecord g ON g.name = %s AND ST_Intersects(a.geometry, g.extent)
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(a.geometry) AS inner) p
ORDER BY a.code
"""


def _area_rows(graph: str, roads: RoadGraph | None) -> list[PlaceName]:
    """The areas (communes, parishes) that `graph`'s extent touches, each located at the road
    node nearest its interior point: that point may lie in a forest or on a summit, and
    choosing a commune must give a place on the network."""
    with connection.cursor() as cursor:
        cursor.execute(_AREAS_SQL, [graph])
        areas = cursor.fetchall()
    if roads is not None and areas:
        nodes, _distances = roads.snap([a[3] for a in areas], [a[4] for a in areas])
        areas = [
            (*a[:3], float(roads.lon[n]), float(roads.lat[n]))
            for a, n in zip(areas, nodes.tolist(), strict=True)
        ]
    rows = []
    for code, name, population, lon, lat in areas:
        search = normalise(name)[:200]
        weight = KIND_WEIGHTS["area"] + population_bonus(population)
        point = Point(lon, lat, srid=4326)
        rows.append(
            PlaceName(
                graph=graph,
                kind="area",
                name=name,
                search=search,
                commune=name,
                commune_code=code,
                commune_search=search[:120],
                weight=weight,
                rank=place_rank(weight, search),
                source=PlaceName.Source.AREA,
                point=point,
                shape=point,
            )
        )
    return rows


@transaction.atomic
def places_areas_index(graph: str, roads: RoadGraph | None) -> int:
    """Index again the areas of `graph` (after areas were loaded)."""
    rows = _area_rows(graph, roads)
    PlaceName.objects.filter(graph=graph, source=PlaceName.Source.AREA).delete()
    PlaceName.objects.bulk_create(sorted(rows, key=lambda r: -r.rank), batch_size=BATCH)
    place_words_refresh(graph)
    return len(rows)


# Every word of the entries (their names, kind words and communes), with how often it is used.
_WORDS_SQL = """
INSERT INTO matching_placeword (graph, word, count)
SELECT %(graph)s, w, count(*)
FROM (
    SELECT regexp_split_to_table(search || ' ' || keywords || ' ' || commune_search, ' +') AS w
    FROM matching_placename WHERE graph = %(graph)s
) words
WHERE w <> '' AND length(w) <= 100
GROUP BY w
"""


def place_words_refresh(graph: str) -> None:
    """Recount the words of `graph`'s index (after any of its parts was written)."""
    PlaceWord.objects.filter(graph=graph).delete()
    with connection.cursor() as cursor:
        cursor.execute(_WORDS_SQL, {"graph": graph})


def address_name(number: str, suffix: str, street: str) -> str:
    """ "12 bis Rue de la Paix": the BAN's numero, rep (bis, ter, a…) and nom_voie."""
    return " ".join(part for part in (number.strip(), suffix.strip(), street.strip()) if part)


@transaction.atomic
def addresses_import(graph: str, rows: Iterable[tuple[str, str, str, float, float]]) -> int:
    """Replace the imported addresses of `graph` by `rows` of (name, commune code, commune
    name, lon, lat); returns how many were written."""
    PlaceName.objects.filter(graph=graph, source=PlaceName.Source.BAN).delete()
    weight = KIND_WEIGHTS["address"]
    count = 0
    batch: list[PlaceName] = []
    for name, code, commune, lon, lat in rows:
        point = Point(lon, lat, srid=4326)
        batch.append(
            PlaceName(
                graph=graph,
                kind="address",
                name=name[:200],
                search=normalise(name)[:200],
                commune=commune[:120],
                commune_code=code[:12],
                commune_search=normalise(commune)[:120],
                weight=weight,
                rank=place_rank(weight, normalise(name)),
                source=PlaceName.Source.BAN,
                point=point,
                shape=point,
            )
        )
        if len(batch) == BATCH:
            PlaceName.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    PlaceName.objects.bulk_create(batch)
    place_words_refresh(graph)
    return count + len(batch)
