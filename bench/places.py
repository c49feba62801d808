"""Place search benchmark: `places_search` (the code behind /places/?q=) on the demo index
(the Andorra extract, built by `graph_build` like any graph) and on a synthetic index of
100,000 French-like names (streets, addresses, lieux-dits, equipment) spread over 300
communes of a 67 km region, with seeded queries of six classes: prefixes, word prefixes,
full labels, typing errors, kinds ("mairie", "gare") and addresses. Writes
bench/results/places.json (into BENCH_RESULTS_DIR when it is set).

Run with `make bench` (its own database, `archipel_bench`)."""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

import django  # noqa: E402

django.setup()

from django.contrib.gis.geos import Point, Polygon  # noqa: E402
from django.contrib.postgres.search import TrigramWordSimilarity  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo.seed import ANDORRA_EXTRACT, PARISHES_FILE  # noqa: E402
from matching.gazetteer import KIND_WEIGHTS, normalise  # noqa: E402
from matching.graphs import graph_build  # noqa: E402
from matching.models import PlaceName, RoadGraphRecord  # noqa: E402
from matching.places import kind_keywords, place_rank, place_words_refresh, unnamed_search  # noqa: E402
from matching.selectors import places_search  # noqa: E402
from tenants.management.commands.load_areas import load_areas  # noqa: E402
from tenants.models import Area  # noqa: E402

SEED = 20261201
NAMES = int(os.environ.get("BENCH_PLACES_NAMES", "100000"))
QUERIES = int(os.environ.get("BENCH_PLACES_QUERIES", "1000"))
# The French communes make the live part of the search (areas) as large as in production;
# the smoke run of the tests leaves them out (they take a while to load).
WITH_COMMUNES = os.environ.get("BENCH_PLACES_COMMUNES", "1") == "1"
RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR", Path(__file__).resolve().parent / "results"))
RESULTS = RESULTS_DIR / "places.json"
DEMO, SYNTHETIC = "bench-andorra", "bench-places"
WEST, SOUTH, SIDE_DEG = 4.5, 45.0, 0.6  # ~47 km × 67 km, where bench/synthetic.py draws its roads

SAINTS = (
    "Martin Jean Pierre Germain Julien Laurent Étienne Didier Georges Symphorien Priest Just"
).split()
NOUNS = (
    "Fontaine Moulin Église Croix Gare Château Vigne Chêne Tilleul Pré Bois Source Rivière Forge "
    "Grange Colline Côte Combe Plaine Mas Prieuré Charmille Verger Peupliers Saules Étang Pont "
    "Bourg Vernay Balme Sablière Tuilerie Cure Lavoir Four Ferme Cerisier Noyer Roche Mûrier"
).split()
PEOPLE = (
    "Jean Jaurès|Victor Hugo|Louis Pasteur|Jules Ferry|Charles de Gaulle|Jean Moulin|"
    "Émile Zola|Marie Curie|Paul Bert|Gambetta|Aristide Briand|Anatole France|Voltaire|"
    "Pierre Mendès France|Simone Veil|Lucie Aubrac|Général Leclerc|Maréchal Foch"
).split("|")
RIVERS = "Loire Rhône Isère Ain Saône Gier Furan Coise Brévenne Azergues".split()
STREET_TYPES = "Rue|Rue|Rue|Avenue|Chemin|Chemin|Impasse|Allée|Place|Route|Boulevard|Montée".split(
    "|"
)


def _with_article(noun: str) -> str:
    if noun[0] in "AEIOUÉÈ":
        return f"de l'{noun}"
    if noun.endswith("s"):
        return f"des {noun}"
    return f"de la {noun}" if noun[-1] == "e" else f"du {noun}"


def _commune_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        pattern = rng.randrange(5)
        noun, river = rng.choice(NOUNS), rng.choice(RIVERS)
        if pattern == 0:
            names.add(f"Saint-{rng.choice(SAINTS)}")
        elif pattern == 1:
            names.add(f"Saint-{rng.choice(SAINTS)}-{_with_article(noun).replace(' ', '-')}")
        elif pattern == 2:
            names.add(f"{noun}-sur-{river}")
        elif pattern == 3:
            names.add(f"{rng.choice(['Le', 'La', 'Les'])} {noun}")
        else:
            names.add(f"{noun}{rng.choice(['ville', 'court', 'ieu', 'ac', 'ay'])}")
    return sorted(names)


def _street(rng: random.Random, communes: list[str]) -> str:
    kind = rng.choice(STREET_TYPES)
    pick = rng.randrange(4)
    if pick == 0:
        return f"{kind} {rng.choice(PEOPLE)}"
    if pick == 1 and kind == "Route":
        return f"Route de {rng.choice(communes)}"
    noun = rng.choice(NOUNS) + ("s" if rng.random() < 0.3 else "")
    return f"{kind} {_with_article(noun)}"


def synthetic_index(count: int, rng: random.Random) -> tuple[int, list[str]]:
    """`count` entries over 300 communes; returns the count and the territory's codes."""
    communes = _commune_names(rng, 300)
    centres = [(WEST + rng.random() * SIDE_DEG, SOUTH + rng.random() * SIDE_DEG) for _ in communes]
    codes = [f"XX{n:03d}" for n in range(len(communes))]
    PlaceName.objects.filter(graph=SYNTHETIC).delete()
    rows: list[PlaceName] = []

    def add(kind: str, name: str, commune: int, spread: float = 0.01):
        lon = centres[commune][0] + rng.uniform(-spread, spread)
        lat = centres[commune][1] + rng.uniform(-spread, spread)
        point = Point(lon, lat, srid=4326)
        search = normalise(name) or unnamed_search(kind)
        rows.append(
            PlaceName(
                graph=SYNTHETIC,
                kind=kind,
                name=name,
                search=search,
                keywords=kind_keywords(kind),
                commune=communes[commune],
                commune_code=codes[commune],
                commune_search=normalise(communes[commune]),
                weight=KIND_WEIGHTS[kind],
                rank=place_rank(KIND_WEIGHTS[kind], search),
                point=point,
                shape=point,
            )
        )

    written = 0
    for n in range(len(communes)):
        add("village" if n % 5 else "town", communes[n], n, 0.0)
        add("town_hall", "", n)
        written += 2
    kinds = ["street"] * 45 + ["address"] * 45 + ["locality"] * 5 + ["hamlet"] * 3
    kinds += ["school", "parking"]
    while written < count:
        commune = rng.randrange(len(communes))
        kind = rng.choice(kinds)
        if kind == "street":
            name = _street(rng, communes)
        elif kind == "address":
            name = f"{rng.randint(1, 120)} {_street(rng, communes)}"
        elif kind in ("locality", "hamlet"):
            noun = rng.choice(NOUNS)
            name = rng.choice([noun, f"Les {noun}s", f"Le {noun}", f"{noun} {rng.choice(SAINTS)}"])
        elif kind == "school":
            name = f"École {rng.choice(PEOPLE)}"
        else:
            name = rng.choice(["", f"Parking {_with_article(rng.choice(NOUNS))}"])
        add(kind, name, commune)
        written += 1
    # Best-ranked first, as matching.places.places_index writes them.
    PlaceName.objects.bulk_create(sorted(rows, key=lambda r: -r.rank), batch_size=5000)
    place_words_refresh(SYNTHETIC)
    extent = Polygon.from_bbox(
        (WEST - 0.02, SOUTH - 0.02, WEST + SIDE_DEG + 0.02, SOUTH + SIDE_DEG)
    )
    RoadGraphRecord.objects.update_or_create(
        name=SYNTHETIC,
        defaults={
            "source": "synthetic",
            "built_at": timezone.now(),
            "nodes": 0,
            "edges": 0,
            "extent": extent,
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE matching_placename")
    return written, codes[:30]


def _typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def queries(graph: str, rng: random.Random, count: int) -> list[tuple[str, str, str | None]]:
    """(class, text, the name meant or None) from names of the index, seeded."""
    names = list(
        PlaceName.objects.filter(graph=graph)
        .exclude(name="")
        .order_by("id")
        .values_list("name", "commune", "kind")
    )
    found = []
    for n in range(count):
        name, commune, kind = rng.choice(names)
        words = [w for w in name.replace("'", " ").split() if len(w) > 2]
        cls = ["prefix", "words", "full", "typo", "kind", "address"][n % 6]
        if cls == "prefix":
            text = name[: rng.randint(2, max(2, len(name)))]
        elif cls == "words" and len(words) >= 2:
            first, second = rng.sample(words, 2)
            text = f"{first[: rng.randint(3, 5)]} {second[: rng.randint(3, 5)]}"
        elif cls == "full":
            text = f"{name} ({commune})" if commune else name
        elif cls == "typo" and len(name) >= 6:
            text = _typo(rng, name)
        elif cls == "kind":
            text = rng.choice(["mairie", "gare", "hopital", "parking", "ecole", "aire de covoit"])
            text += rng.choice(["", f" {commune[:5]}"])
        elif cls == "address":
            text = f"{rng.randint(1, 40)} {rng.choice(['rue', 'av', 'chemin de', 'carrer'])}"
        else:
            cls, text = "prefix", name[:4]
        # A prefix of two or three letters means many places; the others mean this one.
        meant = name if cls in ("words", "full", "typo") or len(text) >= 6 else None
        found.append((cls, text, meant))
    return found


def baseline_search(graph: str, text: str, limit: int = 8) -> list[str]:
    """The place search before the index (2026-11): trigram word similarity on the names, as
    typed (no accent folding, no word prefixes, no ranking by kind), best similarity first."""
    text = " ".join(text.split())[:100]
    return list(
        PlaceName.objects.filter(graph=graph)
        .annotate(similarity=TrigramWordSimilarity(text, "name"))
        .filter(Q(name__icontains=text) | Q(similarity__gt=0.45))
        .order_by("-similarity", "kind", "name")
        .values_list("name", flat=True)[:limit]
    )


def percentiles(values, points=(50, 95, 99)) -> dict[str, float]:
    return {f"p{p}": round(float(np.percentile(values, p)), 2) for p in points}


def timed(graph: str, asked: list[tuple[str, str, str | None]], local: list[str]) -> dict:
    """The index's search and, in the same run on the same queries, the baseline: times, and
    how often the place meant is the first suggestion or among the eight."""

    def ours(text):
        return [p.name for p in places_search(graph, text, local_areas=local)]

    def baseline(text):
        return baseline_search(graph, text)

    measured = {}
    for label, search in (("index", ours), ("baseline", baseline)):
        for _cls, text, _meant in asked[:20]:  # warm the caches and the connection
            search(text)
        overall, by_class, empty, first, among, meant_count = [], defaultdict(list), 0, 0, 0, 0
        for cls, text, meant in asked:
            started = time.perf_counter()
            names = search(text)
            ms = (time.perf_counter() - started) * 1000
            overall.append(ms)
            by_class[cls].append(ms)
            empty += not names
            if meant:
                meant_count += 1
                first += bool(names) and names[0] == meant
                among += meant in names
        measured[label] = {
            "queries": len(asked),
            "without_result": empty,
            "search_ms": percentiles(overall),
            "search_ms_by_class": {
                c: percentiles(v, (50, 95)) for c, v in sorted(by_class.items())
            },
            "meant_first": round(first / max(1, meant_count), 3),
            "meant_in_suggestions": round(among / max(1, meant_count), 3),
        }
    ours_p95 = measured["index"]["search_ms"]["p95"]
    return {
        **measured["index"],
        "baseline": measured["baseline"],
        "p95_ratio_to_baseline": round(
            ours_p95 / max(0.01, measured["baseline"]["search_ms"]["p95"]), 2
        ),
    }


def run() -> dict:
    rng = random.Random(SEED)
    if WITH_COMMUNES and Area.objects.filter(kind="commune").count() < 30_000:
        call_command("load_communes", verbosity=0)
    load_areas(PARISHES_FILE, "AD")
    started = time.perf_counter()
    graph_build(ANDORRA_EXTRACT, DEMO)
    demo_build_s = time.perf_counter() - started
    results = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor(),
        },
        "communes_loaded": Area.objects.filter(kind="commune").count(),
    }
    demo = ["grau r", "vallnord", "pas de la casa", "hopital", "carrer major", "encamp"]
    asked = [("examples", text, None) for text in demo] + queries(DEMO, rng, QUERIES)
    results["demo"] = {
        "entries": PlaceName.objects.filter(graph=DEMO).count(),
        "build_s": round(demo_build_s, 1),
        **timed(DEMO, asked, ["AD-03"]),
    }
    print(json.dumps(results["demo"]), flush=True)
    started = time.perf_counter()
    written, local = synthetic_index(NAMES, rng)
    insert_s = time.perf_counter() - started
    results["synthetic"] = {
        "entries": written,
        "insert_s": round(insert_s, 1),
        **timed(SYNTHETIC, queries(SYNTHETIC, rng, QUERIES), local),
    }
    print(json.dumps(results["synthetic"]), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
