"""The charts are drawn inside a request in English that must not touch the database."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from tests.helpers.db import counted_statements


@pytest.fixture
def english(app):
    """A request in English, with every SQL statement counted: the charts must not touch the database."""
    with counted_statements(app) as statements, app.app_context(), app.test_request_context(), force_locale("en"):
        yield statements
    assert statements == []
