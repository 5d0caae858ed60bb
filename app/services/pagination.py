"""One way to page a list: Flask-SQLAlchemy's db.paginate, with the rules every paged page keeps.

A page number below 1 shows the first page and one past the end the last (never a 404), and
the page is clamped before the query runs, so no page number reaches the database as a huge
OFFSET. The result is Flask-SQLAlchemy's Pagination (items, total, page, pages, has_prev,
prev_num, has_next, next_num, iter_pages), which macros/pagination.html renders.
"""

from __future__ import annotations

from math import ceil

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from app.extensions import db


def _clamp(page: int, total: int, per_page: int) -> int:
    return min(max(page, 1), max(1, ceil(total / per_page)))


def paginate(query: Select, page: int, per_page: int) -> Pagination:
    """One page of an ORM select of one entity (its loader options apply to the page only)."""
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    result = db.paginate(
        query, page=_clamp(page, total, per_page), per_page=per_page, max_per_page=None, error_out=False, count=False
    )
    result.total = total  # counted above, before the page was chosen
    return result


class ListPagination(Pagination):
    """The same Pagination over a list already in memory (rows sorted by a rule SQL cannot express)."""

    def _query_items(self) -> list:
        return self._query_args["rows"][self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def paginate_list(rows: list, page: int, per_page: int) -> Pagination:
    return ListPagination(
        page=_clamp(page, len(rows), per_page), per_page=per_page, max_per_page=None, error_out=False, rows=rows
    )
