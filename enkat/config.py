"""Configuration: defaults -> instance/config.py -> ENKAT_* environment -> test overrides.

Every setting is documented in docs/deployment.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": None,  # filled in from the instance folder when unset
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    "INSTRUMENTS_DIR": None,  # None: the bundled instruments
    "BASE_URL": None,  # public address of this enkat, for links in mail and print
    "SUPPRESSION_THRESHOLD": 5,
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "LANGUAGES": ["sv", "en", "ar"],
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    "SMTP_URL": None,  # smtp://user:password@host:587?starttls=1, smtps://host:465
    "MAIL_SENDER": "enkat@localhost",
    "SMTP_TIMEOUT_SECONDS": 10,
    "KIOSK_TIMEOUT_SECONDS": 180,  # no touch this long: the kiosk asks "Är du kvar?"
    "KIOSK_WARNING_SECONDS": 30,  # then, unanswered this long: back to the start screen
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
    "ENKAT_KIOSK_TIMEOUT_SECONDS": "KIOSK_TIMEOUT_SECONDS",
    "ENKAT_KIOSK_WARNING_SECONDS": "KIOSK_WARNING_SECONDS",
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
