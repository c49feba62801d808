"""Place search for type-ahead entry and the naming of a point of the map: the place index of
the territory's road graph (named places, streets, addresses, places people travel to, the
areas it covers; see matching/gazetteer.py and matching/places.py) and the national carpool
meeting points (BNLC). No external geocoder is called.

Ranking, best first: the whole name (or "name commune"); a prefix of the name; every word
typed starts a word of the name; …of the name, its kind's words or its commune ("hopital
escaldes"). Within one of these, the places of the current territory's areas first, then the
rest of the graph; then larger places (weights: town > village > hamlet, meeting points
high), then shorter names. When that finds too little, the same again with each word that
starts no word of the index (from four letters) replaced by the most alike one (trigrams):
typing errors. Text is compared lower-case and without accents (`gazetteer.normalise` for
the stored index, PostgreSQL's unaccent() for the meeting points searched live)."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils.translation import gettext as _

from tenants.models import Area

from .gazetteer import KIND_WEIGHTS, graph_token, normalise
from .places import kind_keywords, kind_label, place_label

MIN_QUERY = 2
FUZZY_FROM = 4  # shorter words are alike too many others
ALIKE_FROM = 0.2  # trigram similarity of a typing error and the word meant
MAX_QUERY = 100


@dataclass(frozen=True)
class FoundPlace:
    """A suggestion, as /places/ answers it (the fields are the JSON contract)."""

    label: str  # what goes into the field: "Name (Commune)", or "Name"
    name: str
    kind: str  # a stable code: town, village, street, address, ski, hospital, area…
    kind_label: str  # the kind in the reader's language
    commune: str
    lon: float
    lat: float


_NORMALISED = "btrim(regexp_replace(lower(unaccent({})), '[^a-z0-9]+', ' ', 'g'))"

# The candidates of the index: the entries whose name, kind words or commune have every word
# typed, found through the full-text index (its words carry their graph's token, so only this
# graph's are read) asked for the two longest words only (the short ones, "de", "la", start a
# third of all words and cost the most to look up), the whole query checked on those rows.
# At most CANDIDATES of them: a two-letter query matches a third of the names, and the index
# writes each graph's entries best-ranked first, so the first rows read are the best-ranked
# ("(…) IS TRUE" keeps the btree indexes out of this plan: rows come in the table's order).
# From them, pools for the ranking: those whose name has the words, those of the territory's
# areas, the best-ranked; and every entry of that exact name.
_CANDIDATES = """
candidates AS MATERIALIZED (
    SELECT id, rank, commune_code, words @@ to_tsquery('simple', %(tsq)s) AS in_name
    FROM matching_placename
    WHERE document @@ to_tsquery('simple', %(tsq_index)s)
        AND (graph = %(graph)s AND document @@ to_tsquery('simple', %(tsq)s)) IS TRUE
    LIMIT %(candidates)s
),
hits AS (
    (SELECT id FROM matching_placename
     WHERE graph = %(graph)s AND search = %(q)s LIMIT %(pool)s)
  UNION
    (SELECT id FROM candidates WHERE in_name ORDER BY rank DESC LIMIT %(pool)s)
  UNION
    (SELECT id FROM candidates WHERE commune_code = ANY(%(local)s)
     ORDER BY rank DESC LIMIT %(pool)s)
  UNION
    (SELECT id FROM candidates ORDER BY rank DESC LIMIT %(pool)s)
),"""
_SEARCH_SQL = """
WITH {hits}
found AS (
    SELECT p.kind, p.name, p.search, p.commune, p.commune_code, p.commune_search, p.rank,
           p.point, p.words @@ to_tsquery('simple', %(tsq)s) AS in_name,
           p.document @@ to_tsquery('simple', %(tsq)s) AS in_document
    FROM hits JOIN matching_placename p ON p.id = hits.id
  UNION ALL
    SELECT 'meeting_point', m.name, m.search, m.commune, m.insee, m.commune_search,
           %(meeting_weight)s * 1000 - least(length(m.search), 999), m.point,
           to_tsvector('simple', m.search) @@ to_tsquery('simple', %(tsq_plain)s),
           m.document @@ to_tsquery('simple', %(tsq_plain)s)
    FROM (
        SELECT mp.name, mp.insee, mp.point, s.search, s.commune, s.commune_search,
               to_tsvector('simple', s.search || ' ' || %(meeting_words)s || ' '
                           || s.commune_search) AS document
        FROM matching_meetingpoint mp
        JOIN matching_roadgraphrecord g ON g.name = %(graph)s AND mp.point && g.extent
        LEFT JOIN tenants_area a ON a.code = mp.insee
        CROSS JOIN LATERAL (
            SELECT {normalised_name} AS search,
                   coalesce(a.name, '') AS commune,
                   {normalised_commune} AS commune_search
        ) s
    ) m
    WHERE m.document @@ to_tsquery('simple', %(tsq_plain)s)
),
ranked AS (
    SELECT found.*, CASE
        WHEN search = %(q)s OR search || ' ' || commune_search = %(q)s THEN 0
        WHEN search LIKE %(prefix)s THEN 1
        WHEN in_name THEN 2
        ELSE 3 END AS level
    FROM found
)
SELECT kind, name, commune, ST_X(point), ST_Y(point)
FROM ranked
ORDER BY level, commune_code = ANY(%(local)s) DESC, rank DESC, search, ST_X(point)
LIMIT %(fetch)s
"""
_SQL = _SEARCH_SQL.format(
    hits=_CANDIDATES,
    normalised_name=_NORMALISED.format("mp.name"),
    normalised_commune=_NORMALISED.format("coalesce(a.name, '')"),
)
CANDIDATES = 3_000
POOL = 100

# A word typed that starts no word of the index is a typing error: the most alike word of the
# index (trigram similarity, the more used first) takes its place.
_KNOWN_SQL = """
SELECT EXISTS (SELECT 1 FROM matching_placeword WHERE graph = %(graph)s AND word LIKE %(prefix)s)
"""
_ALIKE_SQL = """
SELECT word FROM matching_placeword
WHERE graph = %(graph)s AND word %% %(word)s
ORDER BY similarity(word, %(word)s) DESC, count DESC, word
LIMIT 1
"""


def _ranked(graph: str, q: str, local_areas: Sequence[str], fetch: int, enough: int) -> list[tuple]:
    """The best `fetch` entries for the normalised query `q`, as (kind, name, commune, lon,
    lat), best first; when fewer than `enough` are found, those of the query with its typing
    errors corrected follow."""
    with connection.cursor() as cursor:
        rows = _matches(cursor, graph, q, local_areas, fetch)
        if len(rows) < enough:
            corrected = _corrected(cursor, graph, q)
            if corrected != q:
                rows += _matches(cursor, graph, corrected, local_areas, fetch)
    return list(dict.fromkeys(rows))[:fetch]


def _matches(cursor, graph: str, q: str, local_areas: Sequence[str], fetch: int) -> list[tuple]:
    words = q.split()
    longest = sorted(words, key=len, reverse=True)[:2]
    token = graph_token(graph)
    params = {
        "graph": graph,
        "q": q,
        # Every word typed starts a word of the place (the words are [a-z0-9]+ only), in the
        # graph's index (its words carry its token) and among the meeting points.
        "tsq": " & ".join(f"{token}{word}:*" for word in words),
        "tsq_index": " & ".join(f"{token}{word}:*" for word in longest),
        "tsq_plain": " & ".join(f"{word}:*" for word in words),
        "prefix": q + "%",
        "local": list(local_areas),
        "meeting_weight": KIND_WEIGHTS["meeting_point"],
        "meeting_words": kind_keywords("meeting_point"),
        "candidates": CANDIDATES,
        "pool": POOL,
        "fetch": fetch,
    }
    cursor.execute(_SQL, params)
    return cursor.fetchall()


def _corrected(cursor, graph: str, q: str) -> str:
    words = []
    with transaction.atomic():
        # pg_trgm's default (0.3) misses one swapped pair of letters in a short word.
        cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [ALIKE_FROM])
        for word in q.split():
            if len(word) >= FUZZY_FROM:
                cursor.execute(_KNOWN_SQL, {"graph": graph, "prefix": word + "%"})
                if not cursor.fetchone()[0]:
                    cursor.execute(_ALIKE_SQL, {"graph": graph, "word": word})
                    alike = cursor.fetchone()
                    word = alike[0] if alike else word
            words.append(word)
    return " ".join(words)


def _found(rows: list[tuple]) -> list[FoundPlace]:
    places = []
    for kind, name, commune, lon, lat in rows:
        label_name = name or kind_label(kind)  # an unnamed hospital: "Hospital (Encamp)"
        places.append(
            FoundPlace(
                place_label(label_name, commune),
                label_name,
                kind,
                kind_label(kind),
                commune,
                lon,
                lat,
            )
        )
    return places


def places_search(
    graph: str, query: str, limit: int = 8, local_areas: Sequence[str] = ()
) -> list[FoundPlace]:
    """Suggestions for `query`, best first, one per label; `local_areas` are the codes of
    the current territory's areas, whose places come first."""
    q = normalise(query[:MAX_QUERY])
    if len(q) < MIN_QUERY or not graph:
        return []
    seen, unique = set(), []
    for place in _found(_ranked(graph, q, local_areas, fetch=limit * 3, enough=limit)):
        if place.label.casefold() not in seen:
            seen.add(place.label.casefold())
            unique.append(place)
    return unique[:limit]


def places_named(graph: str, text: str, local_areas: Sequence[str] = ()) -> list[FoundPlace]:
    """The places whose label or name is `text` (case and accents aside): one for a text
    that names a place, several when it is ambiguous. An area counts only when nothing else
    has that name (the town "Encamp" is meant, not its parish)."""
    q = normalise(text[:MAX_QUERY])
    if len(q) < MIN_QUERY or not graph:
        return []
    found = [
        p
        for p in _found(_ranked(graph, q, local_areas, fetch=50, enough=0))
        if q in (normalise(p.label), normalise(p.name))
    ]
    found = [p for p in found if p.kind != "area"] or found
    return list(dict.fromkeys(found))


NEAR_NAME_M = 250  # a clicked point takes the name of a place or street this close

_NEAR_SQL = """
SELECT kind, name FROM matching_placename
WHERE graph = %(graph)s AND name <> '' AND kind NOT IN ('address', 'area')
    AND shape && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)
    AND ST_DWithin(shape::geography, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography,
                   %(metres)s)
ORDER BY ST_Distance(shape::geography,
                     ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography), weight DESC
LIMIT 1
"""


def place_at(graph: str, lon: float, lat: float) -> FoundPlace:
    """What to call a point picked on the map: the nearest street (anywhere along its lines)
    or named place within NEAR_NAME_M, else "Point on the map"; with the area around the
    point, e.g. "Carrer Major (Encamp)". The point itself is kept."""
    dlat = NEAR_NAME_M / 111_195
    dlon = dlat / max(0.01, math.cos(math.radians(lat)))
    with connection.cursor() as cursor:
        cursor.execute(
            _NEAR_SQL,
            {
                "graph": graph,
                "lon": lon,
                "lat": lat,
                "west": lon - dlon,
                "east": lon + dlon,
                "south": lat - dlat,
                "north": lat + dlat,
                "metres": NEAR_NAME_M,
            },
        )
        near = cursor.fetchone()
    point = Point(lon, lat, srid=4326)
    area = Area.objects.filter(geometry__intersects=point).values_list("name", flat=True).first()
    kind, name = near or ("map", _("Point on the map"))
    return FoundPlace(
        place_label(name, area or ""), name, kind, kind_label(kind), area or "", lon, lat
    )
