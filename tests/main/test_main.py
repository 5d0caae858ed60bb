import pytest

from app import create_app


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


def test_every_page_has_an_icon_and_the_browsers_default_address_serves_one(client):
    """Without an icon every page's first visit logs a 404 for /favicon.ico."""
    html = client.get("/login").get_data(as_text=True)
    icons = [part.split('href="')[1].split('"')[0] for part in html.split('<link rel="icon"')[1:]]
    assert len(icons) == 1
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.mimetype == "image/x-icon" and ico.data[:4] == b"\0\0\1\0"
    assert ico.cache_control.max_age
    svg = client.get(icons[0])
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
