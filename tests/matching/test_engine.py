"""Both engines' answers equal a plain networkx Dijkstra on the same real road graphs: the
contraction hierarchy that serves and scipy's Dijkstra, its reference."""

import math
import random
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from matching.build import arrays_from_graph, graph_from_drivable_xml, write_drivable_xml
from matching.engine import ENGINES, RoadGraph
from matching.hierarchy import hierarchy_arrays

DATA = Path(__file__).resolve().parents[2] / "data" / "osm"
EXTRACTS = ["andorra.osm.gz", "monaco.osm.gz", "saint_barthelemy.osm.bz2"]


@pytest.fixture(scope="module", params=EXTRACTS)
def extract(request, tmp_path_factory):
    roads = tmp_path_factory.mktemp("roads") / "roads.osm"
    write_drivable_xml(DATA / request.param, roads)
    nx_graph = graph_from_drivable_xml(roads)
    arrays = arrays_from_graph(nx_graph)
    return request.param, nx_graph, arrays | hierarchy_arrays(arrays)


@pytest.fixture(scope="module", params=ENGINES)
def graphs(request, extract):
    name, nx_graph, arrays = extract
    engine = RoadGraph(arrays, name=name, engine=request.param)
    # The networkx graph keyed by the engine's node indices, fastest of parallel edges.
    index = {osm: i for i, osm in enumerate(engine.osm_ids.tolist())}
    plain = nx.DiGraph()
    for u, v, data in nx_graph.edges(data=True):
        a, b = index[u], index[v]
        if a == b:
            continue
        if not plain.has_edge(a, b) or plain[a][b]["time"] > data["travel_time"]:
            plain.add_edge(a, b, time=data["travel_time"], length=data["length"])
    return engine, plain


def path_length(plain, path) -> float:
    return sum(plain[u][v]["length"] for u, v in zip(path, path[1:]))


def test_graph_is_one_strongly_connected_component(graphs):
    engine, plain = graphs
    assert nx.is_strongly_connected(plain)
    assert plain.number_of_nodes() == engine.node_count > 300


def test_route_equals_networkx(graphs):
    engine, plain = graphs
    rng = random.Random(7)
    for _ in range(40):
        a, b = rng.randrange(engine.node_count), rng.randrange(engine.node_count)
        route = engine.route(a, b)
        time, path = nx.single_source_dijkstra(plain, a, b, weight="time")
        assert route.duration_s == pytest.approx(time, rel=1e-9, abs=1e-9)
        assert route.distance_m == pytest.approx(path_length(plain, path), rel=1e-9, abs=1e-6)
        assert route.nodes.tolist() == path
        assert route.coords[0] == pytest.approx((engine.lon[a], engine.lat[a]), abs=1e-6)
        assert route.coords[-1] == pytest.approx((engine.lon[b], engine.lat[b]), abs=1e-5)


def test_one_to_all_and_all_to_one_equal_networkx(graphs):
    engine, plain = graphs
    reverse = plain.reverse(copy=False)
    rng = random.Random(11)
    for _ in range(3):
        source = rng.randrange(engine.node_count)
        for tree, graph in ((engine.from_node(source), plain), (engine.to_node(source), reverse)):
            times, paths = nx.single_source_dijkstra(graph, source, weight="time")
            expected_t = np.array([times[i] for i in range(engine.node_count)])
            expected_m = np.array([path_length(graph, paths[i]) for i in range(engine.node_count)])
            np.testing.assert_allclose(tree.time, expected_t, rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(tree.distance, expected_m, rtol=1e-9, atol=1e-6)


def test_many_to_one_and_one_to_many_equal_networkx(graphs):
    engine, plain = graphs
    reverse = plain.reverse(copy=False)
    rng = random.Random(13)
    n = engine.node_count
    for _ in range(3):
        root = rng.randrange(n)
        others = np.array([rng.randrange(n) for _ in range(80)] + [root])
        for legs, graph in (
            (engine.to_target(root, others), reverse),
            (engine.from_source(root, others), plain),
        ):
            times, paths = nx.single_source_dijkstra(graph, root, weight="time")
            expected_t = np.array([times[i] for i in others.tolist()])
            expected_m = np.array([path_length(graph, paths[i]) for i in others.tolist()])
            # Fastest times first: the hierarchy's are whole milliseconds summed (≤ 0.5 ms of
            # rounding per edge), then the exact figures along each path.
            np.testing.assert_allclose(legs.seconds, expected_t, atol=0.5e-3 * 200)
            seconds, metres = legs.exact()
            np.testing.assert_allclose(seconds, expected_t, rtol=1e-9, atol=1e-6)
            np.testing.assert_allclose(metres, expected_m, rtol=1e-9, atol=1e-4)
            _, only = legs.exact(np.arange(len(others)) % 2 == 0)
            assert np.isinf(only[1::2]).all() and np.isfinite(only[::2]).all()


def test_limited_search_marks_far_nodes_unreachable(graphs):
    engine, plain = graphs
    tree = engine.from_node(0, limit=120.0)
    times = nx.single_source_dijkstra_path_length(plain, 0, cutoff=120.0, weight="time")
    assert set(np.flatnonzero(np.isfinite(tree.time)).tolist()) == set(times)
    everyone = np.arange(engine.node_count)
    legs = engine.from_source(0, everyone, limit=120.0)
    near = set(np.flatnonzero(np.isfinite(legs.seconds)).tolist())
    # Whole milliseconds: a node at the limit itself may fall either side.
    assert (
        {i for i, t in times.items() if t < 119.9}
        <= near
        <= set(times) | {i for i in everyone.tolist() if legs.seconds[i] <= 120.0}
    )


def test_detours_of_many_rides_equal_separate_routing(graphs):
    engine, plain = graphs
    rng = random.Random(3)
    n = engine.node_count
    origins = np.array([rng.randrange(n) for _ in range(60)])
    destinations = np.array([rng.randrange(n) for _ in range(60)])
    ride_t = np.array(
        [nx.shortest_path_length(plain, a, b, weight="time") for a, b in zip(origins, destinations)]
    )
    ride_m = np.array(
        [
            path_length(plain, nx.shortest_path(plain, a, b, weight="time"))
            for a, b in zip(origins, destinations)
        ]
    )
    for _ in range(5):
        p, d = rng.randrange(n), rng.randrange(n)
        result = engine.detours(p, d, origins, destinations, ride_t, ride_m)
        t = lambda x, y: nx.shortest_path_length(plain, x, y, weight="time")  # noqa: E731
        m = lambda x, y: path_length(plain, nx.shortest_path(plain, x, y, weight="time"))  # noqa: E731
        expected_t = [t(a, p) + t(p, d) + t(d, b) - t(a, b) for a, b in zip(origins, destinations)]
        expected_m = [m(a, p) + m(p, d) + m(d, b) - m(a, b) for a, b in zip(origins, destinations)]
        np.testing.assert_allclose(result.detour_s, expected_t, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(result.detour_m, expected_m, rtol=1e-9, atol=1e-4)
        assert result.passenger_s == pytest.approx(t(p, d))


def haversine(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl, dp = math.radians(lon2 - lon1), p2 - p1
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def test_snap_finds_the_nearest_node(graphs):
    engine, _plain = graphs
    rng = random.Random(5)
    west, east = engine.lon.min(), engine.lon.max()
    south, north = engine.lat.min(), engine.lat.max()
    for _ in range(50):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        node, distance = engine.snap(lon, lat)
        true = [haversine(lon, lat, x, y) for x, y in zip(engine.lon, engine.lat)]
        best = int(np.argmin(true))
        # The projection is equirectangular: ties within centimetres may pick a twin node.
        assert true[int(node[0])] == pytest.approx(true[best], abs=0.5)
        assert distance[0] == pytest.approx(true[best], rel=0.005, abs=0.5)
