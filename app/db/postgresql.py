"""PostgreSQL as Attune uses it: the planner's cost of a page read, set for each connection."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def install(engine: Engine, setting: str) -> None:
    """random_page_cost for every new connection, with a SET in autocommit (SQLAlchemy's recipe for session
    settings): the URL's options, PGOPTIONS and a connection pooler's rules stay as they are.

    With the default (4) the team overview read all 250,000 sessions of scale L for a team's 7,000 (30-45 ms
    per query instead of 2-4 by the (family_id, held_on) index): docs/benchmarks.md.
    """
    setting = setting.strip()
    if not setting:
        return
    try:
        cost = float(setting)
    except ValueError:
        raise RuntimeError(f"POSTGRESQL_RANDOM_PAGE_COST must be a number (or empty), not {setting!r}") from None
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _plan_for_data_in_memory(dbapi_connection, _connection_record) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET random_page_cost = {cost}")
        dbapi_connection.autocommit = autocommit
