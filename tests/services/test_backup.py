"""`flask backup` under write load and `flask restore` into an empty database.

Consistent means one point in time: the backup writes a manifest of row counts and
checksums computed inside the same snapshot it copies, and the restore must equal it.
"""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.models import Role
from app.services import backup as backup_service
from tests.helpers.integrity import MOMENTS_PER_SESSION, save_one


def _is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


@pytest.fixture
def empty_target(app, tmp_path):
    """The URL of a second, empty database to restore into."""
    if not _is_postgres(app):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = f"{source.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # no right to create databases: nothing to restore into
        admin.dispose()
        pytest.skip(f"cannot create a scratch database to restore into: {error}")
    yield source.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
