"""Configuration classes, chosen by the ATTUNE_CONFIG environment variable.

development (default), testing or production. Secrets and addresses come from the
environment so that the same code runs on a laptop and on a server.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Only ever used outside production; ProductionConfig refuses it.
DEV_SECRET_KEY = "dev-only-not-secret"


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'attune.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 5000

    LANGUAGES = ("nl", "en")
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")

    BOOTSTRAP_SERVE_LOCAL = True

    # Compression of pages, JSON and CSV (static files: app/static_assets.py). Brotli first.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]
    COMPRESS_MIMETYPES = ["text/html", "application/json", "text/csv", "text/plain", "text/css", "text/javascript"]
    COMPRESS_BR_LEVEL = 4

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_LIFETIME_HOURS", "12")))
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the login session
    MAX_CONTENT_LENGTH = 1024 * 1024

    FAMILIES_PER_PAGE = 25

    # Signals on the dashboards. Defaults here; an administrator can change them (Settings page).
    SIGNAL_DEFAULTS = {
        "not_seen_days": 21,  # an active family with no session for this many days
        "review_within_days": 7,  # plan review date passed or within this many days
        "no_plan_after_days": 42,  # active this long after the start without an agreed plan
        "decline_drop": 2,  # latest score this far below the start score
        "difficult_window_days": 30,  # compare difficult moments over two windows of this length
        "stress_open_days": 30,  # a severe stress item open (nobody on it yet) this long
    }
    CASE_NUMBER_PREFIX = "AT"

    DEMO_PASSWORD = "attune-demo-2026"


class DevelopmentConfig(Config):
    DEBUG = False  # the Werkzeug debugger is opt-in via FLASK_DEBUG=1


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    WTF_CSRF_ENABLED = False


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"

    @classmethod
    def validate(cls) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                '(for example: python -c "import secrets; print(secrets.token_hex(32))").'
            )


class BenchConfig(ProductionConfig):
    """Production as measured by `make bench`: plain http on 127.0.0.1, so the cookie cannot be
    Secure or __Host-; each response says how many SQL statements it ran (X-Query-Count)."""

    ENV_NAME = "bench"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "session"
    BENCH_QUERY_COUNT = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "bench": BenchConfig,  # make bench only: never serve real users with it
}


def get_config(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("ATTUNE_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown ATTUNE_CONFIG {name!r}; use one of {', '.join(CONFIGS)}") from None
