import pytest

from app import create_app
from tests.helpers.auth import login


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    broken = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"


def test_unknown_page_is_friendly_and_in_the_users_language(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "This page does not exist" in response.get_data(as_text=True)


def test_server_error_shows_a_generic_page_without_details(app, make):
    fragile = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    fragile.config["PROPAGATE_EXCEPTIONS"] = False

    @fragile.get("/__boom")
    def boom():
        raise RuntimeError("secret detail: case note text")

    client = fragile.test_client()
    login(client, make.user())
    response = client.get("/__boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert "secret detail" not in html


def test_oversized_request_answers_413(client):
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_logged_in_pages_are_not_cached(client, make):
    login(client, make.user())
    response = client.get("/families/")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_enforced_when_enabled(tmp_path):
    strict = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/csrf.db", WTF_CSRF_ENABLED=True)
    response = strict.test_client().post("/language", data={"language": "en"})
    assert response.status_code == 400


def test_production_refuses_to_start_without_a_real_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert not app.debug


def test_static_assets_are_served_locally(client):
    html = client.get("/login").get_data(as_text=True)
    assert "cdn." not in html and "https://" not in html
    assert client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200
