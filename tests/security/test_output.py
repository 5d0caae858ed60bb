"""Output encoding (ASVS V1.2, V3.2): autoescaping everywhere, no |safe on user input, links only to
our own site, redirects only to our own paths, CSV cells a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from app.security.redirects import is_safe_next
from app.web.csv import csv_response, safe_cell
from tests.helpers.auth import login

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
APP = ROOT / "app"

# Places that switch escaping off, with the reason each is safe. Empty today: keep it that way.
UNESCAPED_ALLOWLIST: dict[str, str] = {}
# href="{{ ... }}" whose value is not a url_for(...) call: each is built by url_for in Python.
HREF_ALLOWLIST = {
    "links.pdf": "app/plans/printing.py _screen_links: url_for",
    "links.back": "app/plans/printing.py _screen_links: url_for",
    "href": "macros/charts.html empty(): every caller passes url_for(...)",
}
UNESCAPED = re.compile(r"\|\s*safe\b|autoescape\s+false|Markup\(|render_template_string\(|\|\s*striptags")


def _sources():
    yield from TEMPLATES.rglob("*.html")
    yield from (p for p in APP.rglob("*.py"))


def test_nothing_switches_escaping_off():
    found = []
    for path in _sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if UNESCAPED.search(line):
                where = f"{path.relative_to(ROOT)}:{number}"
                if where not in UNESCAPED_ALLOWLIST:
                    found.append(f"{where}: {line.strip()}")
    assert not found, "escaping is switched off here; allowlist with a reason or remove:\n" + "\n".join(found)


def test_templates_are_autoescaped(app):
    for name in ("base.html", "plans/print.html", "errors/error.html"):
        assert app.jinja_env.autoescape(name) is True
    with app.test_request_context():
        from flask import render_template_string

        assert render_template_string("{{ v }}", v="<script>") == "&lt;script&gt;"


def test_links_are_built_by_url_for():
    odd = []
    for path in TEMPLATES.rglob("*.html"):
        for expression in re.findall(r'href="\{\{\s*([^}]+?)\s*\}\}', path.read_text(encoding="utf-8")):
            if not expression.startswith("url_for(") and expression not in HREF_ALLOWLIST:
                odd.append(f"{path.relative_to(ROOT)}: {expression}")
    assert not odd, "links from data must be validated (http(s) or relative):\n" + "\n".join(odd)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "http:/evil.example",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\r\n/evil.example",
        "/x\r\nSet-Cookie: a=b",
        "javascript:alert(1)",
        " /account",
        "evil.example",
        "",
        None,
    ],
)
def test_unsafe_next_targets_are_refused(target):
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", ["/account", "/families/3?q=a%20b&page=2", "/overview?from=2024-01-01#x"])
def test_own_paths_are_allowed(target):
    assert is_safe_next(target)


def test_language_switch_never_redirects_elsewhere(client):
    for evil in ("//evil.example/", "https://evil.example", "/\t/evil.example", "/x\r\nSet-Cookie: a=b"):
        response = client.post("/language", data={"language": "en", "next": evil})
        assert response.status_code == 302
        assert response.headers["Location"] == "/"
        assert "Set-Cookie: a=b" not in str(response.headers)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r'=1"),  # the line break ends the cell for a spreadsheet that reads it with the other separator
        ("\0=1", "'\0=1"),
        ("Family Jansen", "Family Jansen"),
        ("Jansen = Smit + 1", "Jansen = Smit + 1"),  # only the first character counts
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_formula_starts_are_neutralised(value, cell):
    assert safe_cell(value) == cell


def test_the_csv_response_neutralises_every_cell_and_names_the_file(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        response = csv_response("attune-x.csv", ["=Header", "Two"], [["=1+1", None, 7, "-2", "plain, with comma"]])
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="attune-x.csv"'
    assert response.get_data(as_text=True) == "\ufeff'=Header,Two\r\n'=1+1,,7,'-2,\"plain, with comma\"\r\n"


def test_exported_csv_has_no_live_formulas(app, world, make):
    from app.models import Role

    sneaky = make.user(Role.WORKER, world.team_a, name="@SUM(A1:A9)")
    names = [
        '=HYPERLINK("http://evil")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1)",
        "\t=1",
        "\r=1",
    ]  # NUL: PostgreSQL refuses it
    for name in names:
        make.family(world.team_a, sneaky, display_name=name)
    client = app.test_client()
    login(client, world.lead_a)
    response = client.get("/overview/export.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert sum(1 for row in rows if row[0].startswith("'")) == len(names)
    assert "'@SUM(A1:A9)" in cells
    for name in names:
        assert "'" + name.replace("\r=", "\r'=") in cells, name
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\0")), cell
