"""Every CSV export (team overview, access log): one way to build the download, and cells whose
formulas never run in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """A CSV attachment: the header, then the rows, every cell through safe_cell (None is empty).

    Starts with a byte-order mark, which makes Excel read the accents right.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
