"""Every CSV export (team overview, access log): one way to build the download, and cells whose
formulas never run in a spreadsheet.

The separator follows the user's language: Dutch Excel splits a CSV on ";" (its decimal mark is the
comma), English Excel on ",". A cell that holds either one, a quote or a line break is quoted, so it
stays one cell when split on either. Excel picks the separator from the computer's region, not from the
file, and a quote counts only at the start of a cell: read with the other separator a line can still
break inside a quoted cell, so a formula start just after a separator or a line break inside the text is
neutralised too, and no piece of a cell ever runs as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

from babel.numbers import get_decimal_symbol
from flask import Response
from flask_babel import get_locale

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")

# What makes a cell need quotes: both separators, so the file splits the same with either.
_QUOTE_WHEN = (",", ";", '"', "\n", "\r", "\t")


# A formula start after a separator or a line break (and spaces) inside a cell: the start of a cell, or of a
# line, when a spreadsheet reads the file with the other separator.
_INNER_FORMULA = re.compile(r"([,;\r\n][ \t]*)([=+\-@])")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    text = _INNER_FORMULA.sub(r"\1'\2", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def separator() -> str:
    """The separator a spreadsheet in the user's language expects: ";" in Dutch, "," in English."""
    return ";" if str(get_locale()).startswith("nl") else ","


def cell_text(value) -> str:
    """A value as CSV text: dates and times in ISO form (every spreadsheet reads them as dates), a decimal
    with the decimal mark of the user's language, text through safe_cell."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return safe_cell(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(value).replace(".", get_decimal_symbol(get_locale()))
    return safe_cell(value)


def _field(text: str) -> str:
    if any(char in text for char in _QUOTE_WHEN):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(header: Iterable, rows: Iterable[Iterable], sep: str) -> str:
    lines = [sep.join(_field(cell_text(cell)) for cell in row) for row in [header, *rows]]
    return "".join(line + "\r\n" for line in lines)


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable], sep: str | None = None) -> Response:
    """A CSV attachment: the header, then the rows, every cell through cell_text (None is empty), split by
    the separator of the user's language unless `sep` is given.

    Starts with a byte-order mark, which makes Excel read the accents right.
    """
    return Response(
        "\ufeff" + csv_text(header, rows, sep or separator()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
