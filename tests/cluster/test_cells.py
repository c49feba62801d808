"""Cells: a territory moved from one cell to another (docs/operations.md, "Cells"). The running
cluster is cell 1; cell 2 is a second database of the same Patroni pair (`archipel_cell2`),
with its own Redis database, road-graph folder, app node and load balancer — a stack of its
own in everything the move touches. The demo territory is exported from cell 1 with
`export_territory`, imported into cell 2 with `import_territory`, compared table by table, its
people and domains, then served by cell 2: through Django's test client, and through an
HAProxy whose domain → cell map is switched on its runtime socket. Cell 1 keeps the territory
(the source's deletion is the one step not run: the demo is the cluster's); cell 2 is dropped
at the end."""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import time
import zipfile
from pathlib import Path

import psycopg
import pytest
from topology import ENV, ROOT, record, wait_until

SLUG, SCHEMA = "andorra-la-vella", "t_andorra_la_vella"
CELL2 = "archipel_cell2"
# Creating a database and its extensions is the superuser's (allowed through the write port).
ADMIN = (
    f"postgres://postgres:{ENV['PG_SUPERUSER_PASSWORD']}@{ENV['LB_HOST']}:{ENV['LB_PG_WRITE_PORT']}"
)
CELL1_URL = ENV["DATABASE_URL"]
CELL2_URL = CELL1_URL.rsplit("/", 1)[0] + f"/{CELL2}"
CELL2_READ_URL = ENV["DATABASE_REPLICA_URL"].rsplit("/", 1)[0] + f"/{CELL2}"
CELL2_REDIS_DB = "1"  # cell 1 uses 0: cell 2's cache, channel layer and task queue are its own
ACCOUNTS_REFERENCED = """
    SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
    WHERE c.contype = 'f' AND c.confrelid = 'public.core_user'::regclass
    AND c.connamespace = %s::regnamespace"""


def run(env: dict, *command: str, timeout: float = 300) -> tuple[float, str]:
    """Seconds taken and stdout of a command run with `env`; fails the test on an error."""
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=ROOT, env={**env, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    if result.returncode:
        pytest.fail(f"{' '.join(command[:3])}: {result.stderr[-3000:]}")
    return time.monotonic() - started, result.stdout


def manage(env: dict, *args: str, timeout: float = 300) -> tuple[float, str]:
    return run(env, str(ROOT / ".venv/bin/python"), "manage.py", *args, timeout=timeout)


def cell_side(env: dict, *args: str) -> dict:
    _s, out = run(env, str(ROOT / ".venv/bin/python"), "tests/cluster/cell_side.py", *args)
    return json.loads(out.strip().splitlines()[-1])


def counts(url: str) -> dict[str, int]:
    """Rows per table of the territory's schema, in one snapshot."""
    with psycopg.connect(url) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_type = 'BASE TABLE'", [SCHEMA])]  # fmt: skip
        return {t: conn.execute(f'SELECT count(*) FROM {SCHEMA}."{t}"').fetchone()[0]
                for t in tables}  # fmt: skip


def people(url: str) -> dict[int, str | None]:
    """Every account a row of the schema points to (its foreign keys to core_user): id → e-mail."""
    with psycopg.connect(url) as conn:
        ids: set[int] = set()
        for table, column in conn.execute(ACCOUNTS_REFERENCED, [SCHEMA]).fetchall():
            query = f'SELECT DISTINCT "{column}" FROM {table} WHERE "{column}" IS NOT NULL'
            ids.update(row[0] for row in conn.execute(query))
        rows = conn.execute("SELECT id, email FROM core_user WHERE id = ANY(%s)", [list(ids)])
        return dict(rows.fetchall())


def members_elsewhere(url: str, ids: list[int]) -> int:
    """How many of these people are members of another territory of the same database too."""
    with psycopg.connect(url) as conn:
        schemas = [row[0] for row in conn.execute(
            "SELECT schema_name FROM tenants_territory WHERE schema_name NOT IN ('public', %s)",
            [SCHEMA])]  # fmt: skip
        found: set[int] = set()
        for schema in schemas:
            found.update(r[0] for r in conn.execute(
                f"SELECT user_id FROM {schema}.members_membership WHERE user_id = ANY(%s)",
                [ids]))  # fmt: skip
        return len(found)


def dumped_rows(archive: Path) -> dict[str, int]:
    """Rows per table in the archive's schema.sql (its COPY blocks): what the export holds."""
    rows: dict[str, int] = {}
    table = None
    sql = zipfile.ZipFile(archive).read("schema.sql").decode()
    for line in sql.splitlines():
        if table is None:
            match = re.match(rf"COPY {SCHEMA}\.(\"?)(\w+)\1 ", line)
            if match:
                table = match.group(2)
                rows[table] = 0
        elif line == "\\.":
            table = None
        else:
            rows[table] += 1
    return rows


def domains(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute(
            "SELECT d.domain FROM tenants_domain d JOIN tenants_territory t ON t.id = d.tenant_id "
            "WHERE t.slug = %s", [SLUG])}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, host: str) -> tuple[int, str]:
    """(status, the cell HAProxy says it sent the request to)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("X-Archipel-Cell", "")
    except OSError:
        return 0, ""
    finally:
        conn.close()


def haproxy_command(sock: Path, command: str) -> str:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(sock))
        s.sendall(command.encode() + b"\n")
        out = b""
        while chunk := s.recv(4096):
            out += chunk
    return out.decode()


def redis_master() -> tuple[str, int]:
    import redis

    sentinel = ENV["REDIS_SENTINELS"].split(",")[0].rsplit(":", 1)
    answer = redis.Redis(host=sentinel[0], port=int(sentinel[1]), socket_timeout=2)
    host, port = answer.sentinel_get_master_addr_by_name(ENV["REDIS_SENTINEL_MASTER"])
    return host, int(port)


@pytest.fixture
def cell2(tmp_path):
    """Cell 2's database (the app's role owns it; the extensions are the superuser's, as
    scripts/cluster.sh creates cell 1's) and its settings; dropped at the end, with what cell 2
    left in its Redis database."""

    def drop():
        with psycopg.connect(f"{ADMIN}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{CELL2}" WITH (FORCE)')

    drop()
    with psycopg.connect(f"{ADMIN}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{CELL2}" OWNER "{ENV["APP_DB_USER"]}"')
    with psycopg.connect(f"{ADMIN}/{CELL2}", autocommit=True) as conn:
        for extension in ("postgis", "pg_trgm", "unaccent"):
            conn.execute(f"CREATE EXTENSION IF NOT EXISTS {extension} WITH SCHEMA public")
    graphs = tmp_path / "cell2-graphs"
    graphs.mkdir()
    env = {**ENV, "DATABASE_URL": CELL2_URL, "DATABASE_REPLICA_URL": CELL2_READ_URL,
           "REDIS_DB": CELL2_REDIS_DB, "GRAPH_DIR": str(graphs)}  # fmt: skip
    yield env
    drop()
    import redis

    host, port = redis_master()
    redis.Redis(host=host, port=port, db=int(CELL2_REDIS_DB), socket_timeout=2).flushdb()


@pytest.fixture
def processes():
    """The processes a test starts (cell 2's app node, the cells' HAProxy): stopped at its end,
    before cell 2's database is dropped."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def cells_haproxy(folder: Path, port: int, cell2_port: int) -> tuple[Path, Path]:
    """An HAProxy in front of both cells: the domain → cell map decides (the territory's
    domain on cell 1 at first), and the answer says which cell it came from."""
    cells_map = folder / "cells.map"
    cells_map.write_text(f"{SLUG}.localhost cell1\n")
    sock = folder / "haproxy.sock"
    cell1 = "\n".join(
        f"    server app{n} {ENV[f'APP{n}_HOST']}:{ENV[f'APP{n}_PORT']} check"
        for n in (1, 2)
    )  # fmt: skip
    config = folder / "haproxy.cfg"
    config.write_text(f"""global
    stats socket {sock} mode 600 level admin
defaults
    mode http
    timeout connect 3s
    timeout client 30s
    timeout server 30s
frontend cells
    bind 127.0.0.1:{port}
    use_backend %[req.hdr(host),host_only,map({cells_map},cell1)]
    http-response set-header X-Archipel-Cell %[be_name]
backend cell1
{cell1}
backend cell2
    server cell2-app1 127.0.0.1:{cell2_port} check
""")
    subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], check=True, timeout=30)
    return config, cells_map


def test_territory_moved_between_cells(cell2, processes, tmp_path):
    cell1 = dict(ENV)
    # A new cell: the shared schema migrated, then its public referential.
    migrate_s, _out = manage(cell2, "migrate_schemas", "--shared", "-v", "0", timeout=600)
    referential = cell_side(cell2, "referential")

    before = counts(CELL1_URL)
    archive = tmp_path / f"{SLUG}.zip"
    export_s, _out = manage(cell1, "export_territory", SLUG, str(archive))
    after = counts(CELL1_URL)
    import_s, out = manage(cell2, "import_territory", str(archive), timeout=600)
    assert f"{SLUG} restored ({SCHEMA})" in out

    # Every row the archive holds is in cell 2; and cell 2 has what cell 1 had (a table that
    # changed on cell 1 while the export ran — beat's reminders, the outbox — lies between).
    moved = counts(CELL2_URL)
    assert moved == dumped_rows(archive)
    assert moved.keys() == before.keys()
    differs = {t: (before[t], moved[t], after[t]) for t in before
               if not min(before[t], after[t]) <= moved[t] <= max(before[t], after[t])}  # fmt: skip
    assert not differs
    assert moved["members_membership"] > 0 and moved["trips_booking"] > 0

    # The people the territory's rows point to: the same ids and e-mail addresses, and nobody
    # else (a new cell holds only the moved territory's people).
    source_people, moved_people = people(CELL1_URL), people(CELL2_URL)
    assert moved_people == source_people
    with psycopg.connect(CELL2_URL) as conn:
        (accounts,) = conn.execute("SELECT count(*) FROM core_user").fetchone()
        (addresses,) = conn.execute("SELECT count(*) FROM account_emailaddress").fetchone()
    assert accounts == len(source_people)
    assert domains(CELL2_URL) == domains(CELL1_URL) == {f"{SLUG}.localhost"}

    served = cell_side(cell2, "serves", SLUG)
    assert served["areas"] == ["AD-07"]
    assert served["members"] == moved["members_membership"]
    assert served["home"] == 200 and served["home_names_territory"]
    assert served["my_trips"] == 200 and served["my_trips_bookings"] > 0
    assert served["places"] == 200 and served["places_found"]
    # The same place search on cell 1 (its own referential, through the cluster's HAProxy).
    conn = http.client.HTTPConnection("127.0.0.1", int(ENV["LB_HTTP_PORT"]), timeout=10)
    conn.request("GET", "/places/?q=Encamp", headers={"Host": f"{SLUG}.localhost"})
    assert [p["label"] for p in json.loads(conn.getresponse().read())] == served["places_found"]
    conn.close()

    # The switch: cell 2's app node, an HAProxy with the domain → cell map, the entry changed.
    node_port, lb_port = free_port(), free_port()
    log = (tmp_path / "cell2-app.log").open("w")
    processes.append(subprocess.Popen(
        [str(ROOT / ".venv/bin/uvicorn"), "archipel.asgi:application", "--host", "127.0.0.1",
         "--port", str(node_port), "--workers", "1", "--log-level", "warning"],
        cwd=ROOT, env={**cell2, "PATH": "/usr/bin:/bin"}, stdout=log, stderr=log,
    ))  # fmt: skip
    wait_until(lambda: get(node_port, "/healthz", "localhost")[0] == 200, 60)
    config, cells_map = cells_haproxy(tmp_path, lb_port, node_port)
    processes.append(subprocess.Popen(["haproxy", "-db", "-f", str(config)],
                                      stdout=log, stderr=log))  # fmt: skip
    host = f"{SLUG}.localhost:{lb_port}"
    wait_until(lambda: get(lb_port, "/", host) == (200, "cell1"), 30)
    cells_map.write_text(f"{SLUG}.localhost cell2\n")  # what a reload would read
    switched = time.monotonic()
    sock = tmp_path / "haproxy.sock"
    answer = haproxy_command(sock, f"set map {cells_map} {SLUG}.localhost cell2")
    assert answer.strip() == "", answer
    assert get(lb_port, "/", host) == (200, "cell2")
    switch_s = time.monotonic() - switched
    assert get(lb_port, "/my-trips/", host)[1] == "cell2"  # anonymous: the sign-in redirect
    assert get(lb_port, "/", f"encamp.localhost:{lb_port}") == (200, "cell1")  # the others stay

    record("territory_moved_between_cells", {
        "territory": SLUG,
        "tables": len(moved), "rows": sum(moved.values()), "people": len(moved_people),
        "tables_written_during_export": sum(before[t] != after[t] for t in before),
        "people_also_members_elsewhere_in_cell1": members_elsewhere(CELL1_URL,
                                                                    list(source_people)),
        "archive_bytes": archive.stat().st_size,
        "new_cell_migrate_shared_s": round(migrate_s, 2),
        "new_cell_referential_s": round(referential["areas_s"] + referential["graph_s"], 2),
        "export_s": round(export_s, 2), "import_s": round(import_s, 2),
        "map_switch_to_first_answer_s": round(switch_s, 3),
        "moved_addresses_rows": addresses,
        "first_signin_after_move": f"{served['signin']} {served['signin_to']}",
    })  # fmt: skip
