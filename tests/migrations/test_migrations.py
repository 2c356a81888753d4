"""The migrations build the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from enkat import create_app
from enkat.extensions import db
from tests.databases import empty_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    return empty_database(request, tmp_path, "enkat_migrations")


@pytest.fixture
def fresh_app(empty_database_url, tmp_path):
    application = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    application.instance_path = str(tmp_path)
    with application.app_context():
        yield application
        db.engine.dispose()


def schema_drift() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_head_on_empty_database_matches_models(fresh_app):
    upgrade()
    assert schema_drift() == []


def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds(fresh_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert schema_drift() == []


def test_drift_is_detected_when_a_model_gains_a_column(fresh_app):
    """The drift check itself works: a column missing from the migrations is noticed."""
    from sqlalchemy import Column, Integer

    upgrade()
    table = db.metadata.tables["forbund"]
    extra = Column("not_migrated", Integer)
    table.append_column(extra)
    try:
        assert any(change[0] == "add_column" for change in schema_drift())
    finally:
        table._columns.remove(extra)


def test_links_made_before_0003_get_the_forbund_of_their_insats(fresh_app):
    """0003 gives every link a förbund, read from its insats; data made at 0002 survives."""
    from sqlalchemy import text

    upgrade(revision="0002")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO forbund (id, slug, name, suppression_threshold, created_at) "
            "VALUES (7, 'f', 'F', 5, '2025-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO insatser (id, forbund_id, slug, name, huvudman, kind, "
            "trial_period_days, created_at) "
            "VALUES (3, 7, 'i', 'I', '', 'individ', 90, '2025-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO instrument_versions (id, instrument_id, version, sha256, definition, "
            "registered_at) VALUES (1, 'x', 1, 'h', '{}', '2025-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO invitations (id, token_hash, instrument_version_id, insats_id, "
            "timepoint, created_at, expires_at) "
            "VALUES (1, 'abc', 1, 3, 'avslut', '2025-01-01 00:00:00', '2025-02-01 00:00:00')"))
    upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT forbund_id FROM invitations")).scalar() == 7
    assert schema_drift() == []
