"""Run-time routing and detour evaluation on a compact road graph (numpy/scipy only).

Times are seconds along the fastest path; distances are metres along that same path.
The detour of a passenger P→D on a driver's ride A→B is
    d(A→P) + d(P→D) + d(D→B) − d(A→B)
and is evaluated for any number of rides with one search *to* P on the reversed graph and one
search *from* D (plus the passenger's own route P→D), never one routing call per ride.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8
UNREACHABLE = np.inf


@dataclass(frozen=True)
class Route:
    duration_s: float
    distance_m: float
    nodes: np.ndarray  # node indices from origin to destination
    coords: list[tuple[float, float]]  # (lon, lat) polyline following the roads


@dataclass(frozen=True)
class Tree:
    """One-to-all (or all-to-one) search result: time and distance for every node."""

    time: np.ndarray
    distance: np.ndarray


@dataclass(frozen=True)
class Detours:
    """Per-ride figures for one passenger request (arrays aligned with the rides given)."""

    to_pickup_s: np.ndarray  # A→P
    to_pickup_m: np.ndarray
    from_dropoff_s: np.ndarray  # D→B
    from_dropoff_m: np.ndarray
    passenger_s: float  # P→D
    passenger_m: float
    detour_s: np.ndarray  # extra driving time for the driver
    detour_m: np.ndarray


class RoadGraph:
    def __init__(self, arrays: dict[str, np.ndarray], name: str = ""):
        self.name = name
        self.osm_ids = arrays["osm_ids"]
        self.lon = arrays["lon"]
        self.lat = arrays["lat"]
        self.indptr = arrays["indptr"]
        self.indices = arrays["indices"]
        self.time = arrays["time"]
        self.length = arrays["length"]
        self.geom_ptr = arrays["geom_ptr"]
        self.geom_lon = arrays["geom_lon"]
        self.geom_lat = arrays["geom_lat"]
        n = len(self.osm_ids)
        self.tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.indptr))
        self.forward = csr_matrix((self.time, self.indices, self.indptr), shape=(n, n))
        self.backward = self.forward.T.tocsr()
        # Equirectangular projection around the graph's centre: metres, accurate to well under
        # a percent across a region, which is all snapping needs.
        self._lat0 = float(np.radians(self.lat.mean())) if n else 0.0
        self._kdtree = cKDTree(self._project(self.lon, self.lat))
        self._edge_keys = self.tails * n + self.indices

    @classmethod
    def load(cls, path: Path, name: str = "") -> RoadGraph:
        with np.load(path) as data:
            return cls({key: data[key] for key in data.files}, name=name)

    @property
    def node_count(self) -> int:
        return len(self.osm_ids)

    @property
    def edge_count(self) -> int:
        return len(self.indices)

    @property
    def nbytes(self) -> int:
        arrays = [
            self.osm_ids,
            self.lon,
            self.lat,
            self.indptr,
            self.indices,
            self.time,
            self.length,
            self.geom_ptr,
            self.geom_lon,
            self.geom_lat,
            self.tails,
        ]
        matrices = self.forward.data.nbytes * 4  # forward + backward, data and indices
        return sum(a.nbytes for a in arrays) + matrices + self._kdtree.data.nbytes * 2

    # --- snapping -------------------------------------------------------------------------
    def _project(self, lon, lat) -> np.ndarray:
        lon, lat = (
            np.radians(np.asarray(lon, dtype=float)),
            np.radians(np.asarray(lat, dtype=float)),
        )
        return np.column_stack((lon * np.cos(self._lat0), lat)) * EARTH_RADIUS_M

    def snap(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node index and its distance in metres, for one point or arrays of points."""
        distance, node = self._kdtree.query(self._project(np.atleast_1d(lon), np.atleast_1d(lat)))
        return node.astype(np.int64), distance

    # --- searches -------------------------------------------------------------------------
    def _tree(self, matrix, source: int, limit: float) -> Tree:
        time, predecessors = dijkstra(
            matrix, directed=True, indices=source, return_predecessors=True, limit=limit
        )
        return Tree(
            time=time, distance=self._distance_along(predecessors, source, matrix is self.backward)
        )

    def _distance_along(self, predecessors: np.ndarray, root: int, reversed_: bool) -> np.ndarray:
        """Metres along the fastest-path tree, summed to the root by pointer jumping: each step
        doubles the stretch of tree every node has summed, so depth d takes log2(d) numpy steps
        instead of a Python loop over nodes."""
        n = len(predecessors)
        nodes = np.flatnonzero(predecessors >= 0)
        parents = predecessors[nodes].astype(np.int64)
        # On the reversed graph the tree edge parent→node is the road node→parent.
        tails, heads = (nodes, parents) if reversed_ else (parents, nodes)
        partial = np.zeros(n)
        partial[nodes] = self.length[self._edge_ids(tails, heads)]
        up = np.full(n, root, dtype=np.int64)
        up[nodes] = parents
        active = nodes[parents != root]
        while active.size:
            partial[active] += partial[up[active]]
            up[active] = up[up[active]]
            active = active[up[active] != root]
        distance = np.full(n, np.inf)
        distance[nodes] = partial[nodes]
        distance[root] = 0.0
        return distance

    def _edge_ids(self, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
        # Edges are stored sorted by (tail, head): one vectorised binary search.
        return np.searchsorted(self._edge_keys, np.asarray(tails) * self.node_count + heads)

    def from_node(self, source: int, limit: float = np.inf) -> Tree:
        """Fastest time and its distance from `source` to every node (inf if beyond `limit`)."""
        return self._tree(self.forward, source, limit)

    def to_node(self, target: int, limit: float = np.inf) -> Tree:
        """Fastest time and its distance from every node to `target`."""
        return self._tree(self.backward, target, limit)

    def route(self, origin: int, destination: int) -> Route | None:
        time, predecessors = dijkstra(
            self.forward, directed=True, indices=origin, return_predecessors=True
        )
        if not np.isfinite(time[destination]):
            return None
        path = [destination]
        while path[-1] != origin:
            path.append(int(predecessors[path[-1]]))
        path.reverse()
        nodes = np.array(path, dtype=np.int64)
        edges = (
            self._edge_ids(nodes[:-1], nodes[1:])
            if len(nodes) > 1
            else np.array([], dtype=np.int64)
        )
        coords: list[tuple[float, float]] = [(float(self.lon[origin]), float(self.lat[origin]))]
        for edge in edges.tolist():
            a, b = self.geom_ptr[edge], self.geom_ptr[edge + 1]
            coords.extend(zip(self.geom_lon[a + 1 : b].tolist(), self.geom_lat[a + 1 : b].tolist()))
        return Route(
            duration_s=float(time[destination]),
            distance_m=float(self.length[edges].sum()),
            nodes=nodes,
            coords=coords,
        )

    # --- detours --------------------------------------------------------------------------
    def detours(
        self,
        pickup: int,
        dropoff: int,
        ride_origins: np.ndarray,
        ride_destinations: np.ndarray,
        ride_time_s: np.ndarray,
        ride_distance_m: np.ndarray,
        limit_s: float = np.inf,
    ) -> Detours | None:
        """Detours of one passenger request against any number of rides, in one step.

        `limit_s` bounds the searches (no ride accepts a longer approach); rides that cannot
        reach the pickup or be reached from the drop-off within it get an infinite detour.
        Returns None when the passenger's own trip is impossible."""
        to_p = self.to_node(pickup, limit_s)
        from_d = self.from_node(dropoff, limit_s)
        passenger = self.route(pickup, dropoff)
        if passenger is None:
            return None
        a = np.asarray(ride_origins, dtype=np.int64)
        b = np.asarray(ride_destinations, dtype=np.int64)
        to_s, to_m = to_p.time[a], to_p.distance[a]
        back_s, back_m = from_d.time[b], from_d.distance[b]
        return Detours(
            to_pickup_s=to_s,
            to_pickup_m=to_m,
            from_dropoff_s=back_s,
            from_dropoff_m=back_m,
            passenger_s=passenger.duration_s,
            passenger_m=passenger.distance_m,
            detour_s=to_s + passenger.duration_s + back_s - np.asarray(ride_time_s, dtype=float),
            detour_m=to_m
            + passenger.distance_m
            + back_m
            - np.asarray(ride_distance_m, dtype=float),
        )
