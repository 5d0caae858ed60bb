"""No read without its access-log row: when the row cannot be written, the page is not shown (NEN 7513).

The database itself refuses the rows (a trigger that raises on every insert into the access log), as a full
disk or a broken log table would: a real failure of the request's commit, not a mock.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text

from app.extensions import db
from tests.helpers.auth import login
from tests.helpers.db import dialect_of, query
from tests.helpers.routes import ROUTES, url_for_family
from tests.helpers.routes import access_world as access_world  # noqa: F401 (a fixture)

FAMILY_GETS = sorted(e for e, (method, _, rule) in ROUTES.items() if rule.startswith("family") and method == "GET")
# Each logs what it shows (the calendar feed: access_world's, worker A's, which needs no login).
LISTS = ("families.index", "overview.index", "overview.export", "exports.analysis", "week.index", "week.feed_file")

REFUSE = {
    "sqlite": [
        "CREATE TRIGGER test_log_refuses BEFORE INSERT ON audit_events"
        " BEGIN SELECT RAISE(ABORT, 'the access log takes no rows'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION test_log_refuses() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'the access log takes no rows'; END $$",
        "CREATE TRIGGER test_log_refuses BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_log_refuses()",
    ],
}
ACCEPT = {
    "sqlite": ["DROP TRIGGER IF EXISTS test_log_refuses"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS test_log_refuses ON audit_events",
        "DROP FUNCTION IF EXISTS test_log_refuses()",
    ],
}


class AccessLog:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.dialect = dialect_of(app)

    def _run(self, statements: list[str]) -> None:
        def run() -> None:
            for statement in statements:
                db.session.execute(text(statement))
            db.session.commit()

        query(self.app, run)

    def refuse_rows(self) -> None:
        self._run(REFUSE[self.dialect])

    def take_rows_again(self) -> None:
        self._run(ACCEPT[self.dialect])


@pytest.fixture
def access_log(app: Flask) -> Iterator[AccessLog]:
    log = AccessLog(app)
    yield log
    log.take_rows_again()  # before the tables are emptied: their cleanup copies the log's triggers


def _assert_not_opened(response, endpoint: str, family) -> None:
    assert response.status_code == 503, endpoint
    page = response.get_data(as_text=True)
    assert "The record cannot be opened right now" in page, endpoint
    assert family.display_name not in page and family.case_number not in page, endpoint


def test_a_family_page_whose_access_log_row_is_refused_is_not_shown(served, access_world, access_log, caplog):
    w = access_world
    lead = served.test_client()
    login(lead, w.lead_a)  # the lead opens every page of the record, the overseer's too
    access_log.refuse_rows()

    for endpoint in FAMILY_GETS:
        _assert_not_opened(lead.get(url_for_family(ROUTES[endpoint][1], w, "family_a")), endpoint, w.family_a)

    assert (
        f"Access-log row not written (database unavailable): view failed 503 by user {w.lead_a.id} "
        f"on family {w.family_a.id}"
    ) in caplog.text  # the attempt is on file in the server log, since the access log took nothing

    access_log.take_rows_again()
    opened = lead.get(f"/families/{w.family_a.id}")
    assert opened.status_code == 200
    assert w.family_a.display_name in opened.get_data(as_text=True)


def test_a_list_whose_access_log_rows_are_refused_shows_no_family(served, access_world, access_log):
    w = access_world
    lead = served.test_client()
    login(lead, w.lead_a)
    access_log.refuse_rows()

    for endpoint in LISTS:
        _assert_not_opened(lead.get(url_for_family(ROUTES[endpoint][1], w, "family_a")), endpoint, w.family_a)
