"""Backups: WAL archived continuously and base backups by pgBackRest; a restore brings the
database back to a point in time, beside the running cluster (the way a territory is
recovered: restore aside, then export_territory from the restored copy, import_territory into
the live one — docs/operations.md, "Backups")."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import psycopg
from topology import CLUSTER, ENV, as_postgres, pgbackrest, record, wait_until

WRITE_URL = ENV["DATABASE_URL"]
# Switching WAL files and reading the archiver's state are the superuser's.
ADMIN_URL = (
    f"postgres://postgres:{ENV['PG_SUPERUSER_PASSWORD']}@{ENV['LB_HOST']}:{ENV['LB_PG_WRITE_PORT']}"
    "/postgres"
)
RESTORED_PORT = 25499


def restored_query(query: str) -> str:
    """One value read from the restored copy, in the app's database."""
    return as_postgres(
        "psql", "-h", "/var/run/postgresql", "-p", str(RESTORED_PORT), "-d", ENV["APP_DB_NAME"],
        "-Atqc", query,
    ).stdout.strip()  # fmt: skip


def test_point_in_time_restore():
    with psycopg.connect(WRITE_URL, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS cluster_pitr_probe")
        conn.execute("CREATE TABLE cluster_pitr_probe (what text)")
        conn.execute("INSERT INTO cluster_pitr_probe VALUES ('before')")
    started = time.monotonic()
    pgbackrest("--type=incr", "backup")
    backup_s = time.monotonic() - started
    with psycopg.connect(WRITE_URL, autocommit=True) as conn:
        conn.execute("INSERT INTO cluster_pitr_probe VALUES ('kept')")
        time.sleep(1.5)
        (target,) = conn.execute("SELECT now()::text").fetchone()
        time.sleep(1.5)
        conn.execute("INSERT INTO cluster_pitr_probe VALUES ('after the target')")
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        (wal,) = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()

    def archived() -> bool:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            (last,) = conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()
        return bool(last) and last[8:] >= wal[8:]

    wait_until(archived, 60)

    restored = Path(f"/var/tmp/archipel-pitr-{RESTORED_PORT}")
    shutil.rmtree(restored, ignore_errors=True)
    restored.mkdir(mode=0o700)
    shutil.chown(restored, "postgres", "postgres")
    started = time.monotonic()
    try:
        pgbackrest(
            "restore", f"--pg1-path={restored}", "--type=time", f"--target={target}",
            "--target-action=promote",
        )  # fmt: skip
        as_postgres(
            "/usr/lib/postgresql/15/bin/pg_ctl", "-D", str(restored), "-w", "-t", "120", "-l",
            str(CLUSTER / "log/pitr.log"), "start", "-o",
            f"-p {RESTORED_PORT} -c listen_addresses='' -c archive_mode=off"
            " -c synchronous_standby_names='' -c unix_socket_directories=/var/run/postgresql",
        )  # fmt: skip
        # Replays the archived WAL up to the target, then promotes (--target-action=promote).
        wait_until(lambda: restored_query("select pg_is_in_recovery()") == "f", 120)
        restore_s = time.monotonic() - started
        found = restored_query(
            "SELECT coalesce(string_agg(what, ',' ORDER BY what), '') FROM cluster_pitr_probe"
        )
        territories = restored_query(
            "select count(*) from tenants_territory where schema_name <> 'public'"
        )
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D",
             str(restored), "-m", "immediate", "stop"], capture_output=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(restored, ignore_errors=True)
    record("point_in_time_restore", {
        "incremental_backup_s": round(backup_s, 2), "restore_and_start_s": round(restore_s, 2),
    })  # fmt: skip
    assert found == "before,kept"  # and promoted at the target: a database one can export from
    assert int(territories) >= 2
