"""A deterministic synthetic regional road network, in the engine's array format.

A jittered grid of local streets (~150 m apart) with every 10th street an arterial and every
50th a trunk road, two-way, around 45° N: a 450 × 450 grid gives 202,500 nodes, ~67 km across,
like a French département."""

from __future__ import annotations

import numpy as np

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
    n = side * side
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
