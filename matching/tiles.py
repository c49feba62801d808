"""The base map's vector tiles: built from a territory's own OpenStreetMap extract, read back one
tile at a time for the tile endpoint. Library code, no Django.

Build: Debian's `osmium-tool` turns the extract (OSM XML, gzip or bzip2) into PBF, the only
input `tilemaker` 2.2 reads; `tilemaker`, with the OpenMapTiles configuration and Lua profile
kept in `matching/tilemaker/` (adapted from the examples Debian ships), writes an MBTiles file
(SQLite, gzip-compressed Mapbox Vector Tiles, zoom 0–14). No coastline or Natural Earth
shapefiles are used: water comes from the extract's own polygons and the sea is the map's
background colour. Read: MBTiles rows are keyed in the TMS scheme (y counted from the south).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

PROFILE_DIR = Path(__file__).parent / "tilemaker"
CONFIG = PROFILE_DIR / "config-openmaptiles.json"
PROCESS = PROFILE_DIR / "process-openmaptiles.lua"
MAX_ZOOM = 14
PACKAGES = {"osmium": "osmium-tool", "tilemaker": "tilemaker"}

TileProgress = Callable[[int, int], None]  # (tiles written, tiles in all)
_WRITING = re.compile(rb"writing tile (\d+) of (\d+)")


class TilesBuildError(RuntimeError):
    """The tiles cannot be built; the message is for the operator."""


@dataclass(frozen=True)
class TilesSummary:
    tiles: int
    size: int
    seconds: float


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise TilesBuildError(
            f"{name} is not installed (Debian package {PACKAGES.get(name, name)};"
            " scripts/setup-system.sh installs it)"
        )
    return found


def build_tiles(
    source: Path, target: Path, progress: TileProgress = lambda done, total: None
) -> TilesSummary:
    """Write `target` (.mbtiles) from the extract `source`; `target` is replaced only when the
    build succeeded."""
    if not source.exists():
        raise TilesBuildError(f"file not found: {source}")
    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as workdir:
        pbf = source
        if not source.name.endswith(".pbf"):
            pbf = Path(workdir) / "extract.osm.pbf"
            _run([_tool("osmium"), "cat", str(source), "-o", str(pbf)], "osmium")
        built = Path(workdir) / "tiles.mbtiles"
        command = [
            _tool("tilemaker"),
            "--input", str(pbf),
            "--output", str(built),
            "--config", str(CONFIG),
            "--process", str(PROCESS),
        ]  # fmt: skip
        # tilemaker rewrites one status line with carriage returns: read it as it goes.
        with subprocess.Popen(
            command, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        ) as process:
            output = bytearray()
            assert process.stdout is not None
            for chunk in iter(lambda: process.stdout.read1(4096), b""):
                output += chunk
                counts = _WRITING.findall(chunk)
                if counts:
                    done, total = counts[-1]
                    progress(int(done), int(total))
        if process.returncode != 0 or not built.exists():
            tail = output.decode(errors="replace").replace("\r", "\n").strip().splitlines()[-3:]
            raise TilesBuildError("tilemaker failed: " + " / ".join(tail))
        tiles = _count(built)
        if tiles == 0:
            raise TilesBuildError(f"{source.name} gave no tile")
        os.replace(built, target)
    return TilesSummary(tiles=tiles, size=target.stat().st_size, seconds=time.monotonic() - started)


def _run(command: list[str], name: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise TilesBuildError(f"{name} failed: {done.stderr.strip()[-300:]}")


def _count(path: Path) -> int:
    with _open(path) as db:
        return db.execute("select count(*) from tiles").fetchone()[0]


def _open(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True))


class TileSet:
    """An MBTiles file opened read-only. Each read opens its own connection (cheap for SQLite),
    so threads never share one and a rebuilt file (a new inode) is seen at once."""

    def __init__(self, path: Path):
        self.path = path
        stat = path.stat()
        self.version = hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[
            :12
        ]
        with _open(path) as db:
            self.metadata = dict(db.execute("select name, value from metadata").fetchall())

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) from the metadata, when tilemaker wrote it."""
        try:
            west, south, east, north = (float(v) for v in self.metadata["bounds"].split(","))
        except (KeyError, ValueError):
            return None
        return west, south, east, north

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The gzip-compressed tile at z/x/y (XYZ scheme), or None where the set has none."""
        if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
            return None
        with _open(self.path) as db:
            row = db.execute(
                "select tile_data from tiles"
                " where zoom_level = ? and tile_column = ? and tile_row = ?",
                (z, x, 2**z - 1 - y),
            ).fetchone()
        return bytes(row[0]) if row else None
