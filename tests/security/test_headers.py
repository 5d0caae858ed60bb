"""Security headers on every response: pages, error pages, static files, the PDF (ASVS V3.4)."""

from __future__ import annotations

import pytest
from flask import Flask

from app import create_app
from tests.helpers.auth import login

REQUIRED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def csp_directives(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request.path} ({response.status_code})"
    pairs = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in pairs}


def assert_security_headers(response, *, cacheable: bool = False) -> None:
    where = f"{response.request.path} ({response.status_code})"
    directives = csp_directives(response)
    for name, value in REQUIRED_CSP.items():
        assert directives.get(name) == value, f"CSP {name} on {where}: {directives.get(name)!r}"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"], where
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), where
    if not cacheable:
        assert response.headers.get("Cache-Control") == "no-store", where


@pytest.fixture
def fragile(app: Flask) -> Flask:
    """An app with a route that fails, for the 500 page."""
    broken = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    broken.config["PROPAGATE_EXCEPTIONS"] = False

    @broken.get("/__boom")
    def boom():
        raise RuntimeError("secret detail: case note text")

    return broken


def test_pages_and_error_pages_carry_the_headers(client, world, fragile):
    assert_security_headers(client.get("/login"))  # anonymous: the login form holds a CSRF token
    assert_security_headers(client.get("/no/such/page"))  # 404
    assert_security_headers(client.get("/logout"))  # 405: logout is POST only
    big = client.post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert big.status_code == 413
    assert_security_headers(big)
    boom = fragile.test_client().get("/__boom")
    assert boom.status_code == 500
    assert_security_headers(boom)

    login(client, world.worker_a)
    assert_security_headers(client.get("/families/"))
    inside = fragile.test_client()
    login(inside, world.worker_a)
    boom = inside.get("/__boom", headers={"Accept-Language": "en"})  # the 500 page with the user's menu
    assert boom.status_code == 500
    assert "Something went wrong on our side" in boom.get_data(as_text=True)
    assert "secret detail" not in boom.get_data(as_text=True)
    assert_security_headers(boom)
    assert_security_headers(client.get(f"/families/{world.family_a.id}"))
    assert_security_headers(client.get(f"/families/{world.family_b.id}"))  # 404 for another team


def test_static_files_carry_the_headers_but_may_be_cached(client):
    for path in ("/static/css/attune.css", "/static/js/charts.js", "/bootstrap/static/css/bootstrap.min.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response, cacheable=True)
        assert response.headers.get("Cache-Control") != "no-store", path
        response.close()


def test_the_printed_plan_and_its_pdf_carry_the_headers(client, world, make):
    make.plan(world.family_a)
    login(client, world.worker_a)
    page = client.get(f"/families/{world.family_a.id}/plan/print?lang=en")
    assert page.status_code == 200
    assert_security_headers(page)
    pdf = client.get(f"/families/{world.family_a.id}/plan/print.pdf?lang=en")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")  # WeasyPrint still renders under the policy
    assert_security_headers(pdf)


def test_hsts_only_in_production(client, tmp_path, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers

    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    production = create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/prod.db")
    for path in ("/login", "/no/such/page", "/static/css/attune.css"):
        response = production.test_client().get(path)
        hsts = response.headers.get("Strict-Transport-Security", "")
        directives = dict(part.strip().partition("=")[::2] for part in hsts.split(";"))
        assert int(directives.get("max-age", 0)) >= 365 * 24 * 3600, path
        assert "includeSubDomains" in directives, path
        assert_security_headers(response, cacheable=path.startswith("/static/"))
        response.close()


def test_production_session_cookie_is_host_only_secure_httponly_lax(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "c" * 40)
    production = create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/prod.db")
    # The login form's CSRF token lives in the session, so the page sets the cookie.
    response = production.test_client().get("/login", base_url="https://attune.example")
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    cookie = cookies[0]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert cookie.startswith("__Host-session=")
    assert {"secure", "httponly", "path"} <= attributes and "domain" not in attributes
    assert "SameSite=Lax" in cookie
