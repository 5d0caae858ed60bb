"""flask bench-data: the benchmark's data has the demo's shape and works in the app."""

import pyotp
from sqlalchemy import func, select

from app import create_app
from app.bench import BENCH_PASSWORD, bench_totp_secret, lead_email, worker_email
from app.extensions import db
from app.models import CareSession, Family, GoalScore, Moment, Plan, User
from tests.helpers.db import moment_counts_off, query


def _small(monkeypatch):
    monkeypatch.setattr("app.bench.data.FAMILIES_PER_TEAM", 4)


def test_builds_a_team_whose_care_worker_logs_in_and_sees_her_families(app, monkeypatch):
    _small(monkeypatch)
    result = app.test_cli_runner().invoke(args=["bench-data", "--scale", "S"])
    assert result.exit_code == 0, result.output
    counts = query(
        app,
        lambda: {
            model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (User, Family, CareSession, Moment, GoalScore)
        },
    )
    assert counts["User"] == 11 and counts["Family"] == 4
    assert counts["Moment"] >= 3 * counts["CareSession"] > 0 and counts["GoalScore"] >= 2 * counts["CareSession"]
    assert moment_counts_off(app) == []  # the dashboards add up each session's counts
    # The plan the benchmark prints: five goals, a year of scores.
    plan = query(app, lambda: db.session.execute(select(Plan).where(Plan.family_id == 1)).scalar_one())
    assert len(query(app, lambda: db.session.get(Plan, plan.id).goals)) == 5

    # Every account has its second factor set up, as production asks of everyone.
    client = app.test_client()
    sent_on = client.post("/login", data={"email": worker_email(1, 1), "password": BENCH_PASSWORD})
    assert sent_on.headers["Location"].startswith("/login/verify")
    client.post("/login/verify", data={"code": pyotp.TOTP(bench_totp_secret(worker_email(1, 1))).now()})
    page = client.get("/families/1", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    # Ids were given by the generator: the database must hand out the next ones itself.
    response = client.post(
        "/families/new",
        data={"display_name": "Familie Nieuw", "status": "intake", "start_date": "2026-01-05"},
    )
    assert response.status_code == 302

    # The team lead's second factor is set up already, with the secret the load generator computes.
    lead = app.test_client()
    sent_on = lead.post("/login", data={"email": lead_email(1), "password": BENCH_PASSWORD})
    assert sent_on.headers["Location"].startswith("/login/verify")
    code = pyotp.TOTP(bench_totp_secret(lead_email(1))).now()
    assert lead.post("/login/verify", data={"code": code}).status_code == 302
    overview = lead.get("/overview", headers={"Accept-Language": "en"})
    assert overview.status_code == 200 and b"Bench team 01" in overview.data


def test_refuses_a_database_with_data_unless_reset(app, make, monkeypatch):
    _small(monkeypatch)
    make.user()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["bench-data", "--scale", "S"])
    assert refused.exit_code != 0 and "not empty" in refused.output
    assert runner.invoke(args=["bench-data", "--scale", "S", "--reset"]).exit_code == 0
    assert query(app, lambda: db.session.execute(select(User.email).order_by(User.id)).scalars().first()) == (
        lead_email(1)
    )


def test_refuses_production(app, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    production = create_app("production", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    result = production.test_cli_runner().invoke(args=["bench-data", "--scale", "S"])
    assert result.exit_code != 0 and "production" in result.output


def test_only_the_bench_config_reports_queries_per_request(app, client, make):
    assert "X-Query-Count" not in client.get("/login").headers
    monkey = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], BENCH_QUERY_COUNT=True
    )
    assert int(monkey.test_client().get("/healthz").headers["X-Query-Count"]) == 1
