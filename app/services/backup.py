"""Consistent backups while the app runs, and restoring them into an empty database.

A backup is one point in time. Beside it goes a manifest (PATH.manifest.json) with the row
count and a checksum of every table, computed inside the same snapshot as the copy, so a
restore can prove it gave back exactly that state:

- SQLite: one read transaction on the live file; the checksums are computed in it, then the
  online backup API copies the pages of that same snapshot in one step. Writers go on (WAL).
- PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the checksums are computed
  in it and pg_dump (custom format) dumps that same snapshot.

The manifest also holds the SHA-256 of the backup file itself, so a damaged or altered file is
refused before it is read.

A restore proves the backup before the target sees any of it: it is restored into a scratch
database (SQLite: a file beside the target; PostgreSQL: a database made for the purpose), which
must equal the manifest and be an Attune schema that migrations/ knows. Only then does it become
the target; a refusal or failure leaves the target as it was.

Not a service of a request: nothing here touches db.session. Called by `flask backup` and
`flask restore` (app/cli).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
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
    manifest["file"] = {"bytes": path.stat().st_size, "sha256": file_sha256(path)}
    _write_manifest(path, manifest)
    return manifest


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
# Made by the first migration: every Attune database has them, whatever its revision.
CORE_TABLES = frozenset({"audit_events", "teams", "users", "families", "family_members"})
SQLITE_BUSY_SECONDS = 5.0  # how long the swap waits for another connection to the target to go


@dataclass(frozen=True)
class RestoreResult:
    tables: dict[str, dict]
    revisions: tuple[str, ...]  # the backup's alembic_version
    needs_upgrade: bool  # older than migrations/ head: `flask db upgrade` before serving


def _checksums(url: URL) -> dict[str, dict]:
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(_sqlite_file(url))
        try:
            return table_checksums(connection.cursor(), _sqlite_tables(connection))
        finally:
            connection.close()
    with _pg_connect(url) as connection, connection.cursor() as cursor:
        return table_checksums(cursor, _pg_tables(cursor))


def current_checksums(database_url: str) -> dict[str, dict]:
    return _checksums(make_url(database_url))


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
    """Restore a backup into the (empty) database once a scratch copy of it has matched its manifest."""
    path = Path(path)
    url = make_url(database_url)
    backend = url.get_backend_name()
    try:
        if not path.is_file():
            raise BackupError(f"{path} is not a file")
        if backend not in ("sqlite", "postgresql"):
            raise BackupError(f"no restore method for {backend}")
        manifest = _checked_manifest(path, backend)
        _refuse_target_with_data(url)
        if backend == "sqlite":
            return _restore_sqlite(url, path, manifest)
        result = _restore_postgresql(url, path, manifest)
    except BackupError as error:
        raise BackupError(f"{error}. The target database is unchanged.") from None
    # The proven file went into the target a second time (one transaction, committed): check it.
    tables = _checksums(url)
    if tables != manifest["tables"]:
        raise BackupError(
            f"the restore into {url.database} committed, but it then differed from the backup's manifest in: "
            f"{', '.join(_differing(manifest['tables'], tables))} (did something write to it meanwhile?). "
            "Do not use it; empty it and restore again."
        )
    return result


def _checked_manifest(path: Path, backend: str) -> dict:
    """The backup's manifest; refused when missing, unreadable, of another database or of another file."""
    file = manifest_path(path)
    if not file.is_file():
        raise BackupError(
            f"{path} has no manifest beside it ({file.name}): a restore is only done when it can be verified"
        )
    try:
        manifest = json.loads(file.read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"the manifest {file} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tables"), dict) or not manifest["tables"]:
        raise BackupError(f"{file} lists no tables: it is not a manifest written by `flask backup`")
    if manifest.get("database") != backend:
        raise BackupError(f"{path} is a backup of a {manifest.get('database')} database, the target is {backend}")
    recorded = manifest.get("file")
    # Manifests from before the file's own checksum lack it; their tables are still compared below.
    if isinstance(recorded, dict) and recorded.get("sha256") != file_sha256(path):
        raise BackupError(f"{path} does not match its manifest (the file's SHA-256 differs): damaged or changed")
    return manifest


def _refuse_target_with_data(url: URL) -> None:
    if url.get_backend_name() == "sqlite" and not os.path.exists(_sqlite_file(url)):
        return
    import psycopg

    try:
        tables = _checksums(url)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the target {url.database} is not an SQLite database: {error}") from None
    except psycopg.OperationalError as error:
        raise BackupError(f"cannot reach the target database: {str(error).strip()}") from None
    if has_data(tables):
        raise BackupError("the target database has data; restore only into an empty database")


def _differing(expected: dict[str, dict], found: dict[str, dict]) -> list[str]:
    return sorted(name for name in set(expected) | set(found) if expected.get(name) != found.get(name))


def _verify(cursor, tables: list[str], manifest: dict) -> tuple[tuple[str, ...], bool]:
    """Check the scratch copy: it equals the manifest, and it is an Attune schema migrations/ knows.

    Returns the copy's revisions and whether they are older than migrations/ head.
    """
    restored = table_checksums(cursor, tables)
    if restored != manifest["tables"]:
        differing = ", ".join(_differing(manifest["tables"], restored))
        raise BackupError(f"the backup differs from the backup's manifest in: {differing} (damaged or changed)")
    if VERSION_TABLE not in tables:
        raise BackupError("not an Attune backup: it has no alembic_version table (the migrations' record)")
    cursor.execute(f"SELECT version_num FROM {VERSION_TABLE}")  # noqa: S608 (a constant)
    revisions = tuple(sorted(str(version) for (version,) in cursor.fetchall()))
    script = _migration_scripts()
    known = {migration.revision for migration in script.walk_revisions()}
    unknown = [revision for revision in revisions if revision not in known]
    if not revisions or unknown:
        raise BackupError(
            f"not an Attune backup this version can restore: schema revision {', '.join(unknown) or '(none)'} "
            "is unknown to migrations/ (a newer Attune's backup, or another application's)"
        )
    at_head = set(revisions) == set(script.get_heads())
    # At head every model's table must be there; an older revision has at least the first migration's.
    missing = sorted((_model_tables() if at_head else CORE_TABLES) - set(tables))
    if missing:
        raise BackupError(f"not an Attune backup: it lacks the tables {', '.join(missing)}")
    return revisions, not at_head


def _migration_scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def _model_tables() -> set[str]:
    import app.models  # noqa: F401 (puts every table on the metadata)
    from app.extensions import db

    return set(db.metadata.tables)


def _sqlite_companions(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _restore_sqlite(url: URL, path: Path, manifest: dict) -> RestoreResult:
    target = Path(_sqlite_file(url))
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    # Beside the target, on the same file system: os.replace then swaps it in atomically.
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".restoring", dir=target.parent)
    except OSError as error:
        raise BackupError(f"cannot write a scratch copy beside the target: {error}") from None
    os.close(handle)
    scratch = Path(name)
    try:
        revisions, needs_upgrade = _copy_and_verify_sqlite(path, scratch, manifest)
        _release_sqlite_target(target)
        if target.exists():
            shutil.copymode(target, scratch)
        os.replace(scratch, target)
    except OSError as error:
        raise BackupError(f"could not put the restored database in place: {error}") from None
    finally:
        for leftover in (scratch, *_sqlite_companions(scratch)):
            leftover.unlink(missing_ok=True)
    _fsync(target.parent)
    return RestoreResult(tables=manifest["tables"], revisions=revisions, needs_upgrade=needs_upgrade)


def _copy_and_verify_sqlite(path: Path, scratch: Path, manifest: dict) -> tuple[tuple[str, ...], bool]:
    try:
        source = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            problems = source.execute("PRAGMA integrity_check").fetchone()[0]
            if problems != "ok":
                raise BackupError(f"the backup file is damaged: {problems}")
            copy = sqlite3.connect(scratch)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
        problems = sqlite_checks(str(scratch))
        if problems:
            raise BackupError("the backup failed its checks: " + "; ".join(problems[:5]))
        connection = sqlite3.connect(scratch)
        try:
            verified = _verify(connection.cursor(), _sqlite_tables(connection), manifest)
            # Only the one file is moved into place, so no -wal may hold part of it (the app sets WAL again).
            connection.execute("PRAGMA journal_mode=DELETE")
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not an SQLite backup: {error}") from None
    _fsync(scratch)
    return verified


def _release_sqlite_target(target: Path) -> None:
    """Leave WAL mode on the (empty) target, so that no old -wal is replayed onto the restored file.

    Leaving WAL needs the only connection to the file, which makes it the check that nothing
    (the app, a shell) has the target open while it is swapped.
    """
    if not target.exists():
        for stale in _sqlite_companions(target):  # of no database any more; SQLite would replay a -wal
            stale.unlink(missing_ok=True)
        return
    connection = sqlite3.connect(target, timeout=SQLITE_BUSY_SECONDS)
    try:
        mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError:
        mode = None
    finally:
        connection.close()
    if mode != "delete":
        raise BackupError(f"{target} is open in another process (is the app running?): stop it and restore again")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _restore_postgresql(url: URL, path: Path, manifest: dict) -> RestoreResult:
    """pg_restore into a scratch database and verify it there; then into the target in one transaction.

    Not a rename of the verified scratch database into place: ALTER DATABASE ... RENAME needs every
    other session to both databases gone, the name would be missing in between, and the renamed-in
    database would lack the target's owner, grants and settings. Restoring the proven file into the
    target with --single-transaction keeps the database itself and is all or nothing.
    """
    import psycopg

    pg_restore = _pg_tool("pg_restore")
    try:
        scratch = _create_scratch_database(url)
        try:
            _pg_restore(pg_restore, url.set(database=scratch), path, clean=False)
            with _pg_connect(url.set(database=scratch)) as connection, connection.cursor() as cursor:
                revisions, needs_upgrade = _verify(cursor, _pg_tables(cursor), manifest)
        finally:
            _drop_database(url, scratch)
        _refuse_target_with_data(url)  # again: the check above took a while
        _pg_restore(pg_restore, url, path, clean=True)
    except psycopg.Error as error:
        raise BackupError(f"PostgreSQL refused: {str(error).strip()}") from None
    return RestoreResult(tables=manifest["tables"], revisions=revisions, needs_upgrade=needs_upgrade)


def _create_scratch_database(url: URL) -> str:
    """An empty database named after the target, with its encoding and collation (checksums sort text)."""
    import psycopg
    from psycopg import sql

    name = f"{(url.database or 'attune')[:40]}_restore_{uuid.uuid4().hex[:12]}"
    with _pg_connect(url) as connection, connection.cursor() as cursor:
        connection.autocommit = True  # CREATE DATABASE runs outside a transaction
        # As JSON, so that it reads the same on every version (the ICU columns were renamed in 17).
        cursor.execute("SELECT to_jsonb(d) FROM pg_database d WHERE datname = current_database()")
        target = cursor.fetchone()[0]
        cursor.execute("SELECT pg_encoding_to_char(%s)", (target["encoding"],))
        options = [
            sql.SQL("TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}").format(
                cursor.fetchone()[0], target["datcollate"], target["datctype"]
            )
        ]
        icu_locale = target.get("datlocale") or target.get("daticulocale")
        if target.get("datlocprovider") == "i" and icu_locale:
            options.append(sql.SQL("LOCALE_PROVIDER icu ICU_LOCALE {}").format(icu_locale))
        try:
            cursor.execute(sql.SQL("CREATE DATABASE {} ").format(sql.Identifier(name)) + sql.SQL(" ").join(options))
        except psycopg.errors.InsufficientPrivilege:
            raise BackupError(
                f"the restore first checks the backup in a scratch database, and {url.username or 'this user'} "
                "may not create one: grant it CREATEDB, or restore as a user who may"
            ) from None
    return name


def _drop_database(url: URL, name: str) -> None:
    from psycopg import sql

    with _pg_connect(url) as connection, connection.cursor() as cursor:
        connection.autocommit = True
        force = sql.SQL(" WITH (FORCE)") if connection.info.server_version >= 130000 else sql.SQL("")
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)) + force)


def _pg_restore(pg_restore: str, url: URL, path: Path, *, clean: bool) -> None:
    args, env = _pg_args(url)
    command = [pg_restore, *args, "--no-owner", "--single-transaction", "--exit-on-error"]
    if clean:  # drops the empty tables a `flask db upgrade` may have made; there are no rows in them
        command += ["--clean", "--if-exists"]
    command += ["--dbname", url.database or "", str(path)]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise BackupError(f"pg_restore failed: {completed.stderr.strip()}")
