"""Configuration layers, the generated secret key and SQLite's settings."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import text

from enkat import create_app
from enkat.config import instance_secret_key
from enkat.extensions import db


@pytest.fixture
def bare_app(tmp_path, monkeypatch):
    """An app built from the environment alone, with its instance folder in tmp_path."""
    for variable in ("ENKAT_DATABASE_URL", "ENKAT_SECRET_KEY", "ENKAT_SUPPRESSION_THRESHOLD"):
        monkeypatch.delenv(variable, raising=False)

    def make(**environment: str):
        for variable, value in environment.items():
            monkeypatch.setenv(variable, value)
        monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
        return create_app()

    return make


def test_defaults_put_sqlite_and_a_private_secret_key_in_the_instance_folder(bare_app, tmp_path):
    app = bare_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'enkat.sqlite'}"
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.config["SECRET_KEY"] == key_file.read_text() and len(app.config["SECRET_KEY"]) == 64
    assert bare_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]  # generated once


def test_environment_overrides_instance_config_which_overrides_defaults(bare_app, tmp_path):
    (tmp_path / "config.py").write_text("SUPPRESSION_THRESHOLD = 7\nSECRET_KEY = 'från-fil'\n")
    assert bare_app().config["SUPPRESSION_THRESHOLD"] == 7
    app = bare_app(ENKAT_SUPPRESSION_THRESHOLD="10", ENKAT_SECRET_KEY="från-miljön",
                   ENKAT_DATABASE_URL="sqlite:////tmp/annan.sqlite")
    assert app.config["SUPPRESSION_THRESHOLD"] == 10
    assert app.config["SECRET_KEY"] == "från-miljön"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/annan.sqlite"
    assert not (tmp_path / "secret_key").exists()


def test_a_second_writer_of_the_secret_key_reuses_the_first(tmp_path):
    first = instance_secret_key(tmp_path)
    assert instance_secret_key(tmp_path) == first


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(bare_app):
    app = bare_app()
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()
