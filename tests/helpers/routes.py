"""The access table of every route (ROUTES), the URL of a route for a family (url_for_family), and
the `access_world` fixture that gives every family a member, a session, a trashed session, a stress
item, a plan and a destruction request.

They are defined in tests/test_access_routes.py, which is being rewritten; until the table moves
here, this module is the one place that imports them from that test module, so the tests that walk
the table import from tests.helpers.routes.
"""

from __future__ import annotations

from tests.test_access_routes import ROUTES, _url, access_world

url_for_family = _url

__all__ = ["ROUTES", "access_world", "url_for_family"]
