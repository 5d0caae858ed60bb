import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, FamilyStatus, MomentKind
from tests.helpers.auth import login
from tests.helpers.db import counted_statements, query, selects


@pytest.fixture
def lead_client(app, world):
    client = app.test_client()
    login(client, world.lead_a)
    return client


def csv_rows(response, sep=","):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=sep))


def test_per_worker_counts_of_own_team_only(world, lead_client, make):
    make.family(world.team_a, world.worker_a, status=FamilyStatus.INTAKE)
    make.family(world.team_a, None, display_name="Family Waiting")
    make.plan(world.family_a)
    make.care_session(world.family_a, author=world.worker_a, held_on=date.today() - timedelta(days=3))
    make.care_session(world.family_a, author=world.worker_a, held_on=date.today() - timedelta(days=40))
    html = lead_client.get("/overview").get_data(as_text=True)
    assert "Worker B" not in html and "Family Bravo" not in html
    assert "Family Waiting" in html
    row = html[html.index(">Worker A<") : html.index("</tr>", html.index(">Worker A<"))]
    cells = [c.split("<")[0] for c in row.split('<td class="text-end">')[1:]]
    # One active family, one session in 30 days; the intake family, 60 days without a session, needs attention.
    assert cells == ["1", "1", "1"]


def test_filters_live_in_the_url_and_the_csv_agrees(app, world, lead_client, make):
    seen = make.family(world.team_a, world.colleague_a, display_name="Family Seen Lately")
    make.care_session(seen, held_on=date.today() - timedelta(days=2), focus_parent=False, focus_stress=True)
    make.care_session(world.family_a, held_on=date.today() - timedelta(days=60))
    not_seen = lead_client.get("/overview?signal=not_seen").get_data(as_text=True)
    assert "Family Alpha" in not_seen and "Family Seen Lately" not in not_seen
    assert "last session 60 days ago" in not_seen
    exported = csv_rows(lead_client.get("/overview/export.csv?signal=not_seen"))
    names = [r[0] for r in exported[1:]]
    assert "Family Alpha" in names and "Family Seen Lately" not in names

    by_worker = lead_client.get(f"/overview?worker={world.colleague_a.id}").get_data(as_text=True)
    assert "Family Seen Lately" in by_worker and "Family Alpha" not in by_worker
    by_focus = lead_client.get("/overview?focus=stress").get_data(as_text=True)
    assert "Family Seen Lately" in by_focus and "Family Alpha" not in by_focus
    since = (date.today() - timedelta(days=10)).isoformat()
    by_date = lead_client.get(f"/overview?from={since}").get_data(as_text=True)
    assert "Family Seen Lately" in by_date and "Family Alpha" not in by_date
    csv_by_date = [r[0] for r in csv_rows(lead_client.get(f"/overview/export.csv?from={since}"))[1:]]
    assert csv_by_date == ["Family Seen Lately"]
    # Garbage in the URL is ignored, not an error.
    assert lead_client.get("/overview?worker=x&from=yesterday&signal=<b>").status_code == 200


def test_csv_header_follows_the_language_and_formulas_are_neutralised(app, world, make):
    make.family(world.team_a, world.worker_a, display_name='=HYPERLINK("http://evil")')
    client = app.test_client()
    login(client, world.lead_a)
    english = csv_rows(client.get("/overview/export.csv"))
    assert english[0][:2] == ["Family", "Case number"]
    assert [r[0] for r in english[1:] if "HYPERLINK" in r[0]] == ['\'=HYPERLINK("http://evil")']
    dutch = csv_rows(client.get("/overview/export.csv", headers={"Accept-Language": "nl"}), sep=";")
    assert dutch[0][0] == "Gezin" and len(dutch[0]) == len(english[0])
    actions = query(
        app, lambda: db.session.execute(select(AuditEvent.action).where(AuditEvent.action == "export")).scalars().all()
    )
    assert len(actions) == 2


@pytest.mark.parametrize(("lang", "sep"), [("en", ","), ("nl", ";")])
def test_the_excel_export_holds_what_the_csv_holds_with_dates_as_dates(app, world, lead_client, make, lang, sep):
    held = date.today() - timedelta(days=60)
    make.care_session(world.family_a, held_on=held, next_appointment_on=date.today() + timedelta(days=3))
    make.family(world.team_a, world.worker_a, display_name="=1+1; Smit, Jansen")
    headers = {"Accept-Language": lang}
    response = lead_client.get("/overview/export.xlsx", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f'attune-team-families-{date.today().isoformat()}.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    exported = csv_rows(lead_client.get("/overview/export.csv", headers=headers), sep=sep)
    assert rows[0] == exported[0]
    assert [row[0] for row in rows[1:]] == [row[0].removeprefix("'") for row in exported[1:]]
    alpha = next(row for row in rows if row[0] == "Family Alpha")
    # Last session and next appointment are dates Excel can sort and count with; the CSV writes them in ISO.
    assert alpha[4] == datetime.combine(held, datetime.min.time())
    assert alpha[5] == datetime.combine(date.today() + timedelta(days=3), datetime.min.time())
    in_csv = next(row for row in exported if row[0] == "Family Alpha")
    assert in_csv[4:6] == [held.isoformat(), (date.today() + timedelta(days=3)).isoformat()]
    assert "=1+1; Smit, Jansen" in [row[0] for row in rows]  # as typed, stored as text
    assert "'=1+1; Smit, Jansen" in [row[0] for row in exported]  # one cell, neutralised
    logged = query(
        app,
        lambda: db.session.execute(select(AuditEvent.detail).where(AuditEvent.action == "export")).scalars().all(),
    )
    assert any(detail.startswith("overview xlsx") for detail in logged)


def test_worker_home_puts_families_that_need_attention_first(app, world, make):
    calm = make.family(world.team_a, world.worker_a, display_name="Aaa Calm Family")
    make.care_session(calm, held_on=date.today() - timedelta(days=1))
    make.plan(calm, review_on=date.today() + timedelta(days=50))
    make.care_session(world.family_a, held_on=date.today() - timedelta(days=30))
    client = app.test_client()
    login(client, world.worker_a)
    html = client.get("/families/").get_data(as_text=True)
    assert html.index("Family Alpha") < html.index("Aaa Calm Family")
    assert "last session 30 days ago" in html


def _count_selects(app, client, url):
    with counted_statements(app) as statements:
        assert client.get(url).status_code == 200
    return len(selects(statements))


def _grow(make, world, n):
    for i in range(n):
        family = make.family(world.team_a, world.worker_a, display_name=f"Grown {i}")
        make.member(family)
        plan = make.plan(family)
        make.care_session(
            family, held_on=date.today() - timedelta(days=i % 40), moments=[(MomentKind.DIFFICULT, "x", ["resists"])]
        )
        make.score(family, plan.goals[0], date.today() - timedelta(days=i % 40), 4)
        make.stress_item(family)


@pytest.mark.parametrize("url", ["/overview", "/overview/export.csv", "/overview/export.xlsx", "/families/"])
def test_query_count_does_not_grow_with_the_data(app, world, make, url):
    client = app.test_client()
    login(client, world.lead_a)
    _grow(make, world, 3)
    client.get(url)  # the day's first request works out the outcome model (a fixed three queries)
    small = _count_selects(app, client, url)
    _grow(make, world, 30)
    assert _count_selects(app, client, url) == small


def test_care_worker_has_no_overview(app, world):
    client = app.test_client()
    login(client, world.worker_a)
    assert client.get("/overview").status_code == 404
    assert client.get("/overview/export.csv").status_code == 404


def test_the_overview_logs_every_family_it_names(app, world, lead_client, make, monkeypatch):
    """Its page of the table, the families without a worker and the overdue requests to destroy a record."""
    monkeypatch.setitem(app.config, "FAMILIES_PER_PAGE", 1)
    waiting = make.family(world.team_a, None, display_name="Family Waiting")
    requested = world.family_a2
    make.destruction_request(requested, make.member(requested), received_on=date.today() - timedelta(days=200))
    html = lead_client.get("/overview").get_data(as_text=True)
    assert "Family Waiting" in html
    seen = query(
        app,
        lambda: (
            db.session.execute(select(AuditEvent.family_id).where(AuditEvent.action == "seen_in_overview"))
            .scalars()
            .all()
        ),
    )
    assert waiting.id in seen and requested.id in seen
    assert world.family_b.id not in seen  # another team's family is never shown, nor logged


def test_the_csv_export_logs_each_family_in_one_statement(app, world, lead_client, make):
    for number in range(30):
        make.family(world.team_a, world.worker_a, display_name=f"Family {number}")
    with counted_statements(app) as statements:
        assert lead_client.get("/overview/export.csv").status_code == 200
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS")]
    assert len(inserts) <= 2  # the request's own row and one batch for the 32 families
    seen = query(
        app,
        lambda: (
            db.session.execute(
                select(AuditEvent.family_id).where(
                    AuditEvent.action == "seen_in_export", AuditEvent.detail == "overview csv"
                )
            )
            .scalars()
            .all()
        ),
    )
    assert len(seen) == len(set(seen)) == 32
