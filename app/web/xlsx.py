"""Every Excel export, beside its CSV (app.web.csv): typed cells, and text that never runs as a formula.

Dates are dates and numbers numbers, so a lead can sort and count in Excel without converting. A text
cell that starts like a formula (app.web.csv.FORMULA_STARTS) is written as text with Excel's quote
prefix: it shows as typed and stays text when someone edits it, where the CSV has to add an apostrophe.
The workbook is written in openpyxl's write-only mode (rows go to a temporary file as they come, not
into memory) and sent from a temporary file.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from datetime import UTC, date, datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.web.csv import FORMULA_STARTS

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# Excel refuses a sheet name longer than 31 characters or with one of these.
_SHEET_NAME_REFUSES = re.compile(r"[\[\]:*?/\\]")
_SPOOL_BYTES = 4 * 1024 * 1024


def sheet_name(title: str) -> str:
    return _SHEET_NAME_REFUSES.sub(" ", title).strip()[:31] or "Attune"


def _cell(sheet, value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # Excel has no time zones: every time of an export is in UTC
            value = value.astimezone(UTC).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if value is None or isinstance(value, int | float) and not isinstance(value, bool):
        return value
    # Characters XML cannot hold (NUL and other control characters) would make the file unreadable.
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would make "=..." a formula
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def xlsx_response(filename: str, title: str, header: list, rows: Iterable[Iterable]) -> Response:
    """An .xlsx attachment with one sheet named `title`: the header in bold (frozen, so it stays in view
    when scrolling), then the rows."""
    book = Workbook(write_only=True)
    book.properties.title = title
    book.properties.creator = "Attune"
    sheet = book.create_sheet(sheet_name(title))
    sheet.freeze_panes = "A2"
    for index, label in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(str(label)) + 4, 14), 40)
    bold = Font(bold=True)
    header_cells = []
    for label in header:
        cell = _cell(sheet, label)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    out = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - closed with the response
    book.save(out)
    out.seek(0)
    response = Response(
        iter(lambda: out.read(64 * 1024), b""),
        mimetype=MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    response.call_on_close(out.close)
    return response
