"""Ids the access log names are never handed out twice (issue 15): SQLite's AUTOINCREMENT on their tables."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text

from app.audit.labels import OBJECT_LABELS
from app.extensions import db
from app.models import Family, Team


def _model_tables() -> dict[str, str]:
    """Model class name -> table name, for every mapped model."""
    return {mapper.class_.__name__: mapper.local_table.name for mapper in db.Model.registry.mappers}


def test_every_table_whose_ids_the_log_names_keeps_them_monotonic(app):
    with app.app_context():
        tables = _model_tables()
        logged = {tables[name] for name in OBJECT_LABELS} | {"families"}
        for name in sorted(logged):
            assert db.metadata.tables[name].dialect_options["sqlite"]["autoincrement"], name
        if db.engine.dialect.name != "sqlite":
            pytest.skip("sequences never go back on PostgreSQL")
        with db.engine.connect() as connection:
            for name in sorted(logged):
                sql = connection.execute(
                    text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": name}
                ).scalar_one()
                assert "AUTOINCREMENT" in sql, f"{name} is not built with AUTOINCREMENT by the migrations"


def test_the_id_of_the_newest_row_deleted_is_not_given_again(app, make):
    team = make.team()
    newest = make.family(team, None)
    spare_team = make.team()
    with app.app_context():
        db.session.execute(delete(Family).where(Family.id == newest.id))
        db.session.execute(delete(Team).where(Team.id == spare_team.id))
        db.session.commit()
    assert make.family(team, None).id > newest.id
    assert make.team().id > spare_team.id
