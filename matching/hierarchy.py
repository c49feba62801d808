"""The road engine on a customizable contraction hierarchy (RoutingKit's CCH, through the
`routingkit-cch` binding, pinned in pyproject.toml). No Django here.

A hierarchy orders the nodes by importance (a nested dissection: the few nodes that cut the
region in two come last, then those that cut each half, …) and adds shortcut arcs so that a
fastest path always climbs the order and then descends it. A query then searches upwards from
both ends and meets at the top: a few hundred nodes settled instead of the whole region. The
order depends only on the roads' shape (`node_order`, computed once with the graph and saved
with its arrays); the weights are bound to it when a process loads the graph ("customization",
seconds for a million nodes).

Weights are whole **milliseconds** (each edge's time rounded, at least 1 ms). Between equally
fast paths (to the millisecond) the hierarchy returns one of them; the metres and the exact
seconds of a leg are then those of the path it returned, summed from the edges' own figures
(`Legs.exact`). Each thread keeps its own query objects (the binding's queries are not
shareable); the hierarchy and its metric are shared, read only, by every thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import routingkit_cch as rk

# Changes when what is saved with a graph for the hierarchy changes (matching/build.py).
HIERARCHY_VERSION = 1


def node_order(
    tails: np.ndarray, heads: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> np.ndarray:
    """Nested-dissection order of the nodes (inertial separators on their coordinates)."""
    order = rk.compute_order_inertial(
        len(lat), tails.tolist(), heads.tolist(), lat.tolist(), lon.tolist()
    )
    return np.asarray(order, dtype=np.int32)


def hierarchy_arrays(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What a graph saves for its hierarchy: the node order and its version."""
    indptr = arrays["indptr"]
    tails = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
    return {
        "node_order": node_order(tails, arrays["indices"], arrays["lat"], arrays["lon"]),
        "hierarchy_version": np.array(HIERARCHY_VERSION),
    }


def milliseconds(time_s: np.ndarray) -> np.ndarray:
    return np.maximum(1, np.rint(np.asarray(time_s) * 1000)).astype(np.int64)


def _seconds(found: list[int | None]) -> np.ndarray:
    """The binding's answers (ms, None when unreachable) as seconds, inf when unreachable."""
    return np.array([np.inf if ms is None else ms / 1000 for ms in found], dtype=float)


@dataclass
class Legs:
    """Fastest times between one node and many, aligned with the many; `exact` gives, for the
    legs asked, the seconds and metres summed along the fastest path itself."""

    seconds: np.ndarray
    unpack: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] = field(repr=False)

    def exact(self, where: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(seconds, metres) of the legs in `where` (a boolean mask; all reachable ones when
        None); the other legs keep their time and get inf metres."""
        reached = np.isfinite(self.seconds)
        chosen = np.flatnonzero(reached if where is None else reached & where)
        seconds, metres = self.seconds.copy(), np.full(len(self.seconds), np.inf)
        if chosen.size:
            seconds[chosen], metres[chosen] = self.unpack(chosen)
        return seconds, metres


class Hierarchy:
    """One-to-many, many-to-one and point-to-point fastest paths of one graph."""

    def __init__(
        self,
        tails: np.ndarray,
        heads: np.ndarray,
        time_s: np.ndarray,
        length_m: np.ndarray,
        order: np.ndarray,
    ):
        # Arcs are given in the graph's own edge order: the binding's arc ids are edge ids.
        self._cch = rk.CCH(order.tolist(), tails.tolist(), heads.tolist(), False)
        self._metric = rk.CCHMetric(self._cch, milliseconds(time_s).tolist())
        self._time, self._length = time_s, length_m
        self._local = threading.local()

    # Per thread: one point-to-point query and one pinned query of each direction.
    def _query(self):
        local = self._local
        if not hasattr(local, "query"):
            local.query = rk.CCHQuery(self._metric)
        return local.query

    def _one_to_many(self, targets: list[int]):
        local = self._local
        if not hasattr(local, "one_to_many"):
            local.one_to_many = rk.CCHOneToMany(self._metric, targets)
        else:
            local.one_to_many.repin_targets(targets)
        return local.one_to_many

    def _many_to_one(self, sources: list[int]):
        local = self._local
        if not hasattr(local, "many_to_one"):
            local.many_to_one = rk.CCHManyToOne(self._metric, sources)
        else:
            local.many_to_one.repin_sources(sources)
        return local.many_to_one

    def path(self, origin: int, destination: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Nodes and edge ids of the fastest path, None when no road leads there."""
        result = self._query().run(int(origin), int(destination))
        try:
            if result.distance is None:
                return None
            return (
                np.asarray(result.node_path, dtype=np.int64),
                np.asarray(result.arc_path, dtype=np.int64),
            )
        finally:
            del result  # the query may run again only once its result is gone

    def _sums(self, pairs) -> tuple[np.ndarray, np.ndarray]:
        """Seconds and metres summed along the fastest path of each (origin, destination)."""
        query = self._query()
        edges, counts = [], []
        for origin, destination in pairs:
            result = query.run(origin, destination)
            arcs = result.arc_path if result.distance is not None else None
            del result  # the query may run again only once its result is gone
            counts.append(-1 if arcs is None else len(arcs))
            edges.extend(arcs or ())
        counts = np.array(counts)
        # One vectorised sum per leg over the edges of every path at once.
        ends = np.cumsum(np.maximum(counts, 0))
        starts = ends - np.maximum(counts, 0)
        edges = np.asarray(edges, dtype=np.int64)
        time_sum = np.concatenate(([0.0], np.cumsum(self._time[edges])))
        length_sum = np.concatenate(([0.0], np.cumsum(self._length[edges])))
        seconds = np.where(counts < 0, np.inf, time_sum[ends] - time_sum[starts])
        metres = np.where(counts < 0, np.inf, length_sum[ends] - length_sum[starts])
        return seconds, metres

    def _unpacked(self, ends: np.ndarray, pair) -> tuple[np.ndarray, np.ndarray]:
        """`_sums` of the legs `pair(end)` for `ends`, each distinct leg unpacked once."""
        nodes, each = np.unique(ends, return_inverse=True)
        seconds, metres = self._sums(pair(n) for n in nodes.tolist())
        return seconds[each], metres[each]

    def _legs(self, others: np.ndarray, sweep, pair) -> Legs:
        """The legs between one node and each of `others`: `sweep(nodes)` times them all in
        one batched search, each distinct node pinned once (rides leave from the same
        villages); `pair(node)` is a leg's (origin, destination), for its unpacking."""
        others = np.asarray(others, dtype=np.int64)
        if not others.size:
            return Legs(np.empty(0), lambda chosen: (np.empty(0), np.empty(0)))
        nodes, each = np.unique(others, return_inverse=True)
        return Legs(
            _seconds(sweep(nodes.tolist()))[each],
            lambda chosen: self._unpacked(others[chosen], pair),
        )

    def to_target(self, target: int, sources: np.ndarray) -> Legs:
        return self._legs(
            sources,
            lambda nodes: self._many_to_one(nodes).distances_to(int(target)),
            lambda s: (s, target),
        )

    def from_source(self, source: int, targets: np.ndarray) -> Legs:
        return self._legs(
            targets,
            lambda nodes: self._one_to_many(nodes).distances_from(int(source)),
            lambda t: (source, t),
        )
