"""`flask backup` under write load and `flask restore` into an empty database.

Consistent means one point in time: the backup writes a manifest of row counts and
checksums computed inside the same snapshot it copies, and the restore must equal it.
A restore that is refused (damaged file, no manifest, not Attune's schema) leaves the
target exactly as it was, so that a retry with a good backup works.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import Result
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models import Role
from app.services import backup as backup_service
from tests.helpers.integrity import MOMENTS_PER_SESSION, save_one


def _is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


@pytest.fixture
def new_database(app, tmp_path):
    """Makes empty databases of the suite's kind (SQLite: a file in a folder of its own); returns URLs."""
    made: list[str] = []
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def new(label: str = "restore") -> str:
        if not _is_postgres(app):
            folder = tmp_path / f"{label}-{len(made)}"
            folder.mkdir()
            return f"sqlite:///{folder / 'attune.db'}"
        name = f"{source.database}_{label}_{uuid.uuid4().hex[:8]}"
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as error:  # no right to create databases: nothing to restore into
            pytest.skip(f"cannot create a scratch database to restore into: {error}")
        made.append(name)
        return source.set(database=name).render_as_string(hide_password=False)

    yield new
    if made:
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_target(new_database):
    """The URL of a second, empty database to restore into."""
    return new_database()


def _counts(url: str) -> dict[str, int]:
    return {name: info["rows"] for name, info in backup_service.current_checksums(url).items()}


def test_backup_under_write_load_restores_one_point_in_time(app, make, tmp_path, empty_target):
    if _is_postgres(app) and backup_service.shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    team = make.team()
    worker = make.user(Role.WORKER, team)
    family = make.family(team, worker)
    source_url = app.config["SQLALCHEMY_DATABASE_URI"]

    written = []  # sessions committed, in order
    errors = []
    stop = threading.Event()
    enough_before = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            try:
                save_one(app, family.id, worker.id, n)
            except Exception as error:  # reported below: a write must never fail
                errors.append(error)
                return
            written.append(n)
            n += 1
            if n >= 20:
                enough_before.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert enough_before.wait(30), "the writer did not get going"
        at_snapshot = {}

        def on_snapshot():
            # The snapshot is taken; let the writer commit more before the copy is made.
            # The copy must still be the snapshot, not what was written since.
            at_snapshot["written"] = len(written)
            while len(written) < at_snapshot["written"] + 5 and not errors:
                stop.wait(0.01)

        backup_file = tmp_path / "attune.backup"
        manifest = backup_service.backup(source_url, backup_file, on_snapshot=on_snapshot)
        after_backup = len(written)
        while len(written) < after_backup + 5 and not errors:
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join(30)
    assert errors == []

    sessions = manifest["tables"]["care_sessions"]["rows"]
    # The snapshot is a committed state from before the copy, although writes went on during it ...
    assert 20 <= sessions <= at_snapshot["written"] < at_snapshot["written"] + 5 <= after_backup
    # ... and never half a save: every session came with all its moments.
    assert manifest["tables"]["moments"]["rows"] == sessions * MOMENTS_PER_SESSION

    # Restore into an empty database: it must equal the snapshot, table by table.
    target = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_target)
    restored = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert restored.exit_code == 0, restored.output
    assert "matches the backup's manifest" in restored.output
    assert backup_service.current_checksums(empty_target) == manifest["tables"]
    if not _is_postgres(app):
        assert backup_service.sqlite_checks(make_url(empty_target).database) == []
    assert _state(empty_target)[1] == ([] if _is_postgres(app) else ["attune.db"])  # no scratch copy left
    # The live database moved on after the snapshot.
    assert _counts(source_url)["care_sessions"] == len(written) > sessions

    # Restoring again into the now filled database is refused.
    again = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert again.exit_code != 0 and "has data" in again.output
    with target.app_context():
        from app.extensions import db

        db.engine.dispose()


def test_backup_refuses_to_overwrite_and_restore_checks_the_manifest(app, make, tmp_path, empty_target):
    if _is_postgres(app) and backup_service.shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    make.family(make.team())
    backup_file = tmp_path / "attune.backup"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(backup_file)]).exit_code == 0
    again = runner.invoke(args=["backup", str(backup_file)])
    assert again.exit_code != 0 and "already exists" in again.output
    # A manifest that does not match what was restored is reported, not ignored.
    manifest_file = backup_service.manifest_path(backup_file)
    manifest_file.write_text(manifest_file.read_text().replace('"rows": 1', '"rows": 7', 1))
    target = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_target)
    result = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert result.exit_code != 0 and "differs from the backup's manifest" in result.output


def test_missing_pg_dump_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(backup_service.shutil, "which", lambda name: None)
    with pytest.raises(backup_service.BackupError, match="pg_dump was not found on PATH"):
        backup_service.backup("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path / "x.backup")
    assert not os.path.exists(tmp_path / "x.backup")


# -- refusals leave the target as it was ------------------------------------------------------


def _needs_pg_tools(app) -> None:
    if _is_postgres(app) and backup_service.shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")


def _restore(url: str, backup_file: Path) -> Result:
    target = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    result = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
    with target.app_context():
        db.engine.dispose()
    return result


def _state(url: str) -> tuple[object, list[str]]:
    """What an operator finds: the target's content, and what lies beside it (scratch copies)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = Path(parsed.database or "")
        content = database.read_bytes() if database.exists() else None
        return content, sorted(path.name for path in database.parent.iterdir())
    admin = create_engine(parsed.set(database="postgres"))
    with admin.connect() as connection:
        scratch = connection.execute(
            text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
            {"prefix": f"{parsed.database}_restore_"},
        )
        beside = sorted(name for (name,) in scratch)
    admin.dispose()
    return backup_service.current_checksums(url), beside


def _refused(result: Result, reason: str) -> None:
    assert result.exit_code != 0, result.output
    assert reason in result.output, result.output
    assert "The target database is unchanged." in result.output


@pytest.fixture
def backed_up(app, make, tmp_path) -> Path:
    """A backup by `flask backup` of a database holding one family."""
    _needs_pg_tools(app)
    make.family(make.team("Team Alpha"), display_name="Family Alpha")
    backup_file = tmp_path / "attune.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(backup_file)])
    assert result.exit_code == 0, result.output
    return backup_file


@pytest.mark.parametrize("file_checksum", [True, False], ids=["manifest-with-file-checksum", "older-manifest"])
def test_a_damaged_backup_is_refused_and_the_target_stays_as_it_was(app, backed_up, empty_target, file_checksum):
    manifest_file = backup_service.manifest_path(backed_up)
    if not file_checksum:  # as manifests were before they kept the file's own checksum: the tables tell
        manifest = json.loads(manifest_file.read_text())
        del manifest["file"]
        manifest_file.write_text(json.dumps(manifest))
    # Bytes changed that no file format check notices: a name in an SQLite page, or a statement
    # in the table of contents of pg_dump's archive.
    original, damaged = (b"CREATE TABLE", b"CREATE TABXE") if _is_postgres(app) else (b"Family Alpha", b"Family Omega")
    content = backed_up.read_bytes()
    assert original in content
    backed_up.write_bytes(content.replace(original, damaged, 1))
    before = _state(empty_target)

    result = _restore(empty_target, backed_up)

    if file_checksum:
        reason = "does not match its manifest (the file's SHA-256 differs)"
    else:
        reason = "pg_restore failed" if _is_postgres(app) else "differs from the backup's manifest in:"
    _refused(result, reason)
    assert _state(empty_target) == before


def test_a_backup_without_its_manifest_is_refused(backed_up, empty_target):
    backup_service.manifest_path(backed_up).unlink()
    before = _state(empty_target)
    _refused(_restore(empty_target, backed_up), "has no manifest beside it")
    assert _state(empty_target) == before


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        (None, "it has no alembic_version table"),
        ("0badc0ffee00", "schema revision 0badc0ffee00 is unknown to migrations/"),
        ("head", "it lacks the tables"),
    ],
    ids=["no-alembic-version", "unknown-revision", "attune-revision-without-attune-tables"],
)
def test_a_database_that_is_not_attunes_is_refused_for_its_schema(
    app, new_database, empty_target, tmp_path, version, reason
):
    _needs_pg_tools(app)
    other = new_database("other")
    engine = create_engine(other)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        connection.execute(text("INSERT INTO notes (id, body) VALUES (1, 'not care data')"))
        if version:
            revision = (
                ScriptDirectory(str(backup_service.MIGRATIONS)).get_current_head() if version == "head" else version
            )
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
            connection.execute(text("INSERT INTO alembic_version VALUES (:revision)"), {"revision": revision})
    engine.dispose()
    # Backed up as Attune's would be, so its manifest matches it: only its schema gives it away.
    foreign = tmp_path / "foreign.backup"
    backup_service.backup(other, foreign)
    before = _state(empty_target)

    _refused(_restore(empty_target, foreign), reason)
    assert _state(empty_target) == before


def test_a_manifest_mismatch_leaves_the_target_empty_and_a_retry_with_the_good_backup_works(backed_up, empty_target):
    target = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_target)
    with target.app_context():
        upgrade()  # as an operator prepares it: `flask db upgrade` made the tables, none has rows
        db.engine.dispose()
    manifest_file = backup_service.manifest_path(backed_up)
    good = manifest_file.read_text()
    wrong = json.loads(good)
    wrong["tables"]["families"]["rows"] += 1  # e.g. the manifest of another day's backup
    manifest_file.write_text(json.dumps(wrong))
    before = _state(empty_target)

    _refused(_restore(empty_target, backed_up), "differs from the backup's manifest in: families")
    assert _state(empty_target) == before
    assert not backup_service.has_data(backup_service.current_checksums(empty_target))

    manifest_file.write_text(good)
    retry = _restore(empty_target, backed_up)
    assert retry.exit_code == 0, retry.output
    assert "matches the backup's manifest" in retry.output and "db upgrade" not in retry.output
    assert backup_service.current_checksums(empty_target) == json.loads(good)["tables"]
    assert _state(empty_target)[1] == before[1]  # no scratch copy left beside it


def test_a_backup_of_an_older_schema_restores_and_asks_for_the_upgrade(app, new_database, empty_target, tmp_path):
    _needs_pg_tools(app)
    first = ScriptDirectory(str(backup_service.MIGRATIONS)).get_base()
    older = create_app("testing", SQLALCHEMY_DATABASE_URI=new_database("older"))
    with older.app_context():
        upgrade(revision=first)
        db.engine.dispose()
    backup_file = tmp_path / "older.backup"
    backup_service.backup(older.config["SQLALCHEMY_DATABASE_URI"], backup_file)

    result = _restore(empty_target, backup_file)
    assert result.exit_code == 0, result.output
    assert f"revision {first} is older: run `flask db upgrade`" in result.output


def test_a_sqlite_target_another_process_has_open_is_refused(app, backed_up, empty_target, monkeypatch):
    if _is_postgres(app):
        pytest.skip("SQLite only: a file swapped under an open connection")
    monkeypatch.setattr(backup_service, "SQLITE_BUSY_SECONDS", 0.1)
    engine = create_engine(empty_target)
    with engine.connect() as other:  # e.g. the app still running on it
        other.exec_driver_sql("PRAGMA journal_mode=WAL")
        other.exec_driver_sql("CREATE TABLE scratchpad (id INTEGER)")
        other.commit()
        before = _state(empty_target)
        _refused(_restore(empty_target, backed_up), "is open in another process")
        assert _state(empty_target) == before
    engine.dispose()
