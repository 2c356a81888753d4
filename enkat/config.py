"""Configuration: defaults -> instance/config.py -> ENKAT_* environment -> test overrides.

Every setting is documented in docs/deployment.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": None,  # filled in from the instance folder when unset
    # A pooled connection is checked before use, so requests work again as soon as the
    # database is back after an outage.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    "INSTRUMENTS_DIR": None,  # None: the bundled instruments
    "BASE_URL": None,  # public address of this enkat, for links in mail and print
    "SUPPRESSION_THRESHOLD": 5,
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "LANGUAGES": ["sv", "en", "ar"],
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Sent over https only; `enkat serve` turns it off for a development serve on a
    # loopback address without an https ENKAT_BASE_URL (docs/deployment.md).
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    "SMTP_URL": None,  # smtp://user:password@host:587?starttls=1, smtps://host:465
    "MAIL_SENDER": "enkat@localhost",
    "SMTP_TIMEOUT_SECONDS": 10,
    # The job queue (enkat/jobs/queue.py); None: beside the database, in a SQLite file
    # next to a SQLite database or in tables of a PostgreSQL one.
    "QUEUE_URL": None,
    "LINK_GUESS_LIMIT": 30,  # unknown enkätlänkar one client may try per window ...
    "LINK_GUESS_WINDOW_MINUTES": 15,  # ... before every /s/ address answers 429
    "DRAFT_RETENTION_DAYS": 90,  # `enkat purge`: untouched drafts
    "LINK_RETENTION_DAYS": 180,  # `enkat purge`: links this long after use or expiry
    "SHORT_RETENTION_DAYS": 30,  # `enkat purge`: ended kiosks, old reset links and sessions
    "KIOSK_TIMEOUT_SECONDS": 180,  # no touch this long: the kiosk asks "Är du kvar?"
    "KIOSK_WARNING_SECONDS": 30,  # then, unanswered this long: back to the start screen
    "SESSION_COOKIE_NAME": None,  # None: see `session_cookie_name`
    "PERMANENT_SESSION_LIFETIME": 3600,  # seconds without a request that end a sign-in
    "SESSION_MAX_HOURS": 12,  # a sign-in ends this long after it began, however busy
    "PROXY_COUNT": 0,  # proxies in front that set X-Forwarded-For/-Proto (nginx: 1)
    "SIGNIN_LOCK_FAILURES": 5,  # failed sign-ins for one address within the window lock it
    "SIGNIN_LOCK_MINUTES": 15,  # the window, and how long the lock lasts
    "SIGNIN_CLIENT_ATTEMPTS": 20,  # refused attempts from one client address per window
    "PASSWORD_RESET_MINUTES": 60,  # a password-reset link is valid this long
    "PASSWORD_RESET_ANSWER_MS": 1000,  # "forgot password" always answers after this long
    "PROFILE": False,  # each response says its CPU and SQL statements (enkat/profiling.py)
}

#: ENKAT_<NAME> environment variables and the config key each sets.
ENVIRONMENT = {
    "ENKAT_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "ENKAT_SECRET_KEY": "SECRET_KEY",
    "ENKAT_INSTRUMENTS_DIR": "INSTRUMENTS_DIR",
    "ENKAT_BASE_URL": "BASE_URL",
    "ENKAT_SUPPRESSION_THRESHOLD": "SUPPRESSION_THRESHOLD",
    "ENKAT_SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "ENKAT_SQLITE_BUSY_TIMEOUT_MS": "SQLITE_BUSY_TIMEOUT_MS",
    "ENKAT_SMTP_URL": "SMTP_URL",
    "ENKAT_MAIL_SENDER": "MAIL_SENDER",
    "ENKAT_QUEUE_URL": "QUEUE_URL",
    "ENKAT_SMTP_TIMEOUT_SECONDS": "SMTP_TIMEOUT_SECONDS",
    "ENKAT_LINK_GUESS_LIMIT": "LINK_GUESS_LIMIT",
    "ENKAT_LINK_GUESS_WINDOW_MINUTES": "LINK_GUESS_WINDOW_MINUTES",
    "ENKAT_DRAFT_RETENTION_DAYS": "DRAFT_RETENTION_DAYS",
    "ENKAT_LINK_RETENTION_DAYS": "LINK_RETENTION_DAYS",
    "ENKAT_SHORT_RETENTION_DAYS": "SHORT_RETENTION_DAYS",
    "ENKAT_KIOSK_TIMEOUT_SECONDS": "KIOSK_TIMEOUT_SECONDS",
    "ENKAT_KIOSK_WARNING_SECONDS": "KIOSK_WARNING_SECONDS",
    "ENKAT_SESSION_LIFETIME_SECONDS": "PERMANENT_SESSION_LIFETIME",
    "ENKAT_SESSION_MAX_HOURS": "SESSION_MAX_HOURS",
    "ENKAT_PROXY_COUNT": "PROXY_COUNT",
    "ENKAT_SIGNIN_LOCK_FAILURES": "SIGNIN_LOCK_FAILURES",
    "ENKAT_SIGNIN_LOCK_MINUTES": "SIGNIN_LOCK_MINUTES",
    "ENKAT_SIGNIN_CLIENT_ATTEMPTS": "SIGNIN_CLIENT_ATTEMPTS",
    "ENKAT_PASSWORD_RESET_MINUTES": "PASSWORD_RESET_MINUTES",
    "ENKAT_PASSWORD_RESET_ANSWER_MS": "PASSWORD_RESET_ANSWER_MS",
    "ENKAT_PROFILE": "PROFILE",
}

SECRET_KEY_FILE = "secret_key"


def configure(app: Flask, overrides: dict | None = None) -> None:
    """Apply the configuration layers in order; later layers win."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for variable, key in ENVIRONMENT.items():
        if variable in os.environ:
            app.config[key] = _typed(app.config.get(key), os.environ[variable])
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        database = Path(app.instance_path) / "enkat.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    if not app.config.get("SESSION_COOKIE_NAME"):
        app.config["SESSION_COOKIE_NAME"] = session_cookie_name(app.config)


def local_zone() -> ZoneInfo:
    """The installation's time zone (`ENKAT_BABEL_DEFAULT_TIMEZONE`): the one its days are
    counted in and its times shown in, whatever the server's own zone."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def session_cookie_name(config: dict) -> str:
    """`__Host-enkat_session` where the browser allows the prefix (a Secure cookie for
    the whole site, path "/", no Domain): it then refuses the cookie from a sibling
    domain or over http, so nobody can plant or overwrite it. Else `enkat_session`."""
    whole_site = (config.get("SESSION_COOKIE_PATH") or config.get("APPLICATION_ROOT")
                  or "/") == "/"
    if config.get("SESSION_COOKIE_SECURE") and not config.get("SESSION_COOKIE_DOMAIN") \
            and whole_site:
        return "__Host-enkat_session"
    return "enkat_session"


def _typed(default: object, raw: str) -> object:
    """Read an environment string as the type of the default it replaces."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def instance_secret_key(instance: Path) -> str:
    """Return the instance's secret key, generating it (mode 0600) on first use.

    The key signs sessions and CSRF tokens; keeping it in the instance folder means
    restarts keep people signed in, while the repository never holds a secret.
    """
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / SECRET_KEY_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
