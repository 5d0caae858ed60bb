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

# The test suite's fixed key: never a served instance's (ProductionConfig refuses it). A development
# instance makes its own random key in its instance folder (app/security/secret_key.py).
TEST_SECRET_KEY = "tests-only-not-secret"

ALL_ROLES = ("worker", "lead", "admin")


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
    # From the environment; without it create_app() reads (or makes) instance/secret_key.
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'attune.db'}")
    # hide_parameters: a database error in the log names the statement, never the case notes bound to it.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    # PostgreSQL's planner assumes spinning disks (random_page_cost 4) and then reads a whole table rather than
    # an index for a team's few thousand rows. 1.1 suits SSDs and data that fits in memory; set for each of
    # the app's connections (app._postgresql_planner). Empty: leave the server's setting.
    POSTGRESQL_RANDOM_PAGE_COST = os.environ.get("POSTGRESQL_RANDOM_PAGE_COST", "1.1")
    # How long a write waits for SQLite's lock before failing. SQLite's busy handler is not a
    # queue: under many writers one can wait well beyond the average, so allow generously.
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "30000"))
    # An error that repeats is logged whole once, then counted: one line per this many seconds (0: every time).
    ERROR_LOG_REPEAT_SECONDS = int(os.environ.get("ERROR_LOG_REPEAT_SECONDS", "60"))

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

    # Hardening (ASVS): Strict-Transport-Security only where the site is served over TLS.
    HSTS = False

    FAMILIES_PER_PAGE = 25

    # Signals on the dashboards. Defaults here; an administrator can change them (Settings page).
    SIGNAL_DEFAULTS = {
        "not_seen_days": 21,  # an active family with no session for this many days
        "review_within_days": 7,  # plan review date passed or within this many days
        "no_plan_after_days": 42,  # active this long after the start without an agreed plan
        "difficult_window_days": 30,  # compare difficult moments over two windows of this length
        "stress_open_days": 30,  # a severe stress item open (nobody on it yet) this long
        "intake_days": 42,  # in intake this long after the start with no session or no agreed plan yet
        "paused_weeks": 8,  # paused for more than this many whole weeks
    }
    # Reliable change and the expected course (app.outcomes, docs/signals.md). Until the history holds
    # OUTCOME_MIN_GOALS goals with OUTCOME_MIN_SCORES scores, the prior error of measurement is in force.
    OUTCOME_SEM_PRIOR = 1.0
    OUTCOME_MIN_GOALS = 50
    OUTCOME_MIN_SCORES = 4
    OUTCOME_COURSE_MIN_GROUP = 30  # goals per start band and weeks before a course is drawn from them
    OUTCOME_RED_MIN_SCORES = 3  # "far below the expected course" needs this many scores
    OUTCOME_RED_MIN_WEEKS = 4  # and this many weeks since the goal began
    OUTCOME_ORANGE_MIN_SCORES = 2  # "below the expected course" waits for a second score
    OUTCOME_ORANGE_MIN_WEEKS = 2  # and two weeks: a first score says where a goal starts
    OUTCOME_SAMPLE_FAMILIES = 2000  # the model is worked out from at most about this many families
    OUTCOME_MAX_AGE_HOURS = 24  # worked out again when older
    CASE_NUMBER_PREFIX = "AT"

    # Access log (auditlog): rows without a family are kept this many years, at least 5
    # (create_app refuses less); a family's rows go with its record (app.audit.log).
    AUDIT_RETENTION_YEARS = int(os.environ.get("AUDIT_RETENTION_YEARS", "5"))
    AUDIT_LOG_PER_PAGE = 50
    AUDIT_EXPORT_MAX_ROWS = 100_000

    # Privacy (Jeugdwet): a closed family's record is kept this many years after the help ended;
    # `flask retention` destroys it after that. Open destruction requests show on the team
    # overview from this many months after they came in (the law allows three).
    RECORD_RETENTION_YEARS = int(os.environ.get("RECORD_RETENTION_YEARS", "20"))
    DESTRUCTION_REQUEST_ATTENTION_MONTHS = 2

    DEMO_PASSWORD = "attune-demo-2026"

    # The organisation's name, as its people would type it ("Jeugdzorg Rivierenland"): passwords
    # built from it are refused, like those built from the user's own name (app/security/passwords.py).
    ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "")

    # Login protection (ASVS V6): lockout per account in the database, rate limit per address,
    # TOTP second factor. The rate limit counts per process with memory://; use Redis
    # (redis://host:6379) when several app processes serve the same site.
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "10"))
    LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
    # The failures that lock must fall within this many minutes of the first; older ones start the
    # count over (app/services/lockout.py), so a slow trickle of wrong passwords never locks.
    LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "60"))
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 100 per hour")
    # The demo and the tests: leads and admins; production: every role (ProductionConfig).
    TWO_FACTOR_REQUIRED_ROLES = ALL_ROLES if os.environ.get("TWO_FACTOR_REQUIRED_FOR_ALL") == "1" else ("lead", "admin")
    TOTP_ISSUER = "Attune"
    # Time steps of 30 s accepted either side of now, for a phone clock that is a little off.
    TOTP_VALID_WINDOW = 1
    TWO_FACTOR_PENDING_MINUTES = 5  # between a correct password and the code
    # Passkeys (WebAuthn). Empty: the relying party id is the host the page was asked for, the
    # origin its scheme and host. Set both behind a proxy that changes the Host header or scheme.
    WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID", "")
    WEBAUTHN_ORIGIN = os.environ.get("WEBAUTHN_ORIGIN", "")
    WEBAUTHN_RP_NAME = "Attune"

    # An account change waiting for a second person, and its one-time set-up code, expire after this.
    ACCOUNT_CHANGE_HOURS = 24


class DevelopmentConfig(Config):
    DEBUG = False  # the Werkzeug debugger is opt-in via FLASK_DEBUG=1


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = TEST_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False  # switched on by the tests that prove it
    PASSWORD_HASHING = "tests-only-fast"  # argon2id at test strength (app/passwords.py)
    # One app serves the whole suite, and its tests read the log of each error they cause: logged every time.
    # tests/errors/test_repeats.py counts repeats with the production value.
    ERROR_LOG_REPEAT_SECONDS = 0


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEBUG = False
    # Care workers read and write all case content: everyone logs in with a second factor
    # (ASVS 5.0 6.3.3, NEN 7510). Not switchable here; the configs below inherit it.
    TWO_FACTOR_REQUIRED_ROLES = ALL_ROLES
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    HSTS = True

    @classmethod
    def validate(cls) -> None:
        if getattr(cls, "PASSWORD_HASHING", "rfc9106-low-memory") != "rfc9106-low-memory":
            raise RuntimeError("production hashes passwords with argon2id at RFC 9106 strength only")
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == TEST_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                '(for example: python -c "import secrets; print(secrets.token_hex(32))").'
            )


class SecurityScanConfig(ProductionConfig):
    """Only for `make security`: production settings served over plain HTTP on 127.0.0.1 to the
    scanners. A Secure or __Host- cookie would never come back over http://, so those two go."""

    ENV_NAME = "security-scan"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "session"
    HSTS = False


class BenchConfig(ProductionConfig):
    """Production as measured by `make bench`: plain http on 127.0.0.1, so the cookie cannot be
    Secure or __Host-; each response says how many SQL statements it ran (X-Query-Count)."""

    ENV_NAME = "bench"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "session"
    BENCH_QUERY_COUNT = True
    # Every simulated user logs in from 127.0.0.1: the limiter still runs (its cost is measured), with a
    # limit that one address serving 50 users does not reach.
    LOGIN_RATE_LIMIT = "100000 per minute"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "security-scan": SecurityScanConfig,
    "bench": BenchConfig,  # make bench only: never serve real users with it
}


def get_config(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("ATTUNE_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown ATTUNE_CONFIG {name!r}; use one of {', '.join(CONFIGS)}") from None
