"""The search page settles (unpacks the paths of) the rides best first and stops once the page is
full: the page must be the one ranking every ride exactly would give — the same rides, in the
same order, with the same figures — whatever the page size and on both engines."""

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import regional_network
from matching.engine import RoadGraph
from tests.matching.test_engine_properties import random_roads
from trips.selectors import Candidates, page

WINDOW = (10_000.0, 13_600.0)  # POSIX seconds: an hour


def rides(graph: RoadGraph, rnd, count: int) -> Candidates:
    n = graph.node_count
    origins = np.array([rnd.randrange(n) for _ in range(count)])
    destinations = np.array([rnd.randrange(n) for _ in range(count)])
    own = [graph.from_source(a, [b]).exact() for a, b in zip(origins, destinations)]
    ride_s, ride_m = (np.concatenate(column) for column in zip(*own))
    reached = np.isfinite(ride_s) & (ride_s > 0)
    return Candidates(
        ids=np.arange(reached.sum(), dtype=np.int64),
        origins=origins[reached],
        destinations=destinations[reached],
        ride_s=ride_s[reached],
        ride_m=ride_m[reached],
        ratio=np.array([rnd.choice([0.2, 0.5, 1.0, 3.0]) for _ in range(reached.sum())]),
        departure=np.array([rnd.uniform(*WINDOW) - 1800 for _ in range(reached.sum())]),
        margin_s=np.array([rnd.choice([0.0, 600.0, 1800.0]) for _ in range(reached.sum())]),
    )


def pages(graph: RoadGraph, c: Candidates, p: int, d: int, limit: int):
    def detours(lazy: bool):
        return graph.detours(
            p,
            d,
            c.origins,
            c.destinations,
            c.ride_s,
            c.ride_m,
            max_total_s=c.ride_s * (1 + c.ratio) + 1.0,
            lazy=lazy,
        )

    lazy, eager = detours(True), detours(False)
    if lazy is None:
        return None
    out_of_reach = lazy.settled.sum()  # settled from the start: nothing to unpack
    found = page(c, lazy, *WINDOW, limit)
    return lazy, found, page(c, eager, *WINDOW, None), out_of_reach


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10_000),
    st.sampled_from(["hierarchy", "dijkstra"]),
    st.integers(1, 12),
    st.randoms(use_true_random=False),
)
def test_the_page_is_the_top_of_the_whole_ranking(seed, engine, limit, rnd):
    graph = RoadGraph(random_roads(seed, 120, 0.2), engine=engine)
    c = rides(graph, rnd, 60)
    found = pages(graph, c, rnd.randrange(graph.node_count), rnd.randrange(graph.node_count), limit)
    if found is None:
        return
    result, (kept, score, pickup_at), (all_kept, all_score, all_pickup_at), _ = found
    assert kept.tolist() == all_kept[:limit].tolist()
    np.testing.assert_allclose(score, all_score[:limit])
    np.testing.assert_allclose(pickup_at, all_pickup_at[:limit])
    assert result.settled[kept].all()
    np.testing.assert_array_less(result.detour_m[kept], np.inf)


def test_a_short_page_leaves_the_rides_below_it_unpacked():
    graph = RoadGraph(regional_network(side=15), engine="hierarchy")
    c = rides(graph, random.Random(3), 120)
    generous = {"ratio": np.full(len(c), 5.0), "margin_s": np.full(len(c), 1e5)}
    c = Candidates(**(c.__dict__ | generous))
    result, (kept, _, _), (all_kept, _, _), out_of_reach = pages(graph, c, 5, 77, 3)
    assert len(all_kept) > 10  # many rides qualify…
    assert len(kept) == 3
    # …and only about the page's worth had their paths unpacked.
    assert result.settled.sum() - out_of_reach < len(all_kept) / 2
