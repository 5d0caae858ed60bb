"""The CSV and Excel downloads every export uses: a separator a spreadsheet in the user's language
splits on, every cell one cell whichever separator it splits on, typed Excel cells, no live formula."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from app.web.csv import csv_response
from app.web.xlsx import sheet_name, xlsx_response

HEADER = ["Family", "Start", "Sessions", "Notes"]
ROWS = [
    ["Jansen; Smit", date(2026, 12, 1), 7, "calm, then tired"],
    ['=HYPERLINK("http://evil")', None, 0, 'said "no"\nthen yes'],
    ["+cmd|' /C calc'!A0", date(2026, 1, 31), 12, "-2+3"],
    ["@SUM(A1:A9)", date(2025, 6, 5), 1, "plain"],
    ["Smit", date(2025, 6, 6), 2, "first; =HYPERLINK(1), then\n@SUM(1)"],
]


def _csv(app, lang):
    with app.test_request_context(), force_locale(lang):
        response = csv_response("attune-x.csv", HEADER, ROWS)
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "sep"), [("en", ","), ("nl", ";")])
def test_the_csv_splits_on_the_separator_of_the_language(app, lang, sep):
    text = _csv(app, lang)
    assert text.startswith("\ufeff")
    first_line = text.lstrip("\ufeff").split("\r\n")[0]
    assert first_line == sep.join(HEADER)


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("read_with", [",", ";"])
def test_every_cell_stays_one_cell_whichever_separator_a_spreadsheet_reads_it_with(app, lang, read_with):
    """Excel guesses the separator from the computer's region, not from the file: a Dutch file opened on
    an English computer (or the other way round) must still not split a cell in two."""
    rows = list(csv.reader(io.StringIO(_csv(app, lang).lstrip("\ufeff")), delimiter=read_with))
    written_with = ";" if lang == "nl" else ","
    if read_with == written_with:
        assert rows[0] == HEADER
        assert [row[0] for row in rows[1:]] == [
            "Jansen; Smit",
            '\'=HYPERLINK("http://evil")',
            "'+cmd|' /C calc'!A0",
            "'@SUM(A1:A9)",
            "Smit",
        ]
        assert rows[1][1:] == ["2026-12-01", "7", "calm, then tired"]
        assert rows[2][1:] == ["", "0", 'said "no"\nthen yes']
        assert rows[3][3] == "'-2+3"
        assert rows[5][3] == "first; '=HYPERLINK(1), then\n'@SUM(1)"
    # Read with the other separator a line may break inside a cell (a quote counts only at the start of a
    # cell), but no piece of it starts a formula.
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" \t").startswith(("=", "+", "-", "@")), cell


def _workbook(app, lang="en", rows=ROWS, title="Families"):
    with app.test_request_context(), force_locale(lang):
        response = xlsx_response("attune-x.xlsx", title, HEADER, rows)
        data = response.get_data()
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == 'attachment; filename="attune-x.xlsx"'
    return data


def test_the_workbook_has_typed_cells(app):
    book = load_workbook(io.BytesIO(_workbook(app)))
    sheet = book["Families"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"  # the header stays in view
    start = sheet["B2"]
    assert start.is_date and start.value == datetime(2026, 12, 1) and start.number_format == "yyyy-mm-dd"
    assert sheet["B3"].value is None
    assert [sheet.cell(row, 3).value for row in range(2, 6)] == [7, 0, 12, 1]
    assert sheet["C2"].data_type == "n"
    assert sheet["D3"].value == 'said "no"\nthen yes'


def test_no_cell_of_the_workbook_is_a_formula(app):
    data = _workbook(app)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(data)).active
    cells = {cell.coordinate: cell for row in sheet.iter_rows() for cell in row}
    # The text as it was typed, no apostrophe added: stored as text, with Excel's quote prefix so it stays
    # text when someone edits the cell.
    for coordinate, text in [
        ("A3", '=HYPERLINK("http://evil")'),
        ("A4", "+cmd|' /C calc'!A0"),
        ("A5", "@SUM(A1:A9)"),
        ("D4", "-2+3"),
    ]:
        assert cells[coordinate].value == text
        assert cells[coordinate].data_type == "s"
        assert cells[coordinate].quotePrefix, coordinate
    assert not cells["A2"].quotePrefix


def test_times_are_written_in_utc_and_characters_xml_cannot_hold_are_dropped(app):
    rows = [[datetime(2026, 12, 7, 15, 5, 3, tzinfo=UTC), date(2026, 12, 7), 1, "a\x00b\x07c"]]
    sheet = load_workbook(io.BytesIO(_workbook(app, rows=rows))).active
    assert sheet["A2"].value == datetime(2026, 12, 7, 15, 5, 3)
    assert sheet["A2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["D2"].value == "abc"


def test_a_sheet_name_excel_accepts():
    assert sheet_name("The team's families") == "The team's families"
    assert sheet_name("a/b:c*d?e[f]g\\h") == "a b c d e f g h"
    assert len(sheet_name("x" * 40)) == 31


def test_every_csv_download_has_an_excel_one_beside_it(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    csv_rules = {rule for rule in rules if rule.endswith(".csv")}
    assert csv_rules and {rule.removesuffix(".csv") + ".xlsx" for rule in csv_rules} <= rules
