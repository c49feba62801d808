"""`manage.py build_road_graph`: builds and registers a graph; bad files leave the previous one."""

import bz2
import gzip
import os
import time
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from matching.graphs import graph_path, load_graph
from matching.hierarchy import HIERARCHY_VERSION
from matching.models import RoadGraphRecord

DATA = Path(__file__).resolve().parents[2] / "data" / "osm"


def build(path, name: str) -> str:
    out = StringIO()
    call_command("build_road_graph", str(path), "--name", name, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def monaco(archipel, db):
    build(DATA / "monaco.osm.gz", "monaco-test")
    yield RoadGraphRecord.objects.get(name="monaco-test")
    graph_path("monaco-test").unlink(missing_ok=True)


def test_build_registers_the_graph_and_a_process_keeps_it_loaded(monaco):
    assert monaco.nodes > 300 and monaco.edges > monaco.nodes
    assert monaco.extent.contains(monaco.extent.centroid)
    graph = load_graph("monaco-test")
    assert graph.node_count == monaco.nodes
    assert load_graph("monaco-test") is graph  # same object: loaded once per process


def test_the_graph_is_saved_with_its_hierarchy_order_and_picked_up_when_rebuilt(monaco):
    with np.load(graph_path("monaco-test")) as saved:
        order = saved["node_order"]
        assert int(saved["hierarchy_version"]) == HIERARCHY_VERSION
    assert sorted(order.tolist()) == list(range(monaco.nodes))  # a permutation of the nodes
    graph = load_graph("monaco-test")
    assert graph.engine == "hierarchy"
    route = graph.route(0, graph.node_count - 1)
    assert route is not None and route.distance_m > 0
    # A rebuild replaces the file: the running process loads the new graph at its next use.
    os.utime(graph_path("monaco-test"), (time.time() + 5, time.time() + 5))
    assert load_graph("monaco-test") is not graph


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"<osm><node id='1' lat='43.7' lon='7.4'/><way id='2'><nd ref=", "cannot read"),
        (
            b"<?xml version='1.0'?><osm version='0.6'><node id='1' lat='43.7' lon='7.4'/>"
            b"<node id='2' lat='43.71' lon='7.41'/><way id='3'><nd ref='1'/><nd ref='2'/>"
            b"<tag k='highway' v='footway'/></way></osm>",
            "no drivable road",
        ),
    ],
    ids=["empty", "corrupt", "footway-only"],
)
def test_bad_files_fail_clearly_and_keep_the_previous_graph(monaco, tmp_path, content, message):
    before = graph_path("monaco-test").read_bytes()
    bad = tmp_path / "bad.osm"
    bad.write_bytes(content)
    with pytest.raises(CommandError, match=message) as error:
        build(bad, "monaco-test")
    assert "stays in use" in str(error.value)
    assert graph_path("monaco-test").read_bytes() == before
    assert RoadGraphRecord.objects.get(name="monaco-test").nodes == monaco.nodes


def test_missing_file(archipel, db):
    with pytest.raises(CommandError, match="file not found"):
        build("/nonexistent.osm.pbf", "ghost")
    assert not RoadGraphRecord.objects.filter(name="ghost").exists()


def test_reads_gzip_bzip2_and_pbf_alike(archipel, db, tmp_path):
    """The same roads in three containers give the same graph."""
    import osmium

    raw = gzip.decompress((DATA / "monaco.osm.gz").read_bytes())
    (tmp_path / "m.osm.bz2").write_bytes(bz2.compress(raw))
    (tmp_path / "m.osm").write_bytes(raw)
    writer = osmium.SimpleWriter(str(tmp_path / "m.osm.pbf"))
    for obj in osmium.FileProcessor(str(tmp_path / "m.osm")):
        writer.add(obj)
    writer.close()
    sizes = set()
    for index, name in enumerate(["m.osm.bz2", "m.osm.pbf"]):
        build(tmp_path / name, f"monaco-{index}")
        record = RoadGraphRecord.objects.get(name=f"monaco-{index}")
        sizes.add((record.nodes, record.edges))
        graph_path(f"monaco-{index}").unlink()
    assert len(sizes) == 1


def test_invalid_graph_name(archipel, db):
    with pytest.raises(CommandError, match="Invalid graph name"):
        build(DATA / "monaco.osm.gz", "../etc")


def test_territory_refuses_an_unknown_graph(archipel, db):
    with pytest.raises(CommandError, match="Unknown road graph"):
        call_command(
            "create_territory",
            "--slug",
            "nograph",
            "--name",
            "X",
            "--insee",
            "06004",
            "--domain",
            "nograph.localhost",
            "--graph",
            "atlantis",
        )
