"""Nothing lost: a save is all or nothing, and SQLite takes many writers without errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app import create_app
from app.extensions import db
from app.models import CareSession, Moment, MomentTagRow, Role
from tests.helpers.db import count_rows, query
from tests.helpers.integrity import MOMENTS_PER_SESSION, save_one

ROOT = Path(__file__).resolve().parents[2]

# Saves a session with its moments through the service layer, like a request does, then
# stops between the flush and the commit: the rows are written but not committed.
KILLED_SAVE = textwrap.dedent(
    """
    import sys, time
    from app import create_app
    from app.extensions import db
    from app.models import Family, User
    from app.services.care_sessions import save_session
    from tests.helpers.integrity import session_input

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=sys.argv[1])
    with app.app_context():
        family = db.session.get(Family, int(sys.argv[2]))
        data = session_input(0)
        data.summary = "half a save"
        save_session(family, data, db.session.get(User, int(sys.argv[3])))
        db.session.flush()
        print("flushed", flush=True)
        time.sleep(60)
        db.session.commit()
    """
)


def _is_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def _half_records(app):
    def check():
        return {
            "sessions_without_moments": db.session.execute(
                select(func.count(CareSession.id)).where(~CareSession.moments.any())
            ).scalar_one(),
            "orphan_moments": db.session.execute(
                select(func.count(Moment.id)).where(Moment.session_id.not_in(select(CareSession.id)))
            ).scalar_one(),
            "orphan_tags": db.session.execute(
                select(func.count()).select_from(MomentTagRow).where(MomentTagRow.moment_id.not_in(select(Moment.id)))
            ).scalar_one(),
            "half_saves": db.session.execute(
                select(func.count(CareSession.id)).where(CareSession.summary == "half a save")
            ).scalar_one(),
        }

    return query(app, check)


def test_a_process_killed_in_the_middle_of_a_save_leaves_nothing(app, make):
    team = make.team()
    worker = make.user(Role.WORKER, team)
    family = make.family(team, worker)
    save_one(app, family.id, worker.id, 1)  # one complete session already there
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", KILLED_SAVE, url, str(family.id), str(worker.id)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "flushed"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert process.returncode == -signal.SIGKILL

    if _is_sqlite(app):
        with app.app_context():
            assert db.session.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
    assert _half_records(app) == {
        "sessions_without_moments": 0,
        "orphan_moments": 0,
        "orphan_tags": 0,
        "half_saves": 0,
    }
    assert count_rows(app, Moment) == MOMENTS_PER_SESSION
    # The database is not left locked: the next save goes through.
    save_one(app, family.id, worker.id, 2)
    assert count_rows(app, CareSession) == 2


WRITERS = 20
# The issue asks for 20 parallel writers for 60 s: `make soak` runs that (SOAK_SECONDS=60). The suite
# runs them for a few seconds, long enough for each writer to wait for the lock many times over.
SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "5"))


def test_twenty_writers_on_sqlite_lose_nothing(app, make):
    """Twenty threads save sessions at once for SOAK_SECONDS: no error, no lost or half row."""
    if not _is_sqlite(app):
        pytest.skip("about SQLite's single writer lock; PostgreSQL has row locks")
    seconds = SOAK_SECONDS
    # Twenty threads need twenty connections: the default pool (5 + 10) would make the
    # last ones wait for a connection rather than for the database.
    writers_app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": WRITERS, "max_overflow": 0},
    )
    team = make.team()
    worker = make.user(Role.WORKER, team)
    families = [make.family(team, worker) for _ in range(4)]
    saved = [0] * WRITERS
    errors: list[BaseException] = []
    in_flight = [0, 0]  # saves under way now, the most at once
    in_flight_lock = threading.Lock()
    all_ready = threading.Barrier(WRITERS)  # none starts before the others: contention from the first save
    deadline = time.monotonic() + seconds

    def writer(index: int) -> None:
        family_id = families[index % len(families)].id
        all_ready.wait(30)
        while time.monotonic() < deadline:
            with in_flight_lock:
                in_flight[0] += 1
                in_flight[1] = max(in_flight)
            try:
                save_one(writers_app, family_id, worker.id, index * 1_000_000 + saved[index])
            except BaseException as error:  # noqa: BLE001 - every failure is a finding
                errors.append(error)
                return
            finally:
                with in_flight_lock:
                    in_flight[0] -= 1
            saved[index] += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    with writers_app.app_context():
        db.engine.dispose()
    assert [repr(e)[:300] for e in errors] == []
    total = sum(saved)
    assert in_flight[1] > WRITERS // 2, "the writers did not overlap: nothing contended for the lock"
    assert total > WRITERS  # every writer got through, more than once in all
    assert all(saved), f"a writer never got the lock: {saved}"
    counts = query(
        app,
        lambda: (
            db.session.execute(select(func.count(CareSession.id))).scalar_one(),
            db.session.execute(select(func.count(Moment.id))).scalar_one(),
        ),
    )
    assert counts == (total, total * MOMENTS_PER_SESSION)
