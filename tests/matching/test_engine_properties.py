"""The contraction hierarchy equals scipy's Dijkstra (the reference) on random road graphs with
one-way streets and parts that cannot be reached: the same routes, the same legs, the same
detours, the same rides kept — within the hierarchy's whole milliseconds."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import haversine_m
from matching.engine import RoadGraph

UNREACHABLE = np.inf


def random_roads(seed: int, nodes: int, one_way: float) -> dict:
    """A random planar-ish road graph: each node joined to a few of its nearest neighbours,
    a share of them one way only, so some nodes cannot reach (or be reached from) others."""
    rng = np.random.default_rng(seed)
    lon = 1.5 + rng.uniform(0, 0.05, nodes)
    lat = 42.5 + rng.uniform(0, 0.05, nodes)
    pairs = set()
    for i in range(nodes):
        near = np.argsort((lon - lon[i]) ** 2 + (lat - lat[i]) ** 2)[1 : 1 + rng.integers(1, 4)]
        for j in near.tolist():
            pairs.add((i, j))
            if rng.random() >= one_way:
                pairs.add((j, i))
    tails, heads = np.array(sorted(pairs)).T
    length = np.maximum(1.0, haversine_m(lon[tails], lat[tails], lon[heads], lat[heads]))
    speed = rng.choice([30 / 3.6, 50 / 3.6, 80 / 3.6], len(tails))
    indptr = np.zeros(nodes + 1, dtype=np.int64)
    np.add.at(indptr, tails + 1, 1)
    geom = np.column_stack((lon[tails], lat[tails], lon[heads], lat[heads])).reshape(-1, 2)
    return {
        "osm_ids": np.arange(nodes, dtype=np.int64),
        "lon": lon,
        "lat": lat,
        "indptr": np.cumsum(indptr),
        "indices": heads.astype(np.int32),
        "time": length / speed,
        "length": length,
        "geom_ptr": np.arange(0, 2 * len(tails) + 1, 2, dtype=np.int64),
        "geom_lon": geom[:, 0].astype(np.float32),
        "geom_lat": geom[:, 1].astype(np.float32),
    }


def both(seed: int, nodes: int, one_way: float) -> tuple[RoadGraph, RoadGraph]:
    arrays = random_roads(seed, nodes, one_way)
    return RoadGraph(arrays, engine="hierarchy"), RoadGraph(arrays, engine="dijkstra")


# Whole milliseconds per edge: a leg of k edges may differ by k × 0.5 ms before `exact`.
ROUNDING_S = 0.5e-3 * 200

graphs = st.tuples(
    st.integers(0, 10_000), st.integers(20, 160), st.sampled_from([0.0, 0.2, 0.5, 0.9])
)
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(graphs, st.randoms(use_true_random=False))
def test_legs_equal_the_reference(spec, rnd):
    hierarchy, reference = both(*spec)
    n = hierarchy.node_count
    root = rnd.randrange(n)
    others = np.array([rnd.randrange(n) for _ in range(30)])
    for method in ("to_target", "from_source"):
        fast, slow = (
            getattr(hierarchy, method)(root, others),
            getattr(reference, method)(root, others),
        )
        assert (np.isinf(fast.seconds) == np.isinf(slow.seconds)).all()  # unreachable alike
        reached = np.isfinite(slow.seconds)
        np.testing.assert_allclose(fast.seconds[reached], slow.seconds[reached], atol=ROUNDING_S)
        (fs, fm), (ss, sm) = fast.exact(), slow.exact()
        assert (np.isinf(fm) == ~reached).all()
        # Exact along each path; equal to the reference unless two paths tie to the ms.
        np.testing.assert_allclose(fs[reached], ss[reached], atol=ROUNDING_S)
        with np.errstate(invalid="ignore"):
            tied = np.abs(fs - ss) > 1e-6
        np.testing.assert_allclose(fm[reached & ~tied], sm[reached & ~tied], rtol=1e-9, atol=1e-6)


@PROPERTY
@given(graphs, st.randoms(use_true_random=False))
def test_routes_equal_the_reference(spec, rnd):
    hierarchy, reference = both(*spec)
    n = hierarchy.node_count
    for _ in range(10):
        a, b = rnd.randrange(n), rnd.randrange(n)
        fast, slow = hierarchy.route(a, b), reference.route(a, b)
        assert (fast is None) == (slow is None)
        if fast is None:
            continue
        assert fast.duration_s == pytest.approx(slow.duration_s, abs=ROUNDING_S)
        assert fast.nodes[0] == a and fast.nodes[-1] == b
        assert fast.coords[0] == slow.coords[0] and fast.coords[-1] == slow.coords[-1]
        if fast.duration_s == pytest.approx(slow.duration_s, abs=1e-9):
            assert fast.distance_m == pytest.approx(slow.distance_m, abs=1e-6)


@PROPERTY
@given(graphs, st.randoms(use_true_random=False))
def test_detours_keep_the_same_rides(spec, rnd):
    hierarchy, reference = both(*spec)
    n = hierarchy.node_count
    origins = np.array([rnd.randrange(n) for _ in range(40)])
    destinations = np.array([rnd.randrange(n) for _ in range(40)])
    own = [reference.from_source(a, [b]).seconds[0] for a, b in zip(origins, destinations)]
    ride_s = np.where(np.isfinite(own), own, 1e9)
    ride_m = ride_s * 10.0
    budget = ride_s * 3.0 + 1.0
    p, d = rnd.randrange(n), rnd.randrange(n)
    fast = hierarchy.detours(p, d, origins, destinations, ride_s, ride_m, max_total_s=budget)
    slow = reference.detours(p, d, origins, destinations, ride_s, ride_m, max_total_s=budget)
    assert (fast is None) == (slow is None)
    if fast is None:
        return
    # The same rides get a finite detour, except one right at its bound (rounding).
    edge = np.abs(slow.to_pickup_s + slow.passenger_s + slow.from_dropoff_s - budget) < 1.0
    kept_fast, kept_slow = np.isfinite(fast.detour_s), np.isfinite(slow.detour_s)
    assert ((kept_fast == kept_slow) | edge).all()
    both_kept = kept_fast & kept_slow
    np.testing.assert_allclose(fast.detour_s[both_kept], slow.detour_s[both_kept], atol=1.0)
    with np.errstate(invalid="ignore"):
        unique = both_kept & (np.abs(fast.detour_s - slow.detour_s) < 1e-6)
    np.testing.assert_allclose(fast.detour_m[unique], slow.detour_m[unique], atol=1e-3)
    assert both_kept.any() or not kept_slow.any()
