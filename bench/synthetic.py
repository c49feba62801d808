"""Deterministic synthetic regional road networks, in the engine's array format, around 45° N.

`regional_network`: a jittered grid of local streets (~150 m apart) with every 10th street an
arterial and every 50th a trunk road, two-way: a 450 × 450 grid gives 202,500 nodes, ~67 km
across, like a French département. The worst case for contraction hierarchies.

`road_region`: a road-like region of about the nodes asked, at the same density (~67 km across at
200,000 nodes, a région's ~150 km at 1,000,000). Villages and towns with heavy-tailed sizes (many
hamlets, a few large towns) of irregular streets (30 km/h, main streets 50 km/h, a share of the
towns' side streets one-way), winding roads (80 km/h, a node every 200–400 m) from each
settlement to its natural neighbours, and a trunk backbone (110 km/h) between the largest
towns; the largest strongly connected part is kept (nearly all of it)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import Delaunay, cKDTree

EARTH_RADIUS_M = 6_371_008.8
LOCAL_KMH, ARTERIAL_KMH, TRUNK_KMH = 40.0, 70.0, 110.0


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(h))


def regional_network(side: int = 450, spacing_m: float = 150.0, seed: int = 42) -> dict:
    rng = np.random.default_rng(seed)
    lat0, lon0 = 45.0, 4.5
    dlat = spacing_m / 111_195.0
    dlon = spacing_m / (111_195.0 * np.cos(np.radians(lat0)))
    rows, cols = np.divmod(np.arange(side * side), side)
    jitter = rng.uniform(-0.3, 0.3, size=(side * side, 2))
    lat = lat0 + (rows + jitter[:, 0]) * dlat
    lon = lon0 + (cols + jitter[:, 1]) * dlon

    def speed_of(line: np.ndarray) -> np.ndarray:
        return np.where(
            line % 50 == 0, TRUNK_KMH, np.where(line % 10 == 0, ARTERIAL_KMH, LOCAL_KMH)
        )

    node = np.arange(side * side).reshape(side, side)
    horizontal = (
        node[:, :-1].ravel(),
        node[:, 1:].ravel(),
        speed_of(np.repeat(np.arange(side), side - 1)),
    )
    vertical = (
        node[:-1, :].ravel(),
        node[1:, :].ravel(),
        speed_of(np.tile(np.arange(side), side - 1)),
    )
    tails = np.concatenate([horizontal[0], vertical[0]])
    heads = np.concatenate([horizontal[1], vertical[1]])
    speeds = np.concatenate([horizontal[2], vertical[2]])
    # two-way roads
    tails, heads, speeds = (
        np.concatenate([tails, heads]),
        np.concatenate([heads, tails]),
        np.concatenate([speeds, speeds]),
    )
    order = np.lexsort((heads, tails))
    tails, heads, speeds = tails[order], heads[order], speeds[order]
    length = haversine_m(lon[tails], lat[tails], lon[heads], lat[heads])
    time = length / (speeds / 3.6)
    return _engine_arrays(lon, lat, tails, heads, time, length)


def _engine_arrays(lon, lat, tails, heads, time, length) -> dict:
    """The engine's arrays of edges already sorted by (tail, head), with a two-point geometry
    each."""
    n = len(lon)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, tails + 1, 1)
    indptr = np.cumsum(indptr)
    geom = np.empty((2 * len(tails), 2))
    geom[0::2] = np.column_stack((lon[tails], lat[tails]))
    geom[1::2] = np.column_stack((lon[heads], lat[heads]))
    return {
        "format_version": np.array(1),
        "osm_ids": np.arange(n, dtype=np.int64),
        "lon": lon,
        "lat": lat,
        "indptr": indptr,
        "indices": heads.astype(np.int32),
        "time": time,
        "length": length,
        "geom_ptr": np.arange(0, 2 * len(tails) + 1, 2, dtype=np.int64),
        "geom_lon": geom[:, 0].astype(np.float32),
        "geom_lat": geom[:, 1].astype(np.float32),
    }


# --- a road-like region -------------------------------------------------------------------
STREET_KMH, MAIN_STREET_KMH, ROAD_KMH = 30.0, 50.0, 80.0
M_PER_DEG = 111_195.0
ONE_WAY_SHARE = 0.25  # of the side streets of towns that can lose a direction
TOWN_NODES = 100  # settlements from this size have one-way streets
GAP_M = 200.0  # of open country at least between two settlements


def road_region(nodes: int = 200_000, seed: int = 42) -> dict:
    """About `nodes` nodes (within 10 % from 5,000 on) of villages and towns, roads between
    neighbouring settlements and a trunk backbone between the largest towns, strongly connected,
    in the format of `regional_network`; the same seed gives the same arrays."""
    rng = np.random.default_rng(seed)
    side_m = 67_000.0 * np.sqrt(nodes / 200_000)  # the density of a département at 200,000
    town = _settlements(rng, 0.94 * nodes, side_m)
    x, y, tails, heads, speeds = _streets(rng, town)
    tree = cKDTree(np.column_stack((x, y)))
    parts = [(x, y, tails, heads, speeds)]
    roads = _gabriel(town["centre"])
    parts.append(_links(rng, tree, town, roads, len(x), 0.9, ROAD_KMH, (200.0, 400.0)))
    big = np.argsort(-town["size"], kind="stable")[: max(3, len(town["size"]) // 40)]
    trunks = big[_relative_neighbourhood(town["centre"][big])]
    first = len(x) + len(parts[1][0])
    parts.append(_links(rng, tree, town, trunks, first, 0.5, TRUNK_KMH, (350.0, 500.0)))
    x, y, tails, heads, speeds = (np.concatenate(arrays) for arrays in zip(*parts))
    lat = 45.0 + y / M_PER_DEG
    lon = 4.5 + x / (M_PER_DEG * np.cos(np.radians(lat.mean())))
    return _strongly_connected_arrays(lon, lat, tails, heads, speeds)


def _settlements(rng: np.random.Generator, budget: float, side_m: float) -> dict:
    """Heavy-tailed settlement sizes (nodes) summing to about `budget`, their street patterns'
    parameters, and centres drawn in the square region so that no two overlap."""
    draws = np.minimum(12.0 * (1.0 + rng.pareto(1.05, int(budget / 12) + 10)), 0.05 * budget + 200)
    sizes = np.sort(draws[: np.searchsorted(np.cumsum(draws), budget) + 1])[::-1]
    count = len(sizes)
    town = {
        "size": sizes,
        "grid": np.maximum(3, np.rint(2 * np.sqrt(sizes / np.pi))).astype(np.int64),
        # big towns have denser streets
        "spacing": (110.0 - 15.0 * np.log10(sizes)) * rng.uniform(0.9, 1.1, count),
        "angle": rng.uniform(0, np.pi / 2, count),
        "outline": rng.uniform(0, [0.2, 0.15, 2 * np.pi, 2 * np.pi], (count, 4)),
        "warp": rng.uniform([0.2, 0.1, 0, 0], [1.0, 0.4, 2 * np.pi, 2 * np.pi], (count, 4)),
    }
    extent = town["grid"] / 2 * (1 + town["outline"][:, 0] + town["outline"][:, 1])
    radius = town["spacing"] * (extent + town["warp"][:, 0])
    # a small region, where the largest town is a bigger share, grows so that all fit
    side_m = max(side_m, np.sqrt(np.pi * np.sum(radius**2) / 0.36))
    centre = np.full((count, 2), np.nan)
    placed = np.zeros(count, dtype=bool)
    # Placed centres are looked up in a k-d tree, rebuilt every 256 settlements; the ones placed
    # since are checked against all candidates at once.
    tree, indexed = None, 0
    for i in range(count):  # largest first: one loop per settlement
        if i - indexed >= 256:
            indexed = i
            tree = cKDTree(centre[:i][placed[:i]])
            tree_radius = radius[:i][placed[:i]]
        low = min(radius[i], side_m / 2)
        for _ in range(25):
            candidates = rng.uniform(low, side_m - low, (8, 2))
            recent = np.flatnonzero(placed[indexed:i]) + indexed
            gaps = np.hypot(*(candidates[:, None, :] - centre[None, recent]).transpose(2, 0, 1))
            free = np.all(gaps >= radius[recent] + radius[i] + GAP_M, axis=1)
            for k in np.flatnonzero(free):
                if tree is not None:
                    near = tree.query_ball_point(candidates[k], radius[0] + radius[i] + GAP_M)
                    gaps = np.hypot(*(tree.data[near] - candidates[k]).T)
                    if np.any(gaps < tree_radius[near] + radius[i] + GAP_M):
                        continue
                centre[i], placed[i] = candidates[k], True
                break
            if placed[i]:
                break
    # the rare settlement with no room left is dropped
    town = {key: value[placed] for key, value in town.items()}
    town["centre"], town["radius"] = centre[placed], radius[placed]
    return town


def _streets(rng: np.random.Generator, town: dict) -> tuple[np.ndarray, ...]:
    """Every settlement's streets: a jittered, warped, rotated grid clipped to an irregular
    outline, some side streets missing, a few diagonals, main streets every 5th line, and
    one-way side streets in towns. Node positions (m) and directed edges with their speed."""
    grid = town["grid"]
    cells = grid**2
    first_cell = np.cumsum(cells) - cells
    sid = np.repeat(np.arange(len(grid)), cells)
    g = grid[sid]
    row, col = np.divmod(np.arange(cells.sum()) - first_cell[sid], g)
    u, v = col - (g - 1) / 2, row - (g - 1) / 2
    a1, a2, p1, p2 = town["outline"][sid].T
    phi = np.arctan2(v, u)
    inside = np.hypot(u, v) <= g / 2 * (1 + a1 * np.cos(phi - p1) + a2 * np.cos(2 * phi - p2))
    amplitude, frequency, q1, q2 = town["warp"][sid].T
    jitter = rng.uniform(-0.25, 0.25, (len(sid), 2))
    uu = u + amplitude * np.sin(frequency * v + q1) + jitter[:, 0]
    vv = v + amplitude * np.sin(frequency * u + q2) + jitter[:, 1]
    cos, sin, spacing = np.cos(town["angle"][sid]), np.sin(town["angle"][sid]), town["spacing"][sid]
    x = town["centre"][sid, 0] + spacing * (uu * cos - vv * sin)
    y = town["centre"][sid, 1] + spacing * (uu * sin + vv * cos)

    cell = np.arange(len(sid))
    inner = (col < g - 1) & (row < g - 1)
    diagonal = rng.uniform(size=len(sid))
    a = np.concatenate([cell, cell, cell, cell + 1])
    b = np.concatenate([cell + 1, cell + g, cell + g + 1, cell + g])
    exists = np.concatenate(
        [col < g - 1, row < g - 1, inner & (diagonal < 0.04), inner & (diagonal > 0.96)]
    )
    centre_line = g // 2
    main = np.concatenate(
        [
            (row - centre_line) % 5 == 0,
            (col - centre_line) % 5 == 0,
            np.zeros(2 * len(sid), dtype=bool),
        ]
    )
    exists &= main | (rng.uniform(size=len(a)) > 0.12)
    a, b, main = a[exists], b[exists], main[exists]
    kept = inside[a] & inside[b]
    a, b, main = a[kept], b[kept], main[kept]
    number = np.cumsum(inside) - 1
    a, b = number[a], number[b]
    x, y, sid = x[inside], y[inside], sid[inside]

    degree = np.bincount(a, minlength=len(x)) + np.bincount(b, minlength=len(x))
    one_way = (
        ~main
        & (town["size"][sid[a]] >= TOWN_NODES)
        & (degree[a] >= 3)
        & (degree[b] >= 3)
        & (rng.uniform(size=len(a)) < ONE_WAY_SHARE)
    )
    flip = one_way & (rng.uniform(size=len(a)) < 0.5)
    a, b = np.where(flip, b, a), np.where(flip, a, b)
    speed = np.where(main, MAIN_STREET_KMH, STREET_KMH)
    two_way = ~one_way
    return (
        x,
        y,
        np.concatenate([a, b[two_way]]),
        np.concatenate([b, a[two_way]]),
        np.concatenate([speed, speed[two_way]]),
    )


def _gabriel(points: np.ndarray) -> np.ndarray:
    """Pairs of points joined in the Gabriel graph (no other point in the circle whose diameter
    they are): each to its few natural neighbours, planar, and connected."""
    if len(points) < 4:
        return _relative_neighbourhood(points)
    triangles = Delaunay(points).simplices
    i = triangles[:, [0, 1, 2]].ravel()
    j = triangles[:, [1, 2, 0]].ravel()
    opposite = triangles[:, [2, 0, 1]].ravel()
    obtuse = np.einsum("ij,ij->i", points[i] - points[opposite], points[j] - points[opposite]) <= 0
    pairs = np.sort(np.column_stack((i, j)), axis=1)
    pairs, inverse = np.unique(pairs, axis=0, return_inverse=True)
    return pairs[np.bincount(inverse.ravel(), weights=obtuse, minlength=len(pairs)) == 0]


def _relative_neighbourhood(points: np.ndarray) -> np.ndarray:
    """Pairs of points with no third point closer to both: a sparse connected backbone."""
    gaps = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    i, j = np.triu_indices(len(points), 1)
    closer = np.maximum(gaps[i], gaps[j]) < gaps[i, j][:, None]
    keep = ~closer.any(axis=1)
    return np.column_stack((i[keep], j[keep]))


def _links(
    rng: np.random.Generator,
    tree: cKDTree,
    town: dict,
    pairs: np.ndarray,
    first: int,
    reach: float,
    kmh: float,
    every_m: tuple[float, float],
) -> tuple[np.ndarray, ...]:
    """Two-way winding roads between the pairs of settlements, from the street node nearest to
    `reach` × radius from each centre towards the other, with a node every `every_m` metres
    (numbered from `first`)."""
    if not len(pairs):
        none, no_nodes = np.zeros(0), np.zeros(0, dtype=np.int64)
        return none, none, no_nodes, no_nodes, none
    ca, cb = town["centre"][pairs[:, 0]], town["centre"][pairs[:, 1]]
    gap = cb - ca
    direction = gap / np.hypot(*gap.T)[:, None]
    ra, rb = (reach * town["radius"][pairs[:, k]][:, None] for k in (0, 1))
    start = tree.query(ca + ra * direction)[1]
    end = tree.query(cb - rb * direction)[1]
    pa, pb = tree.data[start], tree.data[end]
    span = pb - pa
    length = np.hypot(*span.T)
    inner = np.maximum(0, np.rint(length / rng.uniform(*every_m, len(length))) - 1).astype(np.int64)
    bend = rng.uniform(-0.08, 0.08, (len(length), 2)) * length[:, None]
    link = np.repeat(np.arange(len(length)), inner)
    step = np.arange(len(link)) - (np.cumsum(inner) - inner)[link] + 1
    t = (step / (inner[link] + 1))[:, None]
    normal = np.column_stack((-span[:, 1], span[:, 0])) / np.maximum(length, 1e-9)[:, None]
    offset = bend[link, 0] * np.sin(np.pi * t[:, 0]) + bend[link, 1] * np.sin(2 * np.pi * t[:, 0])
    xy = pa[link] + t * span[link] + offset[:, None] * normal[link]
    # each link's node sequence: its start, its inner nodes, its end
    sizes = inner + 2
    first_of = np.cumsum(sizes) - sizes
    sequence = np.empty(sizes.sum(), dtype=np.int64)
    sequence[first_of] = start
    sequence[first_of + sizes - 1] = end
    sequence[first_of[link] + step] = first + np.arange(len(link))
    joined = np.ones(len(sequence) - 1, dtype=bool)
    joined[first_of[1:] - 1] = False
    a, b = sequence[:-1][joined], sequence[1:][joined]
    speed = np.full(2 * len(a), kmh)
    return xy[:, 0], xy[:, 1], np.concatenate([a, b]), np.concatenate([b, a]), speed


def _strongly_connected_arrays(lon, lat, tails, heads, speeds) -> dict:
    """The engine's arrays for the largest strongly connected component, edges sorted by
    (tail, head), without self-loops and, of two edges between the same nodes, the fastest."""
    loop = tails == heads
    tails, heads, speeds = tails[~loop], heads[~loop], speeds[~loop]
    n = len(lon)
    matrix = csr_matrix((np.ones(len(tails)), (tails, heads)), shape=(n, n))
    _, label = connected_components(matrix, directed=True, connection="strong")
    keep = label == np.argmax(np.bincount(label))
    inside = keep[tails] & keep[heads]
    number = np.cumsum(keep) - 1
    tails, heads, speeds = number[tails[inside]], number[heads[inside]], speeds[inside]
    lon, lat, n = lon[keep], lat[keep], int(keep.sum())
    length = np.maximum(1.0, haversine_m(lon[tails], lat[tails], lon[heads], lat[heads]))
    time = length / (speeds / 3.6)
    key = tails * n + heads
    order = np.lexsort((time, key))
    first = np.r_[True, key[order][1:] != key[order][:-1]]
    order = order[first]
    tails, heads, time, length = tails[order], heads[order], time[order], length[order]
    return _engine_arrays(lon, lat, tails, heads, time, length)
