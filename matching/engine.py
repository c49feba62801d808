"""Run-time routing and detour evaluation on a compact road graph.

Times are seconds along the fastest path; distances are metres along that same path.
The detour of a passenger P→D on a driver's ride A→B is
    d(A→P) + d(P→D) + d(D→B) − d(A→B)
and is evaluated for any number of rides with one many-to-one search to P and one one-to-many
search from D (plus the passenger's own route P→D), never one routing call per ride.

Two engines answer the same calls (`RoadGraph(arrays, engine=…)`): `hierarchy`, the one that
serves, on a contraction hierarchy (matching/hierarchy.py, docs/matching.md); and `dijkstra`,
scipy's one-to-all searches on the whole graph, exact to the float, kept as the tests' and the
benchmarks' reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from .hierarchy import HIERARCHY_VERSION, Hierarchy, Legs, node_order

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
    """One-to-all (or all-to-one) search: fastest time for every node, and the distance along
    those fastest paths for the nodes asked (`distances`), or all of them (`distance`)."""

    graph: RoadGraph
    root: int
    time: np.ndarray
    predecessors: np.ndarray
    reversed: bool

    @cached_property
    def _parent_length(self) -> np.ndarray:
        """Length of the tree edge into each node (one vectorised lookup for the whole tree)."""
        predecessors = self.predecessors.astype(np.int64)
        nodes = np.flatnonzero(predecessors >= 0)
        parents = predecessors[nodes]
        tails, heads = (nodes, parents) if self.reversed else (parents, nodes)
        lengths = np.zeros(len(self.time))
        lengths[nodes] = self.graph.length[self.graph._edge_ids(tails, heads)]
        return lengths

    def distances(self, nodes: np.ndarray) -> np.ndarray:
        """Metres along the tree from the root to `nodes` (to the root on a reversed tree):
        all the chains are walked together, one numpy step per tree level."""
        nodes = np.asarray(nodes, dtype=np.int64)
        result = np.where(np.isfinite(self.time[nodes]), 0.0, np.inf)
        current = nodes.copy()
        active = np.flatnonzero(np.isfinite(result) & (current != self.root))
        if not active.size:
            return result
        lengths, predecessors = self._parent_length, self.predecessors
        while active.size:
            here = current[active]
            result[active] += lengths[here]
            parent = predecessors[here]
            current[active] = parent
            active = active[parent != self.root]
        return result

    @property
    def distance(self) -> np.ndarray:
        return self.distances(np.arange(len(self.time)))


class Detours:
    """Per-ride figures for one passenger request (arrays aligned with the rides given).

    The searches give every ride's fastest times to the millisecond; the metres (and the
    seconds to the float) need each leg's path unpacked, which costs far more than the
    searches. A ride is *settled* once its legs are unpacked: `settle(rides)` does it for the
    rides asked (the ranking settles them best first and stops once its page is full), and
    until then `to_pickup_m`, `from_dropoff_m` and `detour_m` are inf. Rides out of reach or
    beyond the bounds given have infinite times and count as settled."""

    def __init__(
        self, to_pickup: Legs, from_dropoff: Legs, back_budget_s, ride_s, ride_m, passenger: Route
    ):
        self._legs = (to_pickup, from_dropoff)
        self._back_budget = back_budget_s
        self._ride_s, self._ride_m = np.asarray(ride_s, dtype=float), np.asarray(ride_m, float)
        self.passenger_s, self.passenger_m = passenger.duration_s, passenger.distance_m
        self.to_pickup_s = to_pickup.seconds.copy()  # A→P
        self.from_dropoff_s = from_dropoff.seconds.copy()  # D→B
        self.to_pickup_m = np.full(len(self.to_pickup_s), np.inf)
        self.from_dropoff_m = np.full(len(self.to_pickup_s), np.inf)
        reachable = np.isfinite(self.to_pickup_s) & np.isfinite(self.from_dropoff_s)
        self.to_pickup_s[~reachable] = self.from_dropoff_s[~reachable] = np.inf
        self.settled = ~reachable

    @property
    def detour_s(self) -> np.ndarray:  # extra driving time for the driver
        return self.to_pickup_s + self.passenger_s + self.from_dropoff_s - self._ride_s

    @property
    def detour_m(self) -> np.ndarray:
        return self.to_pickup_m + self.passenger_m + self.from_dropoff_m - self._ride_m

    def settle(self, rides=None) -> None:
        """Unpack the legs of `rides` (indices; every ride when None) not settled yet."""
        wanted = np.zeros(len(self.settled), dtype=bool)
        wanted[slice(None) if rides is None else np.asarray(rides, dtype=np.int64)] = True
        wanted &= ~self.settled
        if not wanted.any():
            return
        to_p, from_d = self._legs
        to_s, to_m = to_p.exact(wanted)
        back_s, back_m = from_d.exact(wanted)
        # The bound on D→B was applied to the millisecond: allow the rounding.
        back_s = np.where(back_s <= self._back_budget + 1.0, back_s, np.inf)
        self.to_pickup_s[wanted], self.to_pickup_m[wanted] = to_s[wanted], to_m[wanted]
        self.from_dropoff_s[wanted], self.from_dropoff_m[wanted] = back_s[wanted], back_m[wanted]
        self.settled |= wanted


ENGINES = ("hierarchy", "dijkstra")


class RoadGraph:
    def __init__(self, arrays: dict[str, np.ndarray], name: str = "", engine: str = "hierarchy"):
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")
        self.name = name
        self.engine = engine
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
        # Equirectangular projection around the graph's centre: metres, accurate to well under
        # a percent across a region, which is all snapping needs.
        self._lat0 = float(np.radians(self.lat.mean())) if n else 0.0
        self._kdtree = cKDTree(self._project(self.lon, self.lat))
        self._edge_keys = self.tails * n + self.indices
        self._time_total = float(self.time.sum())
        # Fastest speed on the network (m/s): straight line / this is a lower bound on time.
        self._max_speed = (
            float(np.max(self.length / np.maximum(self.time, 1e-9))) if len(self.time) else 1.0
        )
        self._hierarchy = None
        if engine == "hierarchy":
            order = arrays.get("node_order")
            saved = int(arrays.get("hierarchy_version", 0))
            if order is None or saved != HIERARCHY_VERSION:  # saved before: order it now
                order = node_order(self.tails, self.indices, self.lat, self.lon)
            self._hierarchy = Hierarchy(self.tails, self.indices, self.time, self.length, order)

    # scipy's matrices, for the reference searches only: built on first use, so that a process
    # serving with the hierarchy never holds them.
    @cached_property
    def forward(self) -> csr_matrix:
        n = self.node_count
        return csr_matrix((self.time, self.indices, self.indptr), shape=(n, n))

    @cached_property
    def backward(self) -> csr_matrix:
        return self.forward.T.tocsr()

    @classmethod
    def load(cls, path: Path, name: str = "", engine: str = "hierarchy") -> RoadGraph:
        with np.load(path) as data:
            return cls({key: data[key] for key in data.files}, name=name, engine=engine)

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
        built = [m for m in ("forward", "backward") if m in self.__dict__]
        matrices = sum(getattr(self, m).data.nbytes * 2 for m in built)  # data and indices
        return sum(a.nbytes for a in arrays) + matrices + self._kdtree.data.nbytes * 2

    @property
    def max_speed(self) -> float:
        """Top speed on the network (m/s): a straight line / this never exceeds a road time."""
        return self._max_speed

    def straight_m(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Great-circle distance between nodes, slightly shortened so that it stays a lower
        bound of road lengths whatever the rounding."""
        lon1, lat1 = np.radians(self.lon[a]), np.radians(self.lat[a])
        lon2, lat2 = np.radians(self.lon[b]), np.radians(self.lat[b])
        h = (
            np.sin((lat2 - lat1) / 2) ** 2
            + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0))) * 0.999

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
    def _tree(self, source: int, limit: float, reversed: bool = False) -> Tree:
        time, predecessors = dijkstra(
            self.backward if reversed else self.forward,
            directed=True,
            indices=source,
            return_predecessors=True,
            limit=limit,
        )
        return Tree(self, source, time, predecessors, reversed=reversed)

    def _edge_ids(self, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
        # Edges are stored sorted by (tail, head): one vectorised binary search.
        return np.searchsorted(self._edge_keys, np.asarray(tails) * self.node_count + heads)

    def from_node(self, source: int, limit: float = np.inf) -> Tree:
        """Fastest time and its distance from `source` to every node (inf if beyond `limit`):
        scipy's one-to-all search, whatever the engine (the reference)."""
        return self._tree(source, limit)

    def to_node(self, target: int, limit: float = np.inf) -> Tree:
        """Fastest time and its distance from every node to `target` (the reference)."""
        return self._tree(target, limit, reversed=True)

    def to_target(self, target: int, sources, limit: float = np.inf) -> Legs:
        """Many-to-one: the fastest time from each of `sources` to `target` (inf when
        unreachable or beyond `limit` seconds); `Legs.exact` adds the metres."""
        sources = np.asarray(sources, dtype=np.int64)
        if self._hierarchy is not None:
            return self._limited(self._hierarchy.to_target(target, sources), limit)
        return self._tree_legs(self.to_node(target, limit), sources)

    def from_source(self, source: int, targets, limit: float = np.inf) -> Legs:
        """One-to-many: the fastest time from `source` to each of `targets`."""
        targets = np.asarray(targets, dtype=np.int64)
        if self._hierarchy is not None:
            return self._limited(self._hierarchy.from_source(source, targets), limit)
        return self._tree_legs(self.from_node(source, limit), targets)

    @staticmethod
    def _limited(legs: Legs, limit: float) -> Legs:
        if np.isfinite(limit):
            legs.seconds[legs.seconds > limit] = np.inf
        return legs

    @staticmethod
    def _tree_legs(tree: Tree, nodes: np.ndarray) -> Legs:
        return Legs(
            tree.time[nodes],
            lambda chosen: (tree.time[nodes[chosen]], tree.distances(nodes[chosen])),
        )

    def route(self, origin: int, destination: int) -> Route | None:
        """Fastest route with its geometry along the roads, None when no road leads there."""
        if origin == destination:
            return Route(
                0.0, 0.0, np.array([origin]), [(float(self.lon[origin]), float(self.lat[origin]))]
            )
        if self._hierarchy is not None:
            found = self._hierarchy.path(origin, destination)
            return None if found is None else self._route(*found)
        path = self._dijkstra_path(origin, destination)
        if path is None:
            return None
        nodes = np.array(path, dtype=np.int64)
        return self._route(nodes, self._edge_ids(nodes[:-1], nodes[1:]))

    def _dijkstra_path(self, origin: int, destination: int) -> list[int] | None:
        """Nodes of the fastest path, by two searches bounded to a radius L around each end,
        L growing from a lower bound until the best meeting edge proves optimal (≤ 2L)."""
        ends = self._project(self.lon[[origin, destination]], self.lat[[origin, destination]])
        straight = float(np.hypot(*(ends[1] - ends[0])))
        # Each side needs half the trip; real roads are rarely faster than half the top speed
        # as the crow flies, so start there and grow by half until the proof holds.
        radius = max(30.0, straight / self._max_speed)
        while True:
            forward = self._tree(origin, radius)
            if np.isfinite(forward.time[destination]):
                path = self._branch(forward, destination)[::-1]
                break
            backward = self._tree(destination, radius, reversed=True)
            through = forward.time[self.tails] + self.time + backward.time[self.indices]
            best = int(np.argmin(through))
            if np.isfinite(through[best]) and through[best] <= 2 * radius:
                head = int(self.indices[best])
                # On the reversed tree the branch from `head` already runs in road order.
                path = self._branch(forward, int(self.tails[best]))[::-1] + self._branch(
                    backward, head
                )
                break
            if radius > self._time_total:
                return None  # longer than every road together: no road leads there
            radius *= 1.5
        return path

    def _route(self, nodes: np.ndarray, edges: np.ndarray) -> Route:
        origin = int(nodes[0])
        coords: list[tuple[float, float]] = [(float(self.lon[origin]), float(self.lat[origin]))]
        for edge in edges.tolist():
            a, b = self.geom_ptr[edge], self.geom_ptr[edge + 1]
            coords.extend(zip(self.geom_lon[a + 1 : b].tolist(), self.geom_lat[a + 1 : b].tolist()))
        return Route(
            duration_s=float(self.time[edges].sum()),
            distance_m=float(self.length[edges].sum()),
            nodes=nodes,
            coords=coords,
        )

    @staticmethod
    def _branch(tree: Tree, node: int) -> list[int]:
        """Nodes from `node` up the tree to its root."""
        path = [node]
        while path[-1] != tree.root:
            path.append(int(tree.predecessors[path[-1]]))
        return path

    # --- detours --------------------------------------------------------------------------
    def detours(
        self,
        pickup: int,
        dropoff: int,
        ride_origins: np.ndarray,
        ride_destinations: np.ndarray,
        ride_time_s: np.ndarray,
        ride_distance_m: np.ndarray,
        max_total_s: np.ndarray | float = np.inf,
        max_approach_s: np.ndarray | float = np.inf,
        passenger: Route | None = None,
        lazy: bool = False,
    ) -> Detours | None:
        """Detours of one passenger request against any number of rides, in one step.

        Optional per-ride bounds shrink the two searches without changing any accepted
        answer: `max_total_s`, the longest a ride may take with the passenger on board
        (own time + detour budget), and `max_approach_s`, the longest its approach A→P may
        take (e.g. to reach P before the passenger's window ends). A ride beyond them gets an
        infinite detour. `passenger` is the route P→D when the caller already has it.
        Every ride within them is settled (metres and exact seconds) unless `lazy`: then the
        caller settles those it needs (`Detours.settle`). Returns None when the passenger's
        own trip is impossible."""
        passenger = passenger or self.route(pickup, dropoff)
        if passenger is None:
            return None
        a = np.asarray(ride_origins, dtype=np.int64)
        b = np.asarray(ride_destinations, dtype=np.int64)
        total = np.broadcast_to(np.asarray(max_total_s, dtype=float), a.shape)
        # D→B takes at least the straight line at the network's top speed.
        least_back = self.straight_m(np.full(len(b), dropoff), b) / self.max_speed
        approach = np.minimum(total - passenger.duration_s - least_back, max_approach_s)
        to_p = self.to_target(pickup, a, float(np.max(approach, initial=0.0)))
        to_s = np.where(to_p.seconds <= approach, to_p.seconds, np.inf)
        # What is left for D→B once each ride has reached P.
        back_budget = np.where(np.isfinite(to_s), total - passenger.duration_s - to_s, -np.inf)
        from_d = self.from_source(dropoff, b, max(0.0, float(np.max(back_budget, initial=0.0))))
        from_d.seconds = np.where(from_d.seconds <= back_budget, from_d.seconds, np.inf)
        to_p.seconds = np.where(np.isfinite(from_d.seconds), to_s, np.inf)
        result = Detours(to_p, from_d, back_budget, ride_time_s, ride_distance_m, passenger)
        if not lazy:
            result.settle()
        return result
