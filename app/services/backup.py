"""Consistent backups while the app runs, and restoring them into an empty database.

A backup is one point in time. Beside it goes a manifest (PATH.manifest.json) with the row
count and a checksum of every table, computed inside the same snapshot as the copy, so a
restore can prove it gave back exactly that state:

- SQLite: one read transaction on the live file; the checksums are computed in it, then the
  online backup API copies the pages of that same snapshot in one step. Writers go on (WAL).
- PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the checksums are computed
  in it and pg_dump (custom format) dumps that same snapshot.

Not a service of a request: nothing here touches db.session. Called by `flask backup` and
`flask restore` (app/cli.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from app import dates

MANIFEST_SUFFIX = ".manifest.json"
VERSION_TABLE = "alembic_version"


class BackupError(Exception):
    """A refusal or failure with a message for the operator."""


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


# -- checksums: the same on the copy as on the source snapshot ------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_checksums(cursor, tables: list[str]) -> dict[str, dict]:
    """Row count and SHA-256 of every table's rows, ordered by all columns (DB-API cursor)."""
    result = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT * FROM {_quote(table)} LIMIT 0")  # noqa: S608 (quoted names from the catalogue)
        width = len(cursor.description)
        order = ", ".join(str(i) for i in range(1, width + 1))
        cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")  # noqa: S608 (quoted names, column numbers)
        digest, rows = hashlib.sha256(), 0
        for row in cursor.fetchall():
            digest.update(repr(tuple(row)).encode())
            digest.update(b"\n")
            rows += 1
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [name for (name,) in rows]


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )
    return [name for (name,) in cursor.fetchall()]


def _manifest(backend: str, tables: dict[str, dict]) -> dict:
    return {"created_at": dates.now().isoformat(timespec="seconds"), "database": backend, "tables": tables}


def _write_manifest(path: Path, manifest: dict) -> None:
    manifest_path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True))


def read_manifest(path: Path) -> dict | None:
    file = manifest_path(path)
    return json.loads(file.read_text()) if file.exists() else None


def has_data(tables: dict[str, dict]) -> bool:
    return any(info["rows"] for name, info in tables.items() if name != VERSION_TABLE)


# -- backup ----------------------------------------------------------------------------------


def backup(database_url: str, path: Path, *, on_snapshot: Callable[[], None] | None = None) -> dict:
    """Write a backup of the database to path (refusing to overwrite) and its manifest.

    on_snapshot is called after the snapshot is taken and before the copy (for tests).
    """
    path = Path(path)
    if path.exists() or manifest_path(path).exists():
        raise BackupError(f"{path} already exists; choose a new file name")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        manifest = _backup_sqlite(url, path, on_snapshot)
    elif url.get_backend_name() == "postgresql":
        manifest = _backup_postgresql(url, path, on_snapshot)
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")
    _write_manifest(path, manifest)
    return manifest


def _sqlite_file(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return url.database


def _backup_sqlite(url: URL, path: Path, on_snapshot) -> dict:
    source_file = _sqlite_file(url)
    if not os.path.exists(source_file):
        raise BackupError(f"the database file {source_file} does not exist")
    partial = path.with_name(path.name + ".partial")
    source = sqlite3.connect(source_file, isolation_level=None, timeout=30)
    try:
        # The read transaction fixes the snapshot: the checksums and the page copy both see it.
        source.execute("BEGIN")
        tables = table_checksums(source.cursor(), _sqlite_tables(source))
        if on_snapshot:
            on_snapshot()
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # one step (pages=-1): never restarts under concurrent writes
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"the copy failed its integrity check: {check}")
        finally:
            target.close()
        source.execute("COMMIT")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    os.replace(partial, path)  # the backup appears complete or not at all
    return _manifest("sqlite", tables)


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools "
            f"(Debian: apt-get install postgresql-client), matching the server's major version"
        )
    return tool


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore; the password goes in the environment, not argv."""
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _pg_connect(url: URL):
    import psycopg

    return psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password, dbname=url.database)


def _backup_postgresql(url: URL, path: Path, on_snapshot) -> dict:
    pg_dump = _pg_tool("pg_dump")
    partial = path.with_name(path.name + ".partial")
    args, env = _pg_args(url)
    with _pg_connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = table_checksums(cursor, _pg_tables(cursor))
        if on_snapshot:
            on_snapshot()
        command = [pg_dump, *args, "--format=custom", "--no-owner", f"--snapshot={snapshot}"]
        command += ["--file", str(partial), "--dbname", url.database or ""]
        try:
            completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        connection.rollback()
    if completed.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {completed.stderr.strip()}")
    os.replace(partial, path)
    return _manifest("postgresql", tables)


# -- restore ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    tables: dict[str, dict]
    verified: bool  # compared with the backup's manifest


def current_checksums(database_url: str) -> dict[str, dict]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(_sqlite_file(url))
        try:
            return table_checksums(connection.cursor(), _sqlite_tables(connection))
        finally:
            connection.close()
    with _pg_connect(url) as connection, connection.cursor() as cursor:
        return table_checksums(cursor, _pg_tables(cursor))


def sqlite_checks(database_file: str) -> list[str]:
    """Problems PRAGMA integrity_check and foreign_key_check find; empty when sound."""
    connection = sqlite3.connect(database_file)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [f"foreign key: {row}" for row in connection.execute("PRAGMA foreign_key_check")]
        return problems
    finally:
        connection.close()


def restore(database_url: str, path: Path) -> RestoreResult:
    """Restore a backup into the (empty) database; verify it against the manifest if present."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    url = make_url(database_url)
    backend = url.get_backend_name()
    target_exists = backend == "postgresql" or (backend == "sqlite" and os.path.exists(_sqlite_file(url)))
    if target_exists and has_data(current_checksums(database_url)):
        raise BackupError("the target database has data; restore only into an empty database")
    if backend == "sqlite":
        _restore_sqlite(url, path)
    elif backend == "postgresql":
        _restore_postgresql(url, path)
    else:
        raise BackupError(f"no restore method for {backend}")
    tables = current_checksums(database_url)
    manifest = read_manifest(path)
    if manifest is not None and manifest["tables"] != tables:
        differing = sorted(
            name for name in set(manifest["tables"]) | set(tables) if manifest["tables"].get(name) != tables.get(name)
        )
        raise BackupError(f"the restored database differs from the backup's manifest in: {', '.join(differing)}")
    return RestoreResult(tables=tables, verified=manifest is not None)


def _restore_sqlite(url: URL, path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = source.execute("PRAGMA integrity_check").fetchone()[0]
        if problems != "ok":
            raise BackupError(f"the backup file is damaged: {problems}")
        target = sqlite3.connect(_sqlite_file(url), timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not an SQLite backup: {error}") from None
    finally:
        source.close()
    problems = sqlite_checks(_sqlite_file(url))
    if problems:
        raise BackupError("the restored database failed its checks: " + "; ".join(problems[:5]))


def _restore_postgresql(url: URL, path: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    args, env = _pg_args(url)
    # --clean drops the empty tables a `flask db upgrade` may have made; we checked there are no rows.
    command = [pg_restore, *args, "--no-owner", "--clean", "--if-exists", "--single-transaction", "--exit-on-error"]
    command += ["--dbname", url.database or "", str(path)]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise BackupError(f"pg_restore failed: {completed.stderr.strip()}")
