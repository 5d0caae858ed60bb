"""The charts are drawn inside a request in English that must not touch the database."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import event

from app.extensions import db


@pytest.fixture
def english(app):
    """A request in English, with every SQL statement counted: the charts must not touch the database."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            with app.test_request_context(), force_locale("en"):
                yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert statements == []
